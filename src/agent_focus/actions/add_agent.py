"""`focus agents add`: a new agent's worktree, branch, focus file and `.agent.env`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_focus.actions.init import InitResult, init_agent
from agent_focus.config import load_config
from agent_focus.errors import AlreadyExistsError, FocusError
from agent_focus.readers.git import add_worktree
from agent_focus.readers.strategy import read_strategy
from agent_focus.readers.workspace import FOCUS_FILE_NAME, Workspace, main_worktree_root


@dataclass(frozen=True)
class NewSeat:
    path: Path
    branch: str
    created_branch: bool
    init: InitResult
    hooks: Path | None = None  # the settings file our hooks went into, when asked

    def to_json(self) -> dict[str, Any]:
        return {
            "worktree": str(self.path),
            "branch": self.branch,
            "created_branch": self.created_branch,
            "agent": self.init.agent_id,
            "hooks": str(self.hooks) if self.hooks else None,
        }


def add_agent_worktree(workspace: Workspace, agent_id: str) -> NewSeat:
    """Create the worktree the strategy names for ``agent_id`` (a sibling of the main
    checkout), its branch, its focus file and its ``.agent.env``."""
    main = main_worktree_root(workspace.root)
    opted_in = load_config(main).hooks  # a broken focus.yaml stops us before anything is made
    agent = read_strategy(workspace.strategy_file).agent(agent_id)
    name = agent.worktree or f"wt-{agent.id.lower()}"
    branch = agent.fields.get("branch") or f"agent/{agent.id.lower()}"
    target = main.parent / name
    if target.exists():
        raise AlreadyExistsError(
            "already exists; pick another Worktree: in the strategy or remove it", path=target
        )
    created = add_worktree(main, target, branch)
    # The new worktree's own strategy copy, else the main checkout's.
    init = init_agent(Workspace(target, target / FOCUS_FILE_NAME, agent.id), agent.id)
    hooks = None
    if opted_in:  # `hooks: true` in focus.yaml
        from agent_focus.actions.hooks_setup import claude_settings, install_claude

        try:
            hooks = install_claude(claude_settings(target, user=False)).path
        except FocusError as exc:  # the worktree stands; say why the hooks are not in
            init.notes.append(f"hooks not installed: {exc}")
    return NewSeat(target, branch, created, init, hooks)
