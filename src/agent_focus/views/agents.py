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
    for column in ("agent", "role", "worktree", "branch", "sprint", "", "portfolio", "", "now"):
        table.add_column(column)
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
                Text(seat.error or "", style="red"),
            )
            continue
        current = next((t.title for t in report.tasks if not t.done), "")
        total_t, total_p = len(report.tasks), len(report.portfolio)
        table.add_row(
            report.agent.id or "-", report.agent.role or "", seat.worktree.path.name, seat.worktree.branch or "-",
            ProgressBar(total=max(total_t, 1), completed=report.tasks_done if total_t else 0, width=12), f"{report.tasks_done}/{total_t}",
            ProgressBar(total=max(total_p, 1), completed=report.portfolio_done if total_p else 0, width=12), f"{report.portfolio_done}/{total_p}",
            current[:48],
        )  # fmt: skip
    return table
