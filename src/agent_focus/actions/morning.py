"""`focus morning` (the seed's ai-morning): update, recap yesterday, plan today, show the
day. A dead service or a missing key is reported and the routine goes on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from agent_focus.actions.plan import PlanOutcome, plan_sprint
from agent_focus.actions.update import UpdateOutcome, update_focus
from agent_focus.config import FocusConfig
from agent_focus.errors import FocusError
from agent_focus.focusfile import read_document
from agent_focus.metrics.model import SloResult
from agent_focus.metrics.registry import run_collectors
from agent_focus.planner.providers.base import PlanError
from agent_focus.readers.git import Commit, commits_between, day_bounds
from agent_focus.readers.status import StatusReport, load_status
from agent_focus.readers.workspace import Workspace


@dataclass
class Morning:
    agent: str | None
    today: date
    update: UpdateOutcome
    ticked_yesterday: list[str]
    commits: list[Commit]
    plan: PlanOutcome | None
    plan_error: str | None
    status: StatusReport
    notes: list[str] = field(default_factory=list)

    @property
    def slos(self) -> list[SloResult]:
        return [s for r in self.update.reports for s in r.slos]

    def to_json(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "date": self.today.isoformat(),
            "sources": [r.to_json() for r in self.update.reports],
            "ticked_yesterday": self.ticked_yesterday,
            "commits": [{"sha": c.sha, "subject": c.subject} for c in self.commits],
            "plan": None if self.plan is None else self.plan.to_json(),
            "plan_error": self.plan_error,
            "notes": self.notes,
            "status": self.status.to_json(),
        }


def morning(
    workspace: Workspace, config: FocusConfig, provider: str | None, today: date
) -> Morning:
    """Update, recap yesterday, plan today, and report the day."""
    path = workspace.focus_file
    read_document(path)  # a bad file stops the routine before any network work
    reports = run_collectors(config, workspace.agent)  # once, for the update and the plan
    updated = update_focus(workspace, config, reports)
    yesterday = today - timedelta(days=1)
    ticked = [t.title for t in read_document(path).tasks if t.done and t.completed_on == yesterday]
    commits = commits_between(workspace.root, *day_bounds(yesterday))
    plan: PlanOutcome | None = None
    plan_error: str | None = None
    notes: list[str] = []
    for name in (provider, "offline"):
        try:
            plan = plan_sprint(
                workspace, config, provider_name=name, model=None, dry_run=False,
                fallback=None, today=today, reports=reports,
            )  # fmt: skip
            break
        except (PlanError, FocusError) as exc:
            # A provider set without its key, a silent model, a proxy's HTML page: the first
            # failure is the day's plan_error, and the routine plans offline instead.
            plan_error = plan_error or str(exc)
            notes.append(f"{exc}; planning offline instead")
    return Morning(
        workspace.agent, today, updated, ticked, commits, plan, plan_error, load_status(path), notes
    )
