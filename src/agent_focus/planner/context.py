"""Everything a planner may use, as pure data: built once, read by every provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from agent_focus.focusfile.model import FocusDocument, SectionKind
from agent_focus.metrics.model import SloResult, SourceReport
from agent_focus.readers.git import Commit
from agent_focus.readers.portfolio import PortfolioCheck
from agent_focus.readers.strategy import AgentStrategy

MAX_METRICS_IN_PROMPT = 40


@dataclass(frozen=True)
class SourceGap:
    """A source that gave no data, and why."""

    source: str
    location: str
    reason: str
    detail: str


@dataclass(frozen=True)
class PlanningContext:
    agent_id: str | None
    role: str | None
    mission: str | None
    services: tuple[str, ...]
    priorities: tuple[str, ...]
    requirements: tuple[str, ...]
    open_tasks: tuple[str, ...]
    done_tasks: tuple[str, ...]
    portfolio_gaps: tuple[tuple[str, str], ...]  # (name, path) whose file does not exist
    portfolio_ready: tuple[str, ...]
    slos: tuple[SloResult, ...]
    source_gaps: tuple[SourceGap, ...]
    metrics: tuple[tuple[str, str, str], ...]  # (source, name, value)
    commits: tuple[Commit, ...]
    ticked_yesterday: tuple[str, ...]
    today: date
    notes: str | None = None
    sprint_room: int = 0
    max_new_tasks: int = 5
    sources_down: tuple[str, ...] = ()  # every source without data, owned by this agent or not

    @property
    def violated_slos(self) -> list[SloResult]:
        return [s for s in self.slos if s.status == "violated"]

    def to_prompt_data(self) -> dict[str, Any]:
        """The context as JSON-ready data: what a provider is sent (docs/planning.md)."""
        data: dict[str, Any] = {
            "today": self.today.isoformat(),
            "agent": {"id": self.agent_id, "job_target": self.role, "mission": self.mission},
            "services_owned": list(self.services),
            "strategy": {
                "priorities": list(self.priorities),
                "requirements": list(self.requirements),
            },
            "sprint": {
                "open_tasks": list(self.open_tasks),
                "done_tasks": list(self.done_tasks[-20:]),
            },
            "portfolio": {
                "missing": [{"name": n, "path": p} for n, p in self.portfolio_gaps],
                "ready": list(self.portfolio_ready),
            },
            "slos": [
                {"name": s.name, "target": s.target, "value": s.value, "status": s.status}
                | ({"no_data": s.no_data.reason} if s.no_data else {})
                for s in self.slos
            ],
            "sources_without_data": [
                {"source": g.source, "location": g.location, "reason": g.reason, "detail": g.detail}
                for g in self.source_gaps
            ],
            "metrics": [{"source": s, "name": n, "value": v} for s, n, v in self.metrics],
            "recent_activity": {
                "commits_yesterday": [{"sha": c.sha, "subject": c.subject} for c in self.commits],
                "tasks_ticked_yesterday": list(self.ticked_yesterday),
            },
            "limits": {"new_tasks_at_most": min(self.max_new_tasks, self.sprint_room)},
        }
        if self.notes is not None:
            data["notes_and_learnings"] = self.notes
        return data


def owns_source(
    source: str, agent_id: str | None, services: tuple[str, ...], slos: tuple[SloResult, ...]
) -> bool:
    """Whether restoring ``source`` is this agent's job: a service it owns names the source,
    or one of its own SLOs (``agent:`` in focus.yaml) reads from it."""
    name = source.lower()
    return any(name in service.lower() for service in services) or any(
        s.source == source and agent_id is not None and s.agent == agent_id for s in slos
    )


def build_context(
    document: FocusDocument,
    agent_id: str | None,
    role: str | None,
    strategy: AgentStrategy | None,
    portfolio: list[PortfolioCheck],
    reports: list[SourceReport],
    commits: list[Commit],
    ticked: list[str],
    today: date,
    *,
    services: list[str],
    sprint_size: int,
    max_new_tasks: int,
    include_notes: bool,
) -> PlanningContext:
    """Assemble the context. Pure: every input was read by the caller."""
    open_tasks = tuple(t.title for t in document.tasks if not t.done)
    notes = None
    if include_notes:
        section = document.section(SectionKind.NOTES)
        if section is not None:
            notes = "".join(document.source.lines[section.body_start : section.end]).strip()[:4000]
    owned = tuple(services or (strategy.services if strategy else []))
    slos = tuple(s for r in reports for s in r.slos)
    metrics: list[tuple[str, str, str]] = []
    for report in reports:
        for metric in report.metrics:
            if metric.no_data is None:
                metrics.append((report.source, metric.name, metric.display))
    return PlanningContext(
        agent_id=agent_id,
        role=role,
        mission=(strategy.fields.get("mission") if strategy else None),
        services=owned,
        priorities=tuple(strategy.priorities if strategy else ()),
        requirements=tuple(strategy.requirements if strategy else ()),
        open_tasks=open_tasks,
        done_tasks=tuple(t.title for t in document.tasks if t.done),
        portfolio_gaps=tuple(
            (c.item.name, c.item.path or "")
            for c in portfolio
            if c.exists is False and c.error is None
        ),
        portfolio_ready=tuple(c.item.name for c in portfolio if c.ready),
        slos=slos,
        source_gaps=tuple(
            SourceGap(r.source, r.location, r.no_data.reason, r.no_data.detail)
            for r in reports
            if r.no_data and owns_source(r.source, agent_id, owned, slos)
        ),
        metrics=tuple(metrics[:MAX_METRICS_IN_PROMPT]),
        commits=tuple(commits),
        ticked_yesterday=tuple(ticked),
        today=today,
        notes=notes,
        sprint_room=max(sprint_size - len(open_tasks), 0),
        max_new_tasks=max_new_tasks,
        sources_down=tuple(r.source for r in reports if r.no_data),
    )
