"""Rich renderings of the core's reports for people. JSON output does not come through here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from agent_focus.journal.dollars import money

if TYPE_CHECKING:
    from agent_focus.actions.complete import CompleteOutcome
    from agent_focus.actions.init import InitResult
    from agent_focus.actions.plan import PlanOutcome
    from agent_focus.actions.update import UpdateOutcome as FocusUpdateOutcome
    from agent_focus.journal.spend import Spend
    from agent_focus.readers.status import StatusReport


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

    parts: list[RenderableType] = [header, bars]
    if report.spend is not None:
        parts.append(spend_line(report.spend))
    parts.append(Text(""))
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


def dollars(value: float | None) -> str:
    return "unknown" if value is None else money(value)


def spend_line(spend: Spend) -> Text:
    """Today's and this task's model spend (from the agents' session logs)."""
    unpriced = f", {spend.unpriced_today} unpriced" if spend.unpriced_today else ""
    since = spend.task_since
    if since is None:
        note = ""
    elif since > datetime.now(UTC):  # the end of a ✅ day not over: a task ticked by hand
        day = (since.astimezone() - timedelta(days=1)).date()
        when = "today" if day == date.today() else f"for {day.isoformat()}"
        note = f" (from midnight: a task ticked by hand {when} takes the calls until then)"
    else:
        note = f" (since {since.astimezone():%Y-%m-%d %H:%M}, the last task done)"
    return Text.assemble(
        ("Spend     ", "bold"),
        f"today {dollars(spend.today_usd)} ({spend.calls_today} calls{unpriced})",
        ("  ·  ", "dim"),
        f"this task {dollars(spend.task_usd)}",
        (note, "dim"),
    )


def completion_message(outcome: CompleteOutcome) -> str:
    done = outcome.completion
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
