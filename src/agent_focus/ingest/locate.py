"""Where the agents keep their session logs.

Claude Code: every ``*.jsonl`` under ``projects/`` of each config dir: ``CLAUDE_CONFIG_DIR``
(a comma-separated list; each dir holds ``projects/`` or is it) when set, else both
``${XDG_CONFIG_HOME:-~/.config}/claude`` and ``~/.claude``. Codex: ``sessions/`` and
``archived_sessions/`` of ``${CODEX_HOME:-~/.codex}``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LogFile:
    path: Path
    source: str  # "claude" or "codex"


def claude_roots() -> list[Path]:
    configured = os.environ.get("CLAUDE_CONFIG_DIR", "").strip()
    if configured:
        dirs = [Path(part).expanduser() for part in configured.split(",") if part.strip()]
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        dirs = [Path(xdg) / "claude", Path.home() / ".claude"]
    roots = []
    for folder in dirs:
        projects = folder / "projects"
        root = projects if projects.is_dir() else folder if folder.name == "projects" else None
        if root is not None and root.is_dir() and root not in roots:
            roots.append(root)
    return roots


def codex_roots() -> list[Path]:
    home = Path(os.environ.get("CODEX_HOME") or Path.home() / ".codex").expanduser()
    return [home / name for name in ("sessions", "archived_sessions") if (home / name).is_dir()]


def _jsonl_under(root: Path) -> list[Path]:
    found = []
    for folder, _dirs, files in os.walk(root):
        found += [Path(folder) / name for name in files if name.endswith(".jsonl")]
    return found


def log_files() -> list[LogFile]:
    """Every session log on this machine, in sorted path order (ccusage's tie-break)."""
    claude = sorted({p for root in claude_roots() for p in _jsonl_under(root)})
    codex = sorted({p for root in codex_roots() for p in _jsonl_under(root)})
    return [LogFile(p, "claude") for p in claude] + [LogFile(p, "codex") for p in codex]
