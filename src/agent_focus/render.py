"""Rich renderings of the core's reports for people. JSON output does not come through here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from agent_focus.focusfile.edits import Completion
from agent_focus.onboarding import InitResult
from agent_focus.status import StatusReport

if TYPE_CHECKING:
    from typing import Any

    from agent_focus.focus_update import UpdateOutcome as FocusUpdateOutcome
    from agent_focus.planner.run import PlanOutcome


def _progress_row(table: Table, label: str, done: int, total: int) -> None:
    share = f"{done * 100 // total}%" if total else "n/a"
    table.add_row(
        Text(label, style="bold"),
        ProgressBar(total=max(total, 1), completed=done if total else 0, width=30),
        Text(f"{done}/{total}"),
        Text(share, style="dim"),
    )


def status_view(report: StatusReport) -> RenderableType:
    """The human view of ``focus status``."""
    who = report.agent.id or "agent ?"
    header = Text.assemble(
        (who, "bold cyan"),
        (f" · {report.agent.role}" if report.agent.role else "", "cyan"),
        ("   ", ""),
        (str(report.path), "dim"),
    )
    bars = Table.grid(padding=(0, 1))
    _progress_row(bars, "Sprint", report.tasks_done, len(report.tasks))
    _progress_row(bars, "Portfolio", report.portfolio_done, len(report.portfolio))

    parts: list[RenderableType] = [header, bars, Text("")]
    open_tasks = [(n, task) for n, task in enumerate(report.tasks, 1) if not task.done]
    parts.append(Text(f"Open tasks ({len(open_tasks)})", style="bold"))
    if not open_tasks:
        parts.append(Text("  none open", style="dim"))
    for number, task in open_tasks:
        parts.append(Text.assemble((f"  {number:>3}. ", "dim"), task.title))

    parts += [Text(""), Text("Portfolio Checklist", style="bold")]
    if not report.portfolio:
        parts.append(Text("  no items: add `- [ ] Name: `path`` lines to the section", style="dim"))
    items = Table.grid(padding=(0, 2))
    for check in report.portfolio:
        if check.error:
            mark, state, style = "!", f"error: {check.error}", "red"
        elif check.exists is None:
            mark = "x" if check.item.done else " "
            state, style = "not a local file", "dim"
        elif check.exists:
            mark, state, style = "x", "exists", "green"
        else:
            mark, state, style = " ", "missing", "yellow"
        items.add_row(
            Text(f"  [{mark}] {check.item.name}"),
            Text(check.item.path or "", style="dim"),
            Text(f"({state})", style=style),
        )
    if report.portfolio:
        parts.append(items)
    return Group(*parts)


def completion_message(done: Completion) -> str:
    if done.already_done:
        return (
            f"Already done: {done.task.title} (✅ {done.completed_on.isoformat()}); nothing changed"
        )
    return f"Completed: {done.task.title} (line {done.task.line + 1}, ✅ {done.completed_on.isoformat()})"


def init_message(result: InitResult) -> str:
    lines = [f"Wrote {result.focus_file} for {result.agent_id}"]
    if result.agent:
        lines[0] += f" · {result.agent.target}"
    if result.wrote_env:
        lines.append(f"Wrote .agent.env (AGENT_ID={result.agent_id})")
    lines += result.notes
    lines.append("Next: `focus status`")
    return "\n".join(lines)


def print_to(console: Console, renderable: RenderableType) -> None:
    console.print(renderable, highlight=False, soft_wrap=False)


def update_messages(outcome: FocusUpdateOutcome) -> list[str]:
    """What ``focus update`` says on stderr: what it wrote, and every source that gave no data."""
    changes = outcome.changes
    lines = []
    if changes.has_metrics_section:
        lines.append(f"Updated Progress Metrics in {outcome.path}")
    else:
        lines.append(
            f"{outcome.path} has no Progress Metrics section (add `## 📊 Progress Metrics`); metrics not written"
        )
    lines += [f"Portfolio: ticked {name} (file exists)" for name in changes.ticked]
    lines += [f"Portfolio: unticked {name} (file missing)" for name in changes.unticked]
    for report in outcome.reports:
        if report.no_data is not None:
            lines.append(
                f"NO DATA AVAILABLE from {report.source}: {report.no_data.reason}: {report.no_data.detail}"
            )
            if report.no_data.hint:
                lines.append(f"  → {report.no_data.hint}")
    return lines


def plan_messages(outcome: PlanOutcome) -> list[str]:
    """What ``focus plan`` says on stderr: which provider, what was added, what was skipped."""
    merge = outcome.merge
    lines = [f"{outcome.choice_note} ({outcome.model})", *outcome.notes]
    verb = "Would add" if outcome.dry_run else "Added"
    if merge.added:
        where = f" at line {merge.line}" if merge.line and not outcome.dry_run else ""
        lines.append(f"{verb} {len(merge.added)} task(s) to {outcome.path}{where}:")
        for task in merge.added:
            lines.append(
                f"  + {task.title}  [{task.priority}, ~{task.estimate_hours:g}h, {task.serves_kind}: {task.serves}]"
            )
            lines.append(f"      {task.reason}")
    else:
        lines.append("Nothing new to add; the file is unchanged.")
    for title, existing in merge.duplicates:
        lines.append(f"  = skipped {title!r}: like {existing!r}")
    if merge.over_capacity:
        lines.append(
            f"  ! sprint full: {len(merge.over_capacity)} more left out (planner.sprint_size)"
        )
    return lines


_USAGE_COLUMNS = (
    ("calls", "calls"), ("errors", "errors"), ("input", "input_tokens"), ("cached", "cached_tokens"),
    ("output", "output_tokens"), ("cost $", "cost_usd"), ("p50 ms", "p50_latency_ms"), ("p95 ms", "p95_latency_ms"),
)  # fmt: skip
_MIRRORED_COLUMNS = (
    ("plans", "plans"), ("calls", "calls"), ("errors", "errors"), ("input", "input_tokens"),
    ("cached", "cached_tokens"), ("output", "output_tokens"), ("cost $", "cost_usd"),
    ("tasks", "tasks_added"), ("p50 ms", "p50_latency_ms"),
)  # fmt: skip


def _cell(row: dict[str, Any], key: str) -> str:
    value = row[key]
    if key == "cost_usd":
        return f"{value:.4f}" + ("+?" if row.get("unpriced_calls") else "")
    return f"{value:.0f}" if isinstance(value, float) else str(value)


def _usage_rows(
    rows: list[dict[str, Any]], by: str, columns: tuple[tuple[str, str], ...], title: str | None
) -> Table:
    table = Table(header_style="bold", box=None, padding=(0, 2), title=title, title_justify="left")
    table.add_column(by)
    for header, _ in columns:
        table.add_column(header, justify="right")
    for row in rows:
        table.add_row(str(row[by]), *(_cell(row, key) for _, key in columns))
    return table


def usage_table(rows: list[dict[str, Any]], by: str) -> RenderableType:
    if not rows:
        return Text("No LLM calls logged yet on this clone: run `focus plan`.", style="dim")
    return _usage_rows(rows, by, _USAGE_COLUMNS, None)


def mirrored_usage_table(rows: list[dict[str, Any]], by: str) -> RenderableType:
    if not rows:
        return Text(
            "No plans mirrored to MLflow yet (experiment agent-focus is empty).", style="dim"
        )
    return _usage_rows(rows, by, _MIRRORED_COLUMNS, "From MLflow (experiment agent-focus)")


def effectiveness_table(rows: list[dict[str, Any]]) -> RenderableType:
    table = Table(
        header_style="bold",
        box=None,
        padding=(0, 2),
        title="Agent effectiveness",
        title_justify="left",
    )
    for column in ("agent", "planned", "completed", "rate", "median planned→done"):
        table.add_column(column, justify="left" if column == "agent" else "right")
    for row in rows:
        rate = f"{row['completion_rate']:.0%}" if row["completion_rate"] is not None else "-"
        hours = row["median_hours_planned_to_done"]
        table.add_row(
            row["agent"], str(row["tasks_planned"]), str(row["planned_tasks_completed"]), rate,
            f"{hours:.1f} h" if hours is not None else "-",
        )  # fmt: skip
    return table
