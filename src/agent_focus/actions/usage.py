"""`focus usage`: read what is new in the agents' logs, then sum every model call of the
clone by the key asked for; `--by task` charges each task its share (journal.task_cost)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from agent_focus.actions.catch_up import overrides_of
from agent_focus.ingest.report import IngestReport
from agent_focus.ingest.run import Progress, ingest_logs
from agent_focus.journal.effectiveness import agent_effectiveness
from agent_focus.journal.usage import Tally, UsageReport, usage_report
from agent_focus.readers.attribution import place_for
from agent_focus.readers.workspace import Workspace

if TYPE_CHECKING:
    from agent_focus.ingest.locate import LogFile


class UsageOutcome(NamedTuple):
    report: UsageReport
    ingest: IngestReport | None
    effectiveness: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.report.to_json(),
            "effectiveness": self.effectiveness,
            "ingest": self.ingest.to_json() if self.ingest else None,
        }


def read_agent_logs(
    workspace: Workspace,
    progress: Progress | None = None,
    files: list[LogFile] | None = None,
    *,
    again: bool = False,
    waiting: Callable[[], None] | None = None,
) -> IngestReport:
    """Bring the journal up to date with every agent log on this machine (``again``: every
    log read again whole, priced anew). focus.yaml (and pydantic with it) is read only when
    some log has something new to price."""

    return ingest_logs(
        workspace.state_dir,
        overrides_of(workspace.root),
        files,
        progress,
        again=again,
        waiting=waiting,
    )


def _by_task(workspace: Workspace) -> UsageReport:
    from agent_focus.journal.task_cost import task_costs
    from agent_focus.readers.worktrees import seats

    place = place_for(workspace.root)
    rows: list[dict[str, Any]] = []
    total = Tally()  # every task's calls: its dollars summed exactly, not the rounded rows
    for seat in seats(workspace.root):
        if seat.status is None or seat.agent_id is None:
            continue
        rows += task_costs(workspace.state_dir, seat.agent_id, seat.status.ticks, place, total)
    return UsageReport("task", total.usage(), rows)


def agent_usage(
    workspace: Workspace,
    by: str,
    since: datetime | None = None,
    until: datetime | None = None,
    ingest: IngestReport | None = None,
) -> UsageOutcome:
    """The usage of every agent of the clone (ingest first: pass its report)."""
    if by == "task":
        report = _by_task(workspace)
    else:
        report = usage_report(workspace.state_dir, by, place_for(workspace.root), since, until)
    return UsageOutcome(report, ingest, agent_effectiveness(workspace.state_dir))
