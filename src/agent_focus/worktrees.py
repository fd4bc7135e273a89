"""Every worktree of this clone and the agent working in each: `focus agents`, `status --all`.

One `git worktree list --porcelain` call (the git binary, not GitPython: this path must
stay fast for 50 worktrees), then each worktree's focus file is read as `focus status` does.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from agent_focus.errors import AlreadyExistsError, FocusError
from agent_focus.onboarding import InitResult, init_agent
from agent_focus.status import StatusReport, load_status
from agent_focus.strategy import read_strategy
from agent_focus.workspace import (
    FOCUS_FILE_NAME,
    main_worktree_root,
    read_agent_env,
    strategy_path,
)


@dataclass(frozen=True)
class Worktree:
    path: Path
    branch: str | None  # None when detached
    head: str | None


@dataclass(frozen=True)
class AgentSeat:
    """A worktree and what its focus file says (or why it could not be read)."""

    worktree: Worktree
    agent_id: str | None
    status: StatusReport | None
    error: str | None

    def to_json(self) -> dict[str, object]:
        base: dict[str, object] = {
            "worktree": str(self.worktree.path),
            "branch": self.worktree.branch,
        }
        if self.status is not None:
            return {**self.status.to_json(), **base}
        return {**base, "agent": {"id": self.agent_id, "role": None}, "error": self.error}


def list_worktrees(root: Path) -> list[Worktree]:
    """The worktrees of the clone ``root`` belongs to, the main one first."""
    try:
        done = subprocess.run(
            ["git", "worktree", "list", "--porcelain"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise FocusError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        raise FocusError(
            f"not inside a git repository ({done.stderr.strip() or 'git worktree list failed'})",
            path=root,
        )
    found: list[Worktree] = []
    fields: dict[str, str] = {}
    for line in [*done.stdout.splitlines(), ""]:
        if line:
            key, _, value = line.partition(" ")
            fields[key] = value
            continue
        if "worktree" in fields and "bare" not in fields:
            branch = fields.get("branch", "").removeprefix("refs/heads/") or None
            found.append(Worktree(Path(fields["worktree"]), branch, fields.get("HEAD")))
        fields = {}
    return found


def seats(root: Path, *, with_missing: bool = False) -> list[AgentSeat]:
    """Each worktree's agent. Worktrees without a focus file only when ``with_missing``."""
    result = []
    for tree in list_worktrees(root):
        path = tree.path / FOCUS_FILE_NAME
        env_id = read_agent_env(tree.path).get("AGENT_ID")
        if not path.exists():
            if with_missing:
                result.append(
                    AgentSeat(
                        tree, env_id, None, f"no {FOCUS_FILE_NAME} (`focus init --agent A1` there)"
                    )
                )
            continue
        try:
            report = load_status(path)
        except FocusError as exc:
            result.append(AgentSeat(tree, env_id, None, str(exc)))
            continue
        result.append(AgentSeat(tree, report.agent.id or env_id, report, None))
    return result


@dataclass(frozen=True)
class NewSeat:
    path: Path
    branch: str
    created_branch: bool
    init: InitResult


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)


def add_agent_worktree(root: Path, agent_id: str) -> NewSeat:
    """Create the worktree the strategy names for ``agent_id`` (a sibling of the main
    checkout), its branch, its focus file and its ``.agent.env``."""
    main = main_worktree_root(root)
    strategy_file = strategy_path(None, root)
    agent = read_strategy(strategy_file).agent(agent_id)
    name = agent.worktree or f"wt-{agent.id.lower()}"
    branch = agent.fields.get("branch") or f"agent/{agent.id.lower()}"
    target = main.parent / name
    if target.exists():
        raise AlreadyExistsError(
            "already exists; pick another Worktree: in the strategy or remove it", path=target
        )
    exists = _git(main, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").returncode == 0
    command = (
        ["worktree", "add", str(target), branch]
        if exists
        else ["worktree", "add", "-b", branch, str(target)]
    )
    done = _git(main, *command)
    if done.returncode != 0:
        raise FocusError(
            f"git {' '.join(command)} failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
        )
    init = init_agent(
        agent.id,
        target / FOCUS_FILE_NAME,
        target,
        strategy_path(None, target),  # the worktree's own copy, else the main checkout's
    )
    return NewSeat(target, branch, not exists, init)
