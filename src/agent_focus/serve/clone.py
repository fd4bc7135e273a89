"""The clone a server watches: its worktrees' agents (cached until something changes), the
workspace of one agent for a write, and focus.yaml as it is now."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_focus.readers.workspace import FOCUS_FILE_NAME, Workspace, state_dir
from agent_focus.serve.stream import Broadcaster

if TYPE_CHECKING:
    from agent_focus.config import FocusConfig
    from agent_focus.readers.worktrees import AgentSeat

SEATS_TTL = 2.0  # seconds the agents' files are served again, unless an event came meanwhile
OVERLAPS_TTL = 5.0  # seconds the file overlaps (three git calls a worktree) are served again


class UnknownAgentError(LookupError):
    """No worktree of this clone holds that agent (404)."""


@dataclass
class Clone:
    """What one `focus serve` answers about: the clone of ``root``.

    The agents are read in three parts, each as often as it can change: their focus files
    and spend (again after any journal event, else every :data:`SEATS_TTL` s; what is new
    in the agents' logs read first, as `focus status` does), their live
    states (kept by the broadcaster, event by event, never re-read) and their file overlaps
    (git, every :data:`OVERLAPS_TTL` s)."""

    root: Path
    broadcaster: Broadcaster
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _base: tuple[int, float, list[Any]] | None = None  # (generation, when, seats)
    _overlaps: tuple[float, dict[str, Any]] | None = None  # (when, overlaps)

    @classmethod
    def at(cls, root: Path) -> Clone:
        return cls(root, Broadcaster(state_dir(root)))

    @property
    def state_dir(self) -> Path:
        return self.broadcaster.folder

    def _fresh(self) -> list[AgentSeat] | None:
        cached = self._base
        if (
            cached
            and cached[0] == self.broadcaster.generation
            and time.monotonic() - cached[1] < SEATS_TTL
        ):
            return list(cached[2])
        return None

    def _read(self) -> tuple[list[AgentSeat], dict[str, Any]]:
        from agent_focus.readers.overlaps import find_overlaps
        from agent_focus.readers.workspace import current_branch, main_worktree_root
        from agent_focus.readers.worktrees import seats

        with self._lock:  # one reader at a time; the others take its answer
            found = self._fresh()
            if found is None:
                from agent_focus.actions.catch_up import catch_up

                catch_up(self.root, self.state_dir)  # the agents' spend of now (every 2 s)
                generation, started = self.broadcaster.generation, time.monotonic()
                found = seats(self.root)
                self._base = (generation, started, found)
            overlaps = self._overlaps
            if overlaps is None or time.monotonic() - overlaps[0] > OVERLAPS_TTL:
                base = current_branch(main_worktree_root(self.root))
                overlaps = (time.monotonic(), find_overlaps(found, base))
                self._overlaps = overlaps
            return found, overlaps[1]

    def seats(self) -> list[AgentSeat]:
        """Every agent of the clone with its live state and overlaps, as `status --all`."""
        from agent_focus.readers.worktrees import live_seats

        found, overlaps = self._read()
        return live_seats(found, self.broadcaster.states, overlaps, self.state_dir)

    def forget(self) -> None:
        """Drop the cached agents (after a write of ours)."""
        self._base = None

    def seat(self, agent: str) -> AgentSeat:
        for seat in self.seats():
            if seat.agent_id and seat.agent_id.upper() == agent.upper():
                return seat
        raise UnknownAgentError(agent)

    def workspace(self, agent: str) -> Workspace:
        """The workspace of ``agent``'s worktree, as the CLI run there would resolve it."""
        seat = self.seat(agent)
        path = seat.worktree.path
        return Workspace(path, path / FOCUS_FILE_NAME, seat.agent_id)

    def config(self) -> FocusConfig:
        from agent_focus.config import load_config

        return load_config(self.root)

    def agent_ids(self) -> list[str]:
        return [seat.agent_id for seat in self.seats() if seat.agent_id]
