"""Every agent of the clone, one row each: `focus agents`, `status --all`, the dashboard.

Imports no action: the human `status --all` must not load the planner."""

from __future__ import annotations

from rich.console import RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from agent_focus.readers.worktrees import AgentSeat


def agents_view(seats: list[AgentSeat]) -> RenderableType:
    if not seats:
        return Text("No agent worktrees yet: `focus agents add A1`.", style="dim")
    table = Table(header_style="bold", box=None, padding=(0, 1))
    columns = (
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
        "now",
    )
    for column in columns:
        table.add_column(column, justify="right" if column in ("today", "task") else "left")
    for seat in seats:
        report = seat.status
        if report is None:
            table.add_row(
                seat.agent_id or "-",
                "",
                seat.worktree.path.name,
                seat.worktree.branch or "-",
                "",
                "",
                "",
                "",
                "",
                "",
                Text(seat.error or "", style="red"),
            )
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
            today, task, current[:48],
        )  # fmt: skip
    return table


def _money(value: float | None) -> str:
    return "?" if value is None else f"${value:,.2f}"
