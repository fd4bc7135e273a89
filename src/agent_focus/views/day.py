"""Rich renderings of the routines and of every agent at once."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from agent_focus.actions.evening import Evening, Readiness
from agent_focus.actions.morning import Morning
from agent_focus.metrics.model import SourceReport
from agent_focus.views.sprint import spend_line, status_view


def _sources_line(reports: list[SourceReport]) -> Text:
    parts: list[tuple[str, str] | str] = [("Metrics: ", "bold")]
    for index, report in enumerate(reports):
        if index:
            parts.append(" · ")
        if report.no_data is None:
            parts.append((f"{report.source} ✓", "green"))
        else:
            parts.append((f"{report.source} NO DATA ({report.no_data.reason})", "red"))
    return Text.assemble(*parts)


def morning_view(day: Morning) -> RenderableType:
    parts: list[RenderableType] = [
        Text(
            f"☀  Morning · {day.agent or 'agent ?'} · {day.today.isoformat()}", style="bold yellow"
        ),
        _sources_line(day.update.reports),
    ]
    for report in day.update.reports:
        if report.no_data and report.no_data.hint:
            parts.append(Text(f"  → {report.source}: {report.no_data.hint}", style="yellow"))
    recap = f"Yesterday: {len(day.ticked_yesterday)} task(s) ticked, {len(day.commits)} commit(s) since yesterday"
    parts.append(Text(recap, style="bold"))
    parts += [Text(f"  ✓ {title}") for title in day.ticked_yesterday]
    parts += [Text(f"  {c.sha} {c.subject}", style="dim") for c in day.commits[:10]]
    for note in day.notes:
        parts.append(Text(note, style="yellow"))
    if day.plan is not None:
        added = day.plan.merge.added
        parts.append(
            Text(
                f"Plan ({day.plan.provider}, {day.plan.model}): {len(added)} new task(s)",
                style="bold",
            )
        )
        parts += [Text(f"  + {t.title}  [{t.priority}, ~{t.estimate_hours:g}h]") for t in added]
    slos = day.slos
    if slos:
        parts.append(
            Text("SLOs: ", style="bold")
            + Text(" · ").join(
                Text(
                    f"{s.name} {s.status}",
                    style={"met": "green", "violated": "red"}.get(s.status, "yellow"),
                )
                for s in slos
            )
        )
    parts += [Text(""), status_view(day.status)]
    return Group(*parts)


def readiness_view(readiness: Readiness) -> RenderableType:
    total = len(readiness.ready) + len(readiness.missing)
    parts: list[RenderableType] = [
        Text(
            f"Job readiness · {readiness.role}: portfolio {len(readiness.ready)}/{total}",
            style="bold",
        )
    ]
    parts += [Text(f"  ✓ {name}", style="green") for name in readiness.ready]
    parts += [Text(f"  ✗ {name}  {path}", style="yellow") for name, path in readiness.missing]
    if readiness.priorities:
        parts.append(Text("  Priorities:", style="bold"))
        marks = {
            "done": ("✓", "green"),
            "in progress": ("…", "cyan"),
            "not started": ("✗", "yellow"),
        }
        for priority, state in readiness.priorities:
            mark, style = marks[state]
            parts.append(Text(f"    {mark} {priority} ({state})", style=style))
    return Group(*parts)


def evening_view(day: Evening) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"🌙 Evening · {day.agent or 'agent ?'}", style="bold blue"),
        _sources_line(day.update.reports),
    ]
    if day.status.spend is not None:
        parts.append(spend_line(day.status.spend))
    if day.commit is not None:
        if day.commit.committed:
            subject = day.commit.message.splitlines()[0]
            parts.append(
                Text(f"Committed AGENT_FOCUS.md ({day.commit.sha}): {subject}", style="green")
            )
            if day.commit.pushed:
                parts.append(Text("Pushed.", style="green"))
        if day.commit.note:
            parts.append(Text(day.commit.note, style="yellow"))
    for note in day.notes:
        parts.append(Text(note, style="yellow"))
    if day.readiness is not None:
        parts.append(readiness_view(day.readiness))
    return Group(*parts)
