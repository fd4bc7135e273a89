"""`focus dashboard`: every agent of the clone, live, in one terminal.

The state re-reads only what changed since the last refresh: a focus file when its mtime
or size moved, the journal from the last event id seen, the usage totals when a new LLM
call was logged, and the worktree list every few seconds. SLO state comes from the latest
`update` or `slo` event of each agent, shown with its time: the dashboard itself never
polls the services.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent_focus.journal.calls import latest_call_id, usage_summary
from agent_focus.journal.events import Event, EventKind, describe, read_events
from agent_focus.journal.spend import read_one
from agent_focus.journal.state import UNKNOWN, AgentState, advance
from agent_focus.readers.git import Worktree, list_worktrees
from agent_focus.readers.overlaps import find_overlaps
from agent_focus.readers.status import with_spend
from agent_focus.readers.workspace import (
    FOCUS_FILE_NAME,
    current_branch,
    main_worktree_root,
    state_dir,
)
from agent_focus.readers.worktrees import AgentSeat, read_seat

WORKTREE_RESCAN_SECONDS = 5.0


@dataclass
class DashboardState:
    root: Path
    events: deque[Event] = field(default_factory=lambda: deque(maxlen=12))
    seats: dict[Path, AgentSeat] = field(default_factory=dict)
    slos: dict[str, tuple[datetime, list[dict[str, Any]]]] = field(default_factory=dict)
    usage: list[dict[str, Any]] = field(default_factory=list)
    states: dict[str, AgentState] = field(default_factory=dict)  # from the agents' hooks
    overlaps: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    parses: int = 0  # focus files parsed: the test of "re-read only what changed"
    _stamps: dict[Path, tuple[int, int]] = field(default_factory=dict)
    _worktrees: list[Worktree] = field(default_factory=list)
    _scanned_at: float = 0.0
    _last_event: int = 0
    _last_call: int = -1
    catch_up: Callable[[Path, Path], None] | None = None  # reads the agents' new log lines
    _generation: tuple[Any, date] | None = None  # the calls' count of changes, and the day
    _spend_read: bool = False

    @property
    def folder(self) -> Path:
        return state_dir(self.root)

    def refresh(self) -> bool:
        """Bring the state up to date; True when anything shown changed."""
        if self.catch_up is not None:  # first: the seats read below have the spend of now
            self.catch_up(self.root, self.folder)
        # the calls' count of changes before the seats are read: one made meanwhile is seen
        # next time; and the day, since "today" turns at midnight without any change
        generation = (read_one(self.folder, "SELECT n FROM usage_generation", ()), date.today())
        changed = rescanned = False
        if not self._worktrees or time.monotonic() - self._scanned_at > WORKTREE_RESCAN_SECONDS:
            rescanned = True
            trees = list_worktrees(self.root)
            self._scanned_at = time.monotonic()
            if trees != self._worktrees:
                self._worktrees = trees
                for gone in set(self.seats) - {t.path for t in trees}:
                    del self.seats[gone]
                    changed = True
        for tree in self._worktrees:
            changed |= self._refresh_seat(tree)
        if changed or rescanned:
            base = current_branch(main_worktree_root(self.root))
            self.overlaps = find_overlaps(list(self.seats.values()), base)
        for event in read_events(self.folder, after=self._last_event):
            self._last_event = event.id
            self.events.append(event)
            advance(self.states, event)
            if event.kind in (EventKind.UPDATE, EventKind.SLO):
                results = event.payload.get("slos") or event.payload.get("results") or []
                if results:
                    self.slos[event.agent or "?"] = (event.at, results)
            changed = True
        last_call = latest_call_id(self.folder)
        if last_call != self._last_call:
            self._last_call = last_call
            self.usage = usage_summary(self.folder, "provider")
            changed = True
        return self._refresh_spend(generation) or changed

    def _refresh_spend(self, generation: tuple[Any, date]) -> bool:
        """Each agent's spend read again when the journal's calls changed (:attr:`catch_up`
        reads what the agents did since, every 2 s at most, at each refresh)."""
        previous, self._generation = self._generation, generation
        if not self._spend_read or generation == previous:
            self._spend_read = True
            return False  # (on the first refresh the seats were just read, spend and all)
        for path, seat in list(self.seats.items()):
            if seat.status is not None:
                self.seats[path] = dataclasses.replace(seat, status=with_spend(seat.status))
        return True

    def _refresh_seat(self, tree: Worktree) -> bool:
        path = tree.path / FOCUS_FILE_NAME
        try:
            st = path.stat()
        except FileNotFoundError:
            if tree.path in self.seats:
                del self.seats[tree.path]
                self._stamps.pop(path, None)
                return True
            return False
        stamp = (st.st_mtime_ns, st.st_size)
        if self._stamps.get(path) == stamp:
            return False
        self._stamps[path] = stamp
        self.parses += 1
        seat = read_seat(tree)
        if seat is None:  # gone between the stat and the read
            self.seats.pop(tree.path, None)
        else:
            self.seats[tree.path] = seat
        return True


def dashboard_view(state: DashboardState) -> RenderableType:
    from agent_focus.views.agents import agents_view
    from agent_focus.views.usage import planner_table

    now = datetime.now().astimezone().strftime("%H:%M:%S")
    seats = [
        dataclasses.replace(
            seat,
            state=state.states.get(seat.agent_id, UNKNOWN) if seat.agent_id else None,
            overlaps=state.overlaps.get(seat.agent_id or "", []),
        )
        for seat in (state.seats[t] for t in sorted(state.seats))
    ]
    header = Text.assemble(
        ("agent-focus dashboard", "bold"),
        f"  {state.root.name}  ",
        (now, "dim"),
        ("   Ctrl-C to quit", "dim"),
    )
    slo_table = Table(box=None, padding=(0, 2), header_style="bold")
    for column in ("agent", "SLO", "value", "status", "as of"):
        slo_table.add_column(column)
    for agent, (when, results) in sorted(state.slos.items()):
        for result in results:
            status = result.get("status", "")
            value = result.get("value")
            slo_table.add_row(
                agent, result.get("name", ""), "NO DATA" if value is None else f"{value:.4g}",
                Text(status, style={"met": "green", "violated": "bold red"}.get(status, "yellow")),
                when.astimezone().strftime("%H:%M"),
            )  # fmt: skip
    events = Table(box=None, padding=(0, 1), show_header=False)
    for event in reversed(state.events):
        events.add_row(
            Text(event.at.astimezone().strftime("%H:%M:%S"), style="dim"),
            event.agent or "?",
            event.kind,
            describe(event),
        )
    return Group(
        header,
        Panel(agents_view(seats, waiting_first=True), title="Agents", title_align="left"),
        Panel(
            slo_table
            if state.slos
            else Text(
                "No SLO results yet: `focus update` or `focus slo` in a worktree.", style="dim"
            ),
            title="SLOs (latest per agent)",
            title_align="left",
        ),
        Panel(
            events if state.events else Text("No events yet.", style="dim"),
            title="Recent events",
            title_align="left",
        ),
        Panel(planner_table(state.usage, "provider"), title="Providers", title_align="left"),
    )


def run_dashboard(
    root: Path, interval: float, catch_up: Callable[[Path, Path], None] | None = None
) -> None:
    """Full-screen and live until Ctrl-C."""
    from rich.live import Live

    state = DashboardState(root, catch_up=catch_up)
    try:  # Ctrl-C is the way out, at any moment: even during the first paint
        state.refresh()
        with Live(dashboard_view(state), screen=True, auto_refresh=False) as live:
            while True:
                time.sleep(interval)
                if state.refresh():
                    live.update(dashboard_view(state), refresh=True)
    except KeyboardInterrupt:
        return
