"""File overlaps: which agents change the same files, so a merge conflict is seen coming.

For each agent's worktree, the files its branch and its uncommitted work change since the
common base with the main checkout's branch (readers.git.changed_files); every pair of
agents that share files is an overlap. The files every agent's set-up changes (OWN_FILES)
do not count.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

from agent_focus.readers.git import changed_files
from agent_focus.readers.workspace import AGENT_ENV_NAME, FOCUS_FILE_NAME

if TYPE_CHECKING:
    from agent_focus.readers.worktrees import AgentSeat

# Files every agent's set-up touches: its focus file and env, the .gitignore line `focus
# init` adds, the hooks `focus hooks install` writes.
OWN_FILES = {FOCUS_FILE_NAME, AGENT_ENV_NAME, ".gitignore", ".claude/settings.local.json"}


def find_overlaps(seats: list[AgentSeat], base: str | None) -> dict[str, list[dict[str, object]]]:
    """{agent: [{"agent": other, "files": [...]}]} for every agent whose changes meet
    another's since the common base with branch ``base``; agents without overlaps map to []."""
    agents = [s for s in seats if s.agent_id]
    if len(agents) < 2:
        return {s.agent_id: [] for s in agents if s.agent_id}
    changes = {
        seat.agent_id: changed_files(seat.worktree.path, base) - OWN_FILES for seat in agents
    }
    found: dict[str, list[dict[str, object]]] = {a: [] for a in changes if a}
    for (one, mine), (other, theirs) in combinations(changes.items(), 2):
        shared = sorted(mine & theirs)
        if shared and one and other:
            found[one].append({"agent": other, "files": shared})
            found[other].append({"agent": one, "files": shared})
    return found
