"""`focus plan`: read everything real, ask the provider, merge new tasks, log every call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from agent_focus.config import FocusConfig
from agent_focus.errors import FocusError
from agent_focus.focusfile import read_document, require_sprint
from agent_focus.focusfile.model import FocusDocument, SectionKind
from agent_focus.focusfile.parse import section_bullets
from agent_focus.focusfile.store import edit_document
from agent_focus.journal.calls import LLMCall, record_calls
from agent_focus.journal.events import journal
from agent_focus.metrics.model import SourceReport
from agent_focus.metrics.registry import run_collectors
from agent_focus.mlflow_mirror import mirror_run
from agent_focus.planner.activity import commits_since, start_of_yesterday, ticked_since
from agent_focus.planner.context import PlanningContext, build_context
from agent_focus.planner.merge import MergeResult, merge_plan
from agent_focus.planner.providers.base import (
    PlanError,
    PlanRequest,
    Provider,
    providers,
)
from agent_focus.portfolio import check_portfolio
from agent_focus.status import identify_agent, resolve_agent
from agent_focus.strategy import agent_strategy
from agent_focus.workspace import state_dir


@dataclass
class PlanOutcome:
    path: Path
    agent: str | None
    provider: str
    model: str
    choice_note: str
    plan_summary: str
    merge: MergeResult
    dry_run: bool
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `focus plan --json` object (also the MCP `plan` tool's result)."""
        return {
            "file": str(self.path),
            "agent": self.agent,
            "provider": self.provider,
            "model": self.model,
            "dry_run": self.dry_run,
            "summary": self.plan_summary,
            "added": [t.model_dump() for t in self.merge.added],
            "skipped_duplicates": [{"title": a, "existing": b} for a, b in self.merge.duplicates],
            "skipped_sprint_full": list(self.merge.over_capacity),
            "notes": self.notes,
        }


def choose_provider(name: str, config: FocusConfig) -> tuple[Provider, str]:
    """The provider to use and a sentence saying why (for stderr)."""
    registry = providers()
    if name == "auto":
        for candidate in ("anthropic", "openai"):
            if registry[candidate]().unavailable(config.planner) is None:
                return registry[
                    candidate
                ](), f"planning with {candidate} (auto: its key or server is set)"
        return registry[
            "offline"
        ](), "planning offline (auto: no ANTHROPIC_API_KEY, OPENAI_API_KEY or planner.base_url)"
    if name not in registry:
        raise FocusError(f"unknown provider {name!r} (known: auto, {', '.join(sorted(registry))})")
    provider = registry[name]()
    missing = provider.unavailable(config.planner)
    if missing:
        raise FocusError(f"provider {name}: {missing}")
    return provider, f"planning with {name}"


def gather_context(
    document: FocusDocument,
    root: Path,
    config: FocusConfig,
    agent_option: str | None,
    today: date,
    reports: list[SourceReport] | None = None,
) -> tuple[PlanningContext, list[str]]:
    identity = identify_agent(document, root)
    agent = resolve_agent(root, agent_option, document)
    strategy, missing = agent_strategy(root, agent)
    notes = [missing] if missing else []
    if reports is None:
        reports = run_collectors(config, agent)
    since = start_of_yesterday(today)
    commits = commits_since(root, since)
    ticked = [t.title for t in ticked_since(document.tasks, since.date())]
    services = section_bullets(document, SectionKind.SERVICES)
    context = build_context(
        document, agent, identity.role or (strategy.target if strategy else None), strategy,
        check_portfolio(document.portfolio, root), reports, commits, ticked, today,
        services=services, sprint_size=config.planner.sprint_size,
        max_new_tasks=config.planner.max_new_tasks, include_notes=config.planner.include_notes,
    )  # fmt: skip
    return context, notes


def plan_sprint(
    path: Path,
    root: Path,
    config: FocusConfig,
    *,
    agent: str | None,
    provider_name: str | None,
    model: str | None,
    dry_run: bool,
    fallback: str | None,
    today: date,
    reports: list[SourceReport] | None = None,
) -> PlanOutcome:
    """Plan and merge. Nothing is written on failure, on a dry run, or when nothing is new."""
    document = read_document(path)
    require_sprint(document)  # fail fast on a bad file, before any network work
    context, notes = gather_context(document, root, config, agent, today, reports)
    provider, note = choose_provider(provider_name or config.planner.provider, config)
    request = PlanRequest(model or config.planner.model, config.planner)
    log_dir = state_dir(root)
    calls_made: list[LLMCall] = []
    try:
        reply = provider.plan(context, request)
    except PlanError as exc:
        record_calls(log_dir, exc.calls, context.agent_id, root.name)
        calls_made += exc.calls
        if not fallback:
            raise
        notes.append(f"{exc.message}; falling back to {fallback} as asked")
        provider, _ = choose_provider(fallback, config)
        reply = provider.plan(context, request)
        note += f", then {fallback} (fallback)"
    record_calls(log_dir, reply.calls, context.agent_id, root.name)  # offline makes none
    calls_made += reply.calls
    operation = merge_plan(
        list(reply.plan.tasks), config.planner.sprint_size, config.planner.max_new_tasks
    )
    merged = operation(read_document(path)).result if dry_run else edit_document(path, operation)
    if not dry_run:
        journal(
            root, "plan",
            {
                "provider": provider.name, "model": reply.model, "summary": reply.plan.summary,
                "added": [t.title for t in merged.added], "duplicates": len(merged.duplicates),
                "over_capacity": len(merged.over_capacity),
            },
            context.agent_id,
        )  # fmt: skip
        mirror_note = _mirror_plan(
            config, context.agent_id, provider.name, reply.model, merged, calls_made
        )
        if mirror_note:
            notes.append(mirror_note)
    return PlanOutcome(
        path,
        context.agent_id,
        provider.name,
        reply.model,
        note,
        reply.plan.summary,
        merged,
        dry_run,
        notes,
    )


def _mirror_plan(
    config: FocusConfig,
    agent: str | None,
    provider: str,
    model: str,
    merged: MergeResult,
    calls: list[LLMCall],
) -> str | None:
    """The plan as an MLflow run; every call counts, failed ones before a fallback too."""
    return mirror_run(
        config, "plan", agent, {"provider": provider, "model": model},
        {
            "tasks_added": len(merged.added), "duplicates": len(merged.duplicates),
            "calls": len(calls), "errors": sum(not c.ok for c in calls),
            "input_tokens": sum(c.input_tokens for c in calls), "output_tokens": sum(c.output_tokens for c in calls),
            "cached_tokens": sum(c.cached_tokens for c in calls),
            "cost_usd": sum(c.cost_usd or 0.0 for c in calls), "latency_ms": sum(c.latency_ms for c in calls),
        },
    )  # fmt: skip
