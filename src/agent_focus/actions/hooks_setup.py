"""`focus hooks install|uninstall|status`: our hooks in Claude Code's settings and Codex's
`notify`, merged losslessly.

Claude Code: `.claude/settings.local.json` of the worktree (this user's, not committed), or
`~/.claude/settings.json` with `--user` (every worktree at once). One matcher group per
event, holding `focus hook claude`; the status line when none is set. The file is written
back with its own indent, so every byte that is not ours stays. Codex: `notify` in
`~/.codex/config.toml`, through tomlkit (comments and order kept), unless another notify
command is set (Codex runs one). Installing twice changes nothing; uninstall removes ours
alone.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_focus.errors import FocusError

EVENTS = ("SessionStart", "UserPromptSubmit", "PostToolUse", "Notification", "Stop", "SubagentStop", "SessionEnd")  # fmt: skip
HOOK_COMMAND = "focus hook claude"
STATUS_COMMAND = "focus statusline"
CODEX_NOTIFY = ["focus", "hook", "codex"]


@dataclass
class HookChange:
    path: Path
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.path), "changes": self.changes, "notes": self.notes}


def claude_settings(root: Path, user: bool) -> Path:
    if user:
        base = os.environ.get("CLAUDE_CONFIG_DIR", "").split(",")[0].strip()
        return (Path(base).expanduser() if base else Path.home() / ".claude") / "settings.json"
    return root / ".claude" / "settings.local.json"


def codex_config() -> Path:
    return Path(os.environ.get("CODEX_HOME") or Path.home() / ".codex").expanduser() / "config.toml"


def _read_json(path: Path) -> tuple[dict[str, Any], int, bool]:
    """The settings, their indent and whether the file ended with a newline ({} if absent)."""
    if not path.exists():
        return {}, 2, True
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if text.strip() else {}
    except OSError as exc:
        raise FocusError(f"cannot read: {exc.strerror or exc}", path=path) from None
    except ValueError as exc:  # not UTF-8, not JSON
        raise FocusError(f"not valid JSON ({exc}); nothing changed", path=path) from None
    if not isinstance(data, dict):
        raise FocusError("is not a JSON object; nothing changed", path=path)
    indent = re.search(r"\n( +)\S", text)
    return data, len(indent.group(1)) if indent else 2, text.endswith("\n")


def _write_json(path: Path, data: dict[str, Any], indent: int, newline: bool) -> None:
    _write_atomically(
        path, json.dumps(data, indent=indent, ensure_ascii=False) + ("\n" if newline else "")
    )


def _write_atomically(path: Path, text: str) -> None:
    """Through a symlink to its target (a dotfiles link stays a link), via a temp file
    beside it, keeping the file's mode."""
    import shutil

    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.focus-tmp")
    temp.write_text(text, encoding="utf-8")
    if target.exists():
        shutil.copymode(target, temp)
    os.replace(temp, target)


def _ours(group: object) -> bool:
    hooks = group.get("hooks") if isinstance(group, dict) else None
    return isinstance(hooks, list) and any(
        isinstance(h, dict) and str(h.get("command", "")).startswith(HOOK_COMMAND) for h in hooks
    )


def install_claude(path: Path) -> HookChange:
    change = HookChange(path)
    data, indent, newline = _read_json(path)
    hooks = data.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise FocusError("'hooks' is not an object; nothing changed", path=path)
    for event in EVENTS:
        groups = hooks.setdefault(event, [])
        if not isinstance(groups, list):
            raise FocusError(f"hooks.{event} is not a list; nothing changed", path=path)
        if not any(_ours(g) for g in groups):
            entry = {"type": "command", "command": HOOK_COMMAND, "timeout": 10}
            groups.append({"matcher": "", "hooks": [entry]})
            change.changes.append(f"hook {event}")
    if "statusLine" not in data:
        data["statusLine"] = {"type": "command", "command": STATUS_COMMAND}
        change.changes.append("status line")
    elif (
        not isinstance(data["statusLine"], dict)
        or data["statusLine"].get("command") != STATUS_COMMAND
    ):
        change.notes.append("a status line of your own is set: left as it is")
    if change.changes:
        _write_json(path, data, indent, newline)
    return change


def uninstall_claude(path: Path) -> HookChange:
    change = HookChange(path)
    if not path.exists():
        return change
    data, indent, newline = _read_json(path)
    hooks = data.get("hooks")
    if isinstance(hooks, dict):
        for event in list(hooks):
            groups = hooks[event]
            if isinstance(groups, list) and any(_ours(g) for g in groups):
                hooks[event] = [g for g in groups if not _ours(g)]
                change.changes.append(f"hook {event}")
                if not hooks[event]:
                    del hooks[event]
        if not hooks:
            del data["hooks"]
    if (
        isinstance(data.get("statusLine"), dict)
        and data["statusLine"].get("command") == STATUS_COMMAND
    ):
        del data["statusLine"]
        change.changes.append("status line")
    if change.changes:
        if data:
            _write_json(path, data, indent, newline)
        else:
            path.unlink()  # it held ours alone
    return change


def claude_installed(path: Path) -> list[str]:
    """The events whose hook of ours is in ``path`` (and the status line)."""
    try:
        data, _indent, _newline = _read_json(path)
    except (FocusError, OSError):
        return []
    hooks = data.get("hooks")
    if not isinstance(hooks, dict):
        hooks = {}
    found = [e for e, groups in hooks.items() if isinstance(groups, list) and any(_ours(g) for g in groups)]  # fmt: skip
    status = data.get("statusLine")
    if isinstance(status, dict) and status.get("command") == STATUS_COMMAND:
        found.append("statusLine")
    return found


def install_codex(path: Path, remove: bool = False) -> HookChange:
    import tomlkit

    change = HookChange(path)
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise FocusError(f"not valid TOML ({exc}); nothing changed", path=path) from None
    current = document.get("notify")
    mine = current is not None and list(current) == CODEX_NOTIFY
    if remove:
        if mine:
            del document["notify"]
            change.changes.append("notify")
    elif current is None:
        document["notify"] = CODEX_NOTIFY
        change.changes.append("notify")
    elif not mine:
        change.notes.append(f"notify is already {list(current)}: Codex runs one; left as it is")
    if change.changes:
        _write_atomically(path, tomlkit.dumps(document))
    return change


def codex_installed(path: Path) -> bool:
    import tomlkit

    try:
        current = tomlkit.parse(path.read_text(encoding="utf-8")).get("notify")
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError):
        return False
    return current is not None and list(current) == CODEX_NOTIFY
