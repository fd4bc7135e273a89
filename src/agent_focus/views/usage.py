"""Usage tables: what LLM calls cost, per provider, model, agent or day, and how much of
what was planned got done."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

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
