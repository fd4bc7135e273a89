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

SEATS_TTL = 2.0  # seconds a list of agents is served again, unless an event came meanwhile


class UnknownAgentError(LookupError):
    """No worktree of this clone holds that agent (404)."""


@dataclass
class Clone:
    """What one `focus serve` answers about: the clone of ``root``."""

    root: Path
    broadcaster: Broadcaster
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seats: tuple[int, float, list[Any]] | None = None  # (generation, when, seats)

    @classmethod
    def at(cls, root: Path) -> Clone:
        return cls(root, Broadcaster(state_dir(root)))

    @property
    def state_dir(self) -> Path:
        return self.broadcaster.folder

    def seats(self) -> list[AgentSeat]:
        """Every agent of the clone with its live state and overlaps, as `status --all`.

        Served from memory for :data:`SEATS_TTL` seconds unless a journal event came since
        (a tick, a plan, a hook): then read again, so a change shows at once."""
        from agent_focus.readers.worktrees import seats

        generation = self.broadcaster.generation
        cached = self._seats
        if cached and cached[0] == generation and time.monotonic() - cached[1] < SEATS_TTL:
            return cached[2]
        with self._lock:  # one reader at a time; the others take its answer
            cached = self._seats
            if cached and cached[0] == generation and time.monotonic() - cached[1] < SEATS_TTL:
                return cached[2]
            started = time.monotonic()
            found = seats(self.root, live=True)
            self._seats = (generation, started, found)
            return found

    def forget(self) -> None:
        """Drop the cached agents (after a write of ours)."""
        self._seats = None

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
