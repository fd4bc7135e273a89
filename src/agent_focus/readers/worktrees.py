"""Every worktree of this clone and the agent working in each: `focus agents`, `status --all`.

One `git worktree list` call (readers.git), then each worktree's focus file is read as
`focus status` does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent_focus.errors import FocusError
from agent_focus.readers.git import Worktree, list_worktrees
from agent_focus.readers.status import StatusReport, load_status, with_spend
from agent_focus.readers.workspace import FOCUS_FILE_NAME, read_agent_env

if TYPE_CHECKING:
    from agent_focus.journal.state import AgentState


@dataclass(frozen=True)
class AgentSeat:
    """A worktree and what its focus file says (or why it could not be read)."""

    worktree: Worktree
    agent_id: str | None
    status: StatusReport | None
    error: str | None
    state: AgentState | None = None  # from its hooks (journal.state); None: not asked
    overlaps: list[dict[str, object]] | None = None  # files shared with other agents
    last_tests: dict[str, object] | None = None  # its latest test run (with its state)

    def to_json(self) -> dict[str, object]:
        base: dict[str, object] = {
            "worktree": str(self.worktree.path),
            "branch": self.worktree.branch,
        }
        if self.state is not None:  # live: state, overlaps and the last test run (or null)
            base["state"] = self.state.to_json()
            base["last_tests"] = self.last_tests
        if self.overlaps is not None:
            base["overlaps"] = self.overlaps
        if self.status is not None:
            return {**self.status.to_json(), **base}
        return {**base, "agent": {"id": self.agent_id, "role": None}, "error": self.error}


def read_seat(tree: Worktree) -> AgentSeat | None:
    """The agent of one worktree; None when it has no focus file."""
    path = tree.path / FOCUS_FILE_NAME
    if not path.exists():
        return None
    try:
        report = with_spend(load_status(path))
    except FocusError as exc:
        return AgentSeat(tree, read_agent_env(tree.path).get("AGENT_ID"), None, str(exc))
    return AgentSeat(tree, report.agent.id, report, None)


def seats(root: Path, *, with_missing: bool = False, live: bool = False) -> list[AgentSeat]:
    """Each worktree's agent. Worktrees without a focus file only when ``with_missing``;
    with ``live``, each agent's state (from its hooks) and its file overlaps too."""
    result = []
    for tree in list_worktrees(root):
        seat = read_seat(tree)
        if seat is None and with_missing:
            seat = AgentSeat(
                tree,
                read_agent_env(tree.path).get("AGENT_ID"),
                None,
                f"no {FOCUS_FILE_NAME} (`focus init --agent A1` there)",
            )
        if seat is not None:
            result.append(seat)
    return with_live_state(root, result) if live else result


def with_live_state(root: Path, found: list[AgentSeat]) -> list[AgentSeat]:
    """The seats with each agent's state and file overlaps."""
    from agent_focus.journal.state import current_states
    from agent_focus.readers.overlaps import find_overlaps
    from agent_focus.readers.workspace import current_branch, main_worktree_root, state_dir

    folder = state_dir(root)
    overlaps = find_overlaps(found, current_branch(main_worktree_root(root)))
    return live_seats(found, current_states(folder), overlaps, folder)


def live_seats(
    found: list[AgentSeat],
    states: dict[str, AgentState],
    overlaps: dict[str, list[dict[str, object]]],
    folder: Path,
) -> list[AgentSeat]:
    """The seats with the states, overlaps and latest test runs given (or read)."""
    from agent_focus.journal.state import UNKNOWN, last_test_runs

    tests = last_test_runs(folder)
    return [
        dataclasses.replace(
            seat,
            state=states.get(seat.agent_id, UNKNOWN) if seat.agent_id else None,
            overlaps=overlaps.get(seat.agent_id, []) if seat.agent_id else None,
            last_tests=tests.get(seat.agent_id) if seat.agent_id else None,
        )
        for seat in found
    ]
