"""Whose a session is: the agent whose worktree of this clone contains the session's cwd."""

from __future__ import annotations

import functools
from pathlib import Path

from agent_focus.errors import FocusError
from agent_focus.journal.usage import Place


def place_for(root: Path) -> Place:
    """A function from a session's cwd to (agent, worktree name); (None, None) outside.
    The worktrees are listed on its first call, so a sum that needs no agent lists none
    (nor imports what lists them)."""

    @functools.cache
    def trees() -> list[tuple[Path, str | None]]:
        from agent_focus.readers.worktrees import seats

        try:
            found = seats(root, with_missing=True)
        except FocusError:
            found = []
        return sorted(
            ((seat.worktree.path.resolve(), seat.agent_id) for seat in found),
            key=lambda item: len(item[0].parts),
            reverse=True,  # the deepest worktree first: a worktree may sit inside another
        )

    @functools.cache
    def place(cwd: str | None) -> tuple[str | None, str | None]:
        if not cwd:
            return None, None
        path = Path(cwd)
        for tree, agent in trees():
            if path == tree or tree in path.parents:
                return agent, tree.name
        return None, None

    return place
