"""Where the agents keep their session logs.

Claude Code: every ``*.jsonl`` under ``projects/`` of each config dir: ``CLAUDE_CONFIG_DIR``
(a comma-separated list; each dir holds ``projects/`` or is it) when set, else both
``${XDG_CONFIG_HOME:-~/.config}/claude`` and ``~/.claude``. Codex: ``sessions/`` and
``archived_sessions/`` of ``${CODEX_HOME:-~/.codex}``.

Walking thousands of session directories every time is most of what a run with nothing new
costs, so the walk can remember each directory's listing with its modification time (which
changes whenever an entry is added, removed or renamed in it): an unchanged directory is
only stat'ed, not listed again. Its subdirectories are still visited (a file added two
levels down does not touch it), and every log file is still stat'ed by the ingester (an
append does not touch its directory).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

# A directory's listing: its mtime (ns) when listed, its *.jsonl names, its subdirectories.
Listing = tuple[int, tuple[str, ...], tuple[str, ...]]
RACY_NS = 2_000_000_000  # a listing this close to its mtime may miss a same-tick change


class LogFile(NamedTuple):
    path: str  # as os.path.join builds it from the root's Path: normalised
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


def _list(folder: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(``*.jsonl`` names, subdirectories to enter) as :func:`os.walk` sees them: a symlink
    to a directory is neither entered nor a log; None when the directory cannot be listed."""
    files, dirs = [], []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    if entry.name.endswith(".jsonl"):
                        files.append(entry.name)
                elif not entry.is_symlink():
                    dirs.append(entry.name)
    except OSError:
        return None
    return tuple(files), tuple(dirs)


def _jsonl_under(
    root: Path, known: dict[str, Listing], seen: dict[str, Listing], now: int
) -> list[str]:
    found: list[str] = []
    stack = [str(root)]
    stat, sep = os.stat, os.sep
    while stack:
        folder = stack.pop()
        try:
            mtime = stat(folder).st_mtime_ns
        except OSError:
            continue
        listing = known.get(folder)
        if listing is None or listing[0] != mtime:
            listed = _list(folder)
            if listed is None:
                continue
            # a listing taken in the same clock tick as a change may miss it: not trusted
            listing = (mtime if now - mtime > RACY_NS else -1, *listed)
        seen[folder] = listing
        # os.path.join(folder, name), as a listed name is never empty and holds no sep
        prefix = folder if folder.endswith(sep) else folder + sep
        found += [prefix + name for name in listing[1]]
        stack += [prefix + name for name in listing[2]]
    return found


def log_paths(known: dict[str, Listing] | None = None) -> tuple[set[str], set[str]]:
    """The paths of every Claude Code and every Codex session log on this machine, in no
    order (:func:`log_files` sorts them).

    ``known``: directory listings of a previous walk (see the module's docstring); it is
    replaced by this walk's."""
    cache: dict[str, Listing] = {} if known is None else known
    seen: dict[str, Listing] = {}
    now = time.time_ns()
    claude = {p for root in claude_roots() for p in _jsonl_under(root, cache, seen, now)}
    codex = {p for root in codex_roots() for p in _jsonl_under(root, cache, seen, now)}
    if known is not None:
        known.clear()
        known.update(seen)
    return claude, codex


def log_files(known: dict[str, Listing] | None = None) -> list[LogFile]:
    """Every session log on this machine, in sorted path order (ccusage's tie-break).

    ``known``: as for :func:`log_paths`."""
    claude, codex = log_paths(known)
    return in_order(claude, "claude") + in_order(codex, "codex")


def misnamed(logs: list[LogFile]) -> tuple[list[LogFile], list[str]]:
    """``logs`` split into those the journal can name and the warnings for the others: a file
    name that is not UTF-8 (``os.fsdecode`` keeps such bytes as lone surrogates, which SQLite's
    UTF-8 text cannot hold) is skipped, and said each time, never read."""
    if all(log.path.isascii() for log in logs):
        return logs, []
    named, warnings = [], []
    for log in logs:
        try:
            log.path.encode()
        except UnicodeEncodeError:
            shown = os.fsencode(log.path).decode("utf-8", "backslashreplace")
            shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in shown)
            warnings.append(f"{shown}: skipped: its name is not UTF-8")
        else:
            named.append(log)
    return named, warnings


def in_order(paths: Iterable[str], source: str) -> list[LogFile]:
    """Logs of one source in sorted path order (Claude's come before Codex's)."""
    return [LogFile(path, source) for path in sorted(paths, key=_path_order)]


def _path_order(path: str) -> str:
    """The order of :class:`pathlib.Path` (component by component), without building one:
    ``a/b`` before ``a-c``, unlike the strings themselves. Each separator after the root is a
    NUL, which sorts before any character a name holds: a four times faster key than the
    list of components, in the same order (tests/test_locate_order.py)."""
    sep = os.sep
    if path.startswith(sep):
        return sep + path[1:].replace(sep, "\0")  # Path's root part, then the names
    return path.replace(sep, "\0")
