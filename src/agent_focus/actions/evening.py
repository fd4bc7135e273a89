"""`focus evening` (the seed's ai-evening): update, commit the focus file alone with a
message naming what was done, mirror the day, and show job readiness."""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agent_focus.actions.update import UpdateOutcome, update_focus
from agent_focus.config import FocusConfig
from agent_focus.errors import FocusError
from agent_focus.focusfile import read_document
from agent_focus.focusfile.matching import mentions, similar_titles
from agent_focus.focusfile.model import FocusDocument
from agent_focus.journal.events import EventKind, journal
from agent_focus.journal.mirror import MirroredRun, MoreRuns, mirror_configured, mirror_runs
from agent_focus.readers.git import CommitResult, commit_file
from agent_focus.readers.status import StatusReport, load_status, with_spend
from agent_focus.readers.strategy import AgentStrategy, agent_strategy
from agent_focus.readers.workspace import Workspace


@dataclass(frozen=True)
class Readiness:
    """How ready the agent is to apply for its target role."""

    role: str
    ready: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    priorities: tuple[tuple[str, str], ...]  # (priority, "done" | "in progress" | "not started")

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "ready": list(self.ready),
            "missing": [{"name": n, "path": p} for n, p in self.missing],
            "priorities": [{"priority": p, "state": s} for p, s in self.priorities],
        }


def job_readiness(agent: AgentStrategy, status: StatusReport) -> Readiness:
    ready = tuple(c.item.name for c in status.portfolio if c.ready)
    missing = tuple((c.item.name, c.item.path or "") for c in status.portfolio if not c.ready)
    states = []
    for priority in agent.priorities:

        def covers(title: str, p: str = priority) -> bool:
            return similar_titles(title, p) or mentions(title, p)

        if any(covers(t.title) for t in status.tasks if t.done):
            states.append((priority, "done"))
        elif any(covers(t.title) for t in status.tasks):
            states.append((priority, "in progress"))
        else:
            states.append((priority, "not started"))
    return Readiness(agent.target or agent.id, ready, missing, tuple(states))


def commit_message(
    agent: str | None, document: FocusDocument, status: StatusReport, today: date
) -> str:
    """Names the agent, what was completed today, and the portfolio progress."""
    done_today = [t.title for t in document.tasks if t.done and t.completed_on == today]
    who = agent or "agent"
    folio = f"portfolio {status.portfolio_done}/{len(status.portfolio)}"
    subject = (
        f"focus({who}): {len(done_today)} done today, {folio}"
        if done_today
        else f"focus({who}): progress update, {folio}"
    )
    body = (
        ["Completed today:", *[f"- {title}" for title in done_today]]
        if done_today
        else ["Nothing ticked today."]
    )
    missing = [c.item.name for c in status.portfolio if not c.ready]
    body += [
        "",
        f"Sprint {status.tasks_done}/{len(status.tasks)} done; {folio} ready"
        + (f" (missing: {', '.join(missing)})" if missing else ""),
    ]
    return subject + "\n\n" + "\n".join(body) + "\n"


@dataclass
class Evening:
    agent: str | None
    update: UpdateOutcome
    commit: CommitResult | None
    status: StatusReport
    readiness: Readiness | None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "commit": None if self.commit is None else dataclasses.asdict(self.commit),
            "readiness": None if self.readiness is None else self.readiness.to_json(),
            "notes": self.notes,
            "status": self.status.to_json(),
        }


def _spend_metrics(status: StatusReport) -> dict[str, float]:
    """The agent's model spend of the day, as the team's MLflow shows it."""
    spend = status.spend
    if spend is None:
        return {}
    figures = {"model_calls_today": float(spend.calls_today)}
    if spend.today_usd is not None:
        figures["model_cost_usd_today"] = spend.today_usd
    return figures


def _daily_usage(
    workspace: Workspace, config: FocusConfig, today: date, notes: list[str]
) -> tuple[dict[str, str], MoreRuns | None]:
    """The clone's identity tags, and the agent's daily usage runs of the last week that the
    team's server lacks (journal.daily_usage); None without a server or an agent."""
    from agent_focus.journal.daily_usage import clone_identity, daily_usage, usage_runs

    identity = clone_identity(workspace.state_dir)
    agent = workspace.agent
    if agent is None or not mirror_configured(config):
        return identity, None
    from agent_focus.readers.attribution import place_for

    try:
        days = daily_usage(workspace.state_dir, place_for(workspace.root), agent, today)
    except (OSError, sqlite3.Error) as exc:
        notes.append(f"daily usage not mirrored: {exc}")
        return identity, None
    return identity, usage_runs(agent, identity, days, today)


def evening(
    workspace: Workspace, config: FocusConfig, *, commit: bool, push: bool, today: date
) -> Evening:
    path, agent = workspace.focus_file, workspace.agent
    read_document(path)
    updated = update_focus(workspace, config)
    notes: list[str] = []
    try:  # the agents' own spend of the day, for the summary and the team's mirror
        from agent_focus.actions.usage import read_agent_logs

        read_agent_logs(workspace)
    except (OSError, sqlite3.Error, FocusError) as exc:
        notes.append(f"agent logs not read: {exc}")
    status = with_spend(load_status(path))
    result = None
    if commit:
        message = commit_message(agent, read_document(path), status, today)
        result = commit_file(path, workspace.root, message, push)
        if result.committed:
            subject = result.message.splitlines()[0]
            journal(
                workspace,
                EventKind.COMMIT,
                {"sha": result.sha, "subject": subject, "pushed": result.pushed},
            )
    done_today = [t for t in status.tasks if t.done and t.completed_on == today]
    identity, daily = _daily_usage(workspace, config, today, notes)
    mirror_note = mirror_runs(
        config,
        [MirroredRun("evening", agent, {"commit": (result.sha or "") if result else "", **identity}, {
            "tasks_done_today": len(done_today), "sprint_done": status.tasks_done, "sprint_total": len(status.tasks),
            "portfolio_ready": status.portfolio_done, "portfolio_total": len(status.portfolio),
            **_spend_metrics(status),
        })],
        more=daily,
    )  # fmt: skip
    if mirror_note:
        notes.append(mirror_note)
    readiness = None
    try:
        strategy, missing = agent_strategy(workspace)
    except FocusError as exc:  # a broken strategy must not cost the evening its commit
        strategy, missing = None, str(exc)
    if strategy is not None:
        readiness = job_readiness(strategy, status)
    elif missing:
        notes.append(f"no job readiness: {missing}")
    return Evening(agent, updated, result, status, readiness, notes)
