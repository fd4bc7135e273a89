"""`focus plan`: read everything real, ask the provider, merge new tasks, log every call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from agent_focus.config import FocusConfig
from agent_focus.errors import UsageError
from agent_focus.focusfile import read_document, require_sprint
from agent_focus.focusfile.model import FocusDocument, SectionKind
from agent_focus.focusfile.parse import section_bullets
from agent_focus.focusfile.store import edit_document
from agent_focus.journal.calls import LLMCall, record_calls, usage_totals
from agent_focus.journal.events import EventKind, journal
from agent_focus.journal.mirror import mirror_run
from agent_focus.metrics.model import SourceReport
from agent_focus.metrics.registry import run_collectors
from agent_focus.planner.context import PlanningContext, build_context
from agent_focus.planner.merge import MergeResult, merge_plan
from agent_focus.planner.providers.base import (
    PlanError,
    PlanRequest,
    Provider,
    providers,
)
from agent_focus.readers.agent import identify_agent
from agent_focus.readers.git import commits_between, day_bounds
from agent_focus.readers.portfolio import check_portfolio
from agent_focus.readers.strategy import agent_strategy
from agent_focus.readers.workspace import Workspace


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


def check_provider_name(name: str | None) -> None:
    """A usage error (exit 2) naming the known providers, before any work is done."""
    known = providers()
    if name is not None and name != "auto" and name not in known:
        raise UsageError(f"--provider {name!r}: choose one of auto, {', '.join(sorted(known))}")


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
    check_provider_name(name)
    provider = registry[name]()
    missing = provider.unavailable(config.planner)
    if missing:
        raise PlanError(f"provider {name}: {missing}")
    return provider, f"planning with {name}"


def gather_context(
    document: FocusDocument,
    workspace: Workspace,
    config: FocusConfig,
    today: date,
    reports: list[SourceReport] | None = None,
) -> tuple[PlanningContext, list[str]]:
    root, agent = workspace.root, workspace.agent
    identity = identify_agent(document, root)
    strategy, missing = agent_strategy(workspace)
    notes = [missing] if missing else []
    if reports is None:
        reports = run_collectors(config, agent)
    yesterday = today - timedelta(days=1)
    commits = commits_between(root, *day_bounds(yesterday))
    ticked = [t.title for t in document.tasks if t.done and t.completed_on == yesterday]
    services = section_bullets(document, SectionKind.SERVICES)
    context = build_context(
        document, agent, identity.role or (strategy.target if strategy else None), strategy,
        check_portfolio(document.portfolio, root), reports, commits, ticked, today,
        services=services, sprint_size=config.planner.sprint_size,
        max_new_tasks=config.planner.max_new_tasks, include_notes=config.planner.include_notes,
    )  # fmt: skip
    return context, notes


def plan_sprint(
    workspace: Workspace,
    config: FocusConfig,
    *,
    provider_name: str | None,
    model: str | None,
    dry_run: bool,
    fallback: str | None,
    today: date,
    reports: list[SourceReport] | None = None,
) -> PlanOutcome:
    """Plan and merge. Nothing is written on failure, on a dry run, or when nothing is new."""
    path, root = workspace.focus_file, workspace.root
    document = read_document(path)
    require_sprint(document)  # fail fast on a bad file, before any network work
    context, notes = gather_context(document, workspace, config, today, reports)
    provider, note = choose_provider(provider_name or config.planner.provider, config)
    request = PlanRequest(model or config.planner.model, config.planner)
    log_dir = workspace.state_dir
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
            workspace, EventKind.PLAN,
            {
                "provider": provider.name, "model": reply.model, "summary": reply.plan.summary,
                "added": [t.title for t in merged.added], "duplicates": len(merged.duplicates),
                "over_capacity": len(merged.over_capacity),
            },
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
    """The plan as an MLflow run; every call counts, failed ones before a fallback too. The
    time the model took is not the services' to lose: it has its own planner.timeout."""
    totals = usage_totals(calls)
    figures = (
        "calls",
        "errors",
        "input_tokens",
        "output_tokens",
        "cached_tokens",
        "cache_write_tokens",
        "unpriced_calls",
    )
    priced = totals["calls"] > totals["unpriced_calls"] or not totals["calls"]  # else unknown
    return mirror_run(
        config, "plan", agent, {"provider": provider, "model": model},
        {
            "tasks_added": len(merged.added), "duplicates": len(merged.duplicates),
            **{key: totals[key] for key in figures},
            **({"cost_usd": totals["cost_usd"]} if priced else {}),
            "latency_ms": totals["total_latency_ms"],
        },
        grace=totals["total_latency_ms"] / 1000,
    )  # fmt: skip
