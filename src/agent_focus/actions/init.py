"""``focus init``: a new agent's focus file and ``.agent.env``, never overwriting either."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_focus.errors import AlreadyExistsError, FocusError, StrategyError
from agent_focus.focusfile.template import render_focus_file
from agent_focus.journal.events import EventKind, journal
from agent_focus.readers.git import is_ignored
from agent_focus.readers.portfolio import file_exists
from agent_focus.readers.strategy import AgentStrategy, read_strategy
from agent_focus.readers.workspace import AGENT_ENV_NAME, Workspace, current_branch, read_agent_env

AGENT_ID_RE = re.compile(r"^[A-Za-z]{1,8}\d{1,3}$")


@dataclass
class InitResult:
    focus_file: Path
    agent_id: str
    agent: AgentStrategy | None
    wrote_env: bool
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.focus_file),
            "agent": {"id": self.agent_id, "role": self.agent.target if self.agent else None},
            "wrote_agent_env": self.wrote_env,
            "notes": self.notes,
        }


def _ignore_agent_env(root: Path) -> str | None:
    """Add ``.agent.env`` to the worktree's .gitignore unless git already ignores it."""
    if not (root / ".git").exists() or is_ignored(root, AGENT_ENV_NAME) is not False:
        return None
    gitignore = root / ".gitignore"
    text = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    prefix = "" if not text or text.endswith("\n") else "\n"
    with gitignore.open("a", encoding="utf-8") as handle:
        handle.write(f"{prefix}{AGENT_ENV_NAME}\n")
    return f"added {AGENT_ENV_NAME} to {gitignore}"


def _place(workspace: Workspace, agent: AgentStrategy | None, notes: list[str]) -> dict[str, str]:
    """Where the file really is: its worktree and branch, over what the strategy names."""
    if not (workspace.root / ".git").exists():
        return {}
    place = {"worktree": workspace.name}
    branch = current_branch(workspace.root)
    if branch:
        place["branch"] = branch
    if agent is not None and agent.worktree and agent.worktree != workspace.name:
        notes.append(
            f"this checkout is {workspace.name}, not {agent.worktree} as the strategy says: "
            f"wrote where the file really is; `focus agents add {agent.id}` creates the "
            "agent's own worktree and branch"
        )
    return place


def init_agent(workspace: Workspace, agent_id: str) -> InitResult:
    """Create the workspace's focus file for ``agent_id``, and ``.agent.env`` beside it."""
    focus_file, root = workspace.focus_file, workspace.root
    if not AGENT_ID_RE.match(agent_id):
        raise FocusError(f"agent id {agent_id!r} should look like A1, A2, ...")
    agent_id = agent_id.upper()
    if focus_file.exists():
        raise AlreadyExistsError(
            "already exists; focus init never overwrites it (edit it, or pass --file)",
            path=focus_file,
        )
    env = read_agent_env(root)
    if env.get("AGENT_ID") and env["AGENT_ID"].upper() != agent_id:
        raise FocusError(
            f"says AGENT_ID={env['AGENT_ID']}, not {agent_id}; nothing written",
            path=root / AGENT_ENV_NAME,
        )
    notes: list[str] = []
    agent: AgentStrategy | None = None
    strategy_file = workspace.strategy_file
    if strategy_file.exists():
        strategy = read_strategy(strategy_file)
        try:
            agent = strategy.agent(agent_id)
        except StrategyError as exc:
            notes.append(f"{exc}; wrote an empty skeleton")
    else:
        notes.append(f"no strategy at {strategy_file}; wrote an empty skeleton")

    text = render_focus_file(
        agent_id, agent, functools.partial(file_exists, root), _place(workspace, agent, notes)
    )
    try:
        fd = os.open(focus_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise AlreadyExistsError("already exists; nothing written", path=focus_file) from None
    except OSError as exc:
        raise FocusError(f"cannot create: {exc.strerror}", path=focus_file) from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)

    wrote_env = False
    if not env.get("AGENT_ID"):
        role = agent.target if agent and agent.target else ""
        env_path = root / AGENT_ENV_NAME
        existing = env_path.read_text(encoding="utf-8") if env_path.exists() else ""
        sep = "" if not existing or existing.endswith("\n") else "\n"
        env_path.write_text(
            f'{existing}{sep}AGENT_ID={agent_id}\nAGENT_ROLE="{role}"\n', encoding="utf-8"
        )
        wrote_env = True
    ignored = _ignore_agent_env(root)
    if ignored:
        notes.append(ignored)
    journal(
        Workspace(root, focus_file, agent_id),
        EventKind.INIT,
        {"role": agent.target if agent else None, "file": focus_file.name},
    )
    return InitResult(focus_file, agent_id, agent, wrote_env, notes)
