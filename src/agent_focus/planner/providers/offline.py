"""The offline planner: deterministic rules over the context, no network, no key.

One task per violated SLO, per source or SLO with no data, per missing portfolio artifact
and per strategy priority that no task covers yet; nothing already planned or done. The
same workspace always gives the same plan, so a second run adds nothing.
"""

from __future__ import annotations

from agent_focus.config import PlannerConfig
from agent_focus.focusfile.matching import TitleIndex, similar_titles
from agent_focus.planner.context import PlanningContext
from agent_focus.planner.providers.base import PlanRequest, ProviderReply, register_provider
from agent_focus.planner.schema import Plan, PlannedTask


def offline_tasks(context: PlanningContext) -> list[PlannedTask]:
    """The rule-based tasks for ``context``, most pressing first, uncovered ones only."""
    found: list[PlannedTask] = []
    existing = TitleIndex(context.open_tasks + context.done_tasks)

    def add(title: str, also: tuple[str, ...] = (), **fields: object) -> None:
        title = title if len(title) <= 120 else title[:117].rstrip() + "..."
        covered = existing.similar(title) is not None or any(map(existing.mentioned, also))
        if covered or any(similar_titles(title, t.title) for t in found):
            return
        found.append(PlannedTask.model_validate({"title": title, **fields}))

    for slo in context.violated_slos:
        value = f"{slo.value:.3g}" if slo.value is not None else "?"
        add(
            f"Bring SLO {slo.name} back within target ({value}, target {slo.target})",
            (f"SLO {slo.name}",),
            reason=f"{slo.name} reads {value} against a target of {slo.target}",
            serves_kind="slo", serves=slo.name, priority="high", estimate_hours=2,
        )  # fmt: skip
    for gap in context.source_gaps:
        add(
            f"Restore {gap.source} data ({gap.reason} at {gap.location})",
            (f"Restore {gap.source}",),
            reason=f"{gap.source}: {gap.detail}; every metric from it shows NO DATA",
            serves_kind="service", serves=gap.source, priority="high", estimate_hours=0.5,
        )  # fmt: skip
    down = {gap.source for gap in context.source_gaps} | set(context.sources_down)
    for slo in context.slos:
        if slo.no_data and slo.source not in down:  # a dead source is its owner's task
            add(
                f"Get data for SLO {slo.name} ({slo.no_data.reason})",
                (f"SLO {slo.name}",),
                reason=f"{slo.name}: {slo.no_data.detail}",
                serves_kind="slo", serves=slo.name, priority="medium", estimate_hours=1,
            )  # fmt: skip
    for name, path in context.portfolio_gaps:
        add(
            f"Create {name} (`{path}`)",
            (name, path),
            reason=f"portfolio item {name!r} is missing: no file at {path}",
            serves_kind="portfolio", serves=name, priority="high", estimate_hours=2,
        )  # fmt: skip
    for priority in context.priorities:
        add(
            priority,
            reason="a strategy priority that no sprint task covers yet",
            serves_kind="priority", serves=priority[:120], priority="medium", estimate_hours=3,
        )  # fmt: skip
    return found


@register_provider("offline")
class OfflinePlanner:
    name = "offline"

    def unavailable(self, config: PlannerConfig) -> str | None:
        return None

    def plan(self, context: PlanningContext, request: PlanRequest) -> ProviderReply:
        tasks = offline_tasks(context)
        room = min(context.max_new_tasks, context.sprint_room)
        kinds = sorted({t.serves_kind for t in tasks})
        summary = (
            f"{len(tasks)} uncovered gap(s) found ({', '.join(kinds)}); proposing {min(len(tasks), room)}."
            if tasks
            else "Nothing uncovered: every gap already has a task."
        )
        return ProviderReply(Plan(summary=summary, tasks=tasks[:10]), model="rules")
