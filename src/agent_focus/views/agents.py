"""Every agent of the clone, one row each: `focus agents`, `status --all`, the dashboard.

Waiting agents (they need the human) are highlighted with how long they have waited, and
come first when asked. Imports no action: the human `status --all` must not load the planner.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from agent_focus.journal.dollars import money
from agent_focus.readers.worktrees import AgentSeat

STATE_STYLE = {"working": "green", "waiting": "bold white on red", "idle": "yellow", "ended": "dim", "unknown": "dim"}  # fmt: skip


def waited(since: datetime | None) -> str:
    """How long ago, briefly: 45s, 12m, 3h, 2d."""
    if since is None:
        return ""
    seconds = max(int((datetime.now().astimezone() - since).total_seconds()), 0)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _state_cell(seat: AgentSeat) -> Text:
    state = seat.state
    if state is None:
        return Text("")
    label = state.name + (f" {waited(state.since)}" if state.since else "")
    return Text(label, style=STATE_STYLE.get(state.name, ""))


def _overlap_cell(seat: AgentSeat) -> Text:
    if not seat.overlaps:
        return Text("")
    shared = "; ".join(f"{o['agent']}: {', '.join(o['files'][:2])}" for o in seat.overlaps)  # type: ignore[index]
    return Text(f"⚠ {shared}"[:60], style="bold yellow")


def agents_view(seats: list[AgentSeat], waiting_first: bool = False) -> RenderableType:
    if not seats:
        return Text("No agent worktrees yet: `focus agents add A1`.", style="dim")
    if waiting_first:
        seats = sorted(seats, key=lambda s: not (s.state is not None and s.state.name == "waiting"))
    live = any(s.state is not None for s in seats)
    overlaps = any(s.overlaps for s in seats)
    table = Table(header_style="bold", box=None, padding=(0, 1))
    columns = [
        "agent",
        "role",
        "worktree",
        "branch",
        "sprint",
        "",
        "portfolio",
        "",
        "today",
        "task",
    ]
    columns += ["state"] if live else []
    columns += ["now"] + (["overlaps"] if overlaps else [])
    for column in columns:
        table.add_column(column, justify="right" if column in ("today", "task") else "left")
    for seat in seats:
        extra = [_state_cell(seat)] if live else []
        tail = [_overlap_cell(seat)] if overlaps else []
        report = seat.status
        if report is None:
            name = [seat.agent_id or "-", "", seat.worktree.path.name, seat.worktree.branch or "-"]
            table.add_row(*name, *[""] * 6, *extra, Text(seat.error or "", style="red"), *tail)
            continue
        current = next((t.title for t in report.tasks if not t.done), "")
        total_t, total_p = len(report.tasks), len(report.portfolio)
        spend = report.spend
        today = _money(spend.today_usd) if spend else ""
        task = _money(spend.task_usd) if spend else ""
        table.add_row(
            report.agent.id or "-", report.agent.role or "", seat.worktree.path.name, seat.worktree.branch or "-",
            ProgressBar(total=max(total_t, 1), completed=report.tasks_done if total_t else 0, width=12), f"{report.tasks_done}/{total_t}",
            ProgressBar(total=max(total_p, 1), completed=report.portfolio_done if total_p else 0, width=12), f"{report.portfolio_done}/{total_p}",
            today, task, *extra, current[:48], *tail,
        )  # fmt: skip
    return table


def _money(value: float | None) -> str:
    return "?" if value is None else money(value)
