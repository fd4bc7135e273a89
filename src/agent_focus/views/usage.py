"""Usage tables: what LLM calls cost, per provider, model, agent or day, and how much of
what was planned got done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.columns import Columns
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from datetime import datetime

    from agent_focus.ingest.report import IngestReport
    from agent_focus.journal.team_usage import TeamUsage
    from agent_focus.journal.usage import UsageReport

_USAGE_COLUMNS = (
    ("calls", "calls"), ("errors", "errors"), ("input", "input_tokens"), ("cached", "cached_tokens"),
    ("output", "output_tokens"), ("cost $", "cost_usd"), ("p50 ms", "p50_latency_ms"), ("p95 ms", "p95_latency_ms"),
)  # fmt: skip
_MIRRORED_COLUMNS = (
    ("plans", "plans"), ("calls", "calls"), ("errors", "errors"), ("input", "input_tokens"),
    ("output", "output_tokens"), ("cache write", "cache_write_tokens"), ("cache read", "cached_tokens"),
    ("total tokens", "total_tokens"), ("cost $", "cost_usd"), ("tasks", "tasks_added"), ("p50 ms", "p50_latency_ms"),
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


def planner_table(rows: list[dict[str, Any]], by: str) -> RenderableType:
    """The planner's own calls with their latency (the dashboard's Providers panel)."""
    if not rows:
        return Text("No planner calls logged yet on this clone: run `focus plan`.", style="dim")
    return _usage_rows(rows, by, _USAGE_COLUMNS, None)


_AGENT_COLUMNS = (
    ("calls", "calls"), ("input", "input_tokens"), ("output", "output_tokens"),
    ("cache write", "cache_write_tokens"), ("cache read", "cached_tokens"),
    ("total tokens", "total_tokens"), ("cost $", "cost_usd"),
)  # fmt: skip


def _money(row: dict[str, Any]) -> str:
    cost = row["cost_usd"]
    return "unknown" if cost is None else f"{cost:,.2f}"


def usage_table(
    report: UsageReport,
    window: tuple[datetime | None, datetime | None] = (None, None),
    logs: int | None = None,
) -> RenderableType:
    """Every model call of the clone's agents, summed by the report's key, with a total
    (:class:`_UsageTable`); when there is none, why: the ``window`` (`--since`, `--until`)
    or, without one, the ``logs`` found (None: not looked for)."""
    if report.rows:
        return _UsageTable(report)
    since, until = window
    if since or until:
        start = f"from {since:%Y-%m-%d %H:%M}" if since else "up"
        stop = f"to {until:%Y-%m-%d %H:%M}" if until else "to now"
        why = f"none {start} {stop} (local time, the end excluded)"
    elif logs:
        why = f"{logs} agent log{'' if logs == 1 else 's'} read, but none records one"
    else:
        why = "no Claude Code or Codex session logs on this machine yet"
    return Text(
        f"No model calls found: {why}; and no planner calls (`focus plan` with a provider).",
        style="dim",
    )


_COMPACT = ("calls", "total_tokens", "cost_usd", "unpriced_calls")  # when the full is too wide
_KEY_WIDTH = 40  # a key up to this long is kept whole on its line when choosing the layout


class _UsageTable:
    """The usage table, as wide as where it is drawn allows, never a figure or a key cut
    (two dated models that differ only at their end would read the same). Every column when
    the keys fit whole beside them (up to 40 characters, a longer key folds); else the calls,
    total tokens and dollars only (ccusage too drops columns on a narrow terminal); and when
    even that does not fit, a block per key: its name, then its figures on a line below. The
    calls nobody prices have a column of their own, when there are any."""

    def __init__(self, report: UsageReport) -> None:
        self.report = report
        self.columns = list(_AGENT_COLUMNS)
        if report.total.get("unpriced_calls"):
            self.columns.append(("unpriced", "unpriced_calls"))
        rows = [*report.rows, report.total]
        self.widths = {
            key: max(len(header), *(len(_figure(row, key)) for row in rows))
            for header, key in self.columns
        }
        self.keys = [report.by, *(["agent"] if report.by == "task" else [])]
        self.key_widths = [  # as long as the longest key (or the header, or "total")
            min(_KEY_WIDTH, max(len(key), 5, *(len(self._label(row, key)) for row in report.rows)))
            for key in self.keys
        ]

    def _label(self, row: dict[str, Any], key: str) -> str:
        dated = key == self.report.by and row.get("timed_by") == "date"
        return str(row[key]) + (" (ticked by hand: timed by its date)" if dated else "")

    def _width(self, columns: list[tuple[str, str]]) -> int:
        figures = sum(self.widths[key] for _, key in columns)
        return figures + sum(self.key_widths) + 2 * (len(columns) + len(self.keys))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        columns = self.columns
        if self._width(columns) > options.max_width:
            columns = [column for column in columns if column[1] in _COMPACT]
        if self._width(columns) > options.max_width:
            yield from self._blocks(columns)
            return
        yield self._table(columns)

    def _table(self, columns: list[tuple[str, str]]) -> Table:
        report = self.report
        table = Table(header_style="bold", box=None, padding=(0, 1), show_footer=True)
        for key in self.keys:
            table.add_column(key, footer="total" if key == report.by else "", overflow="fold")
        for header, key in columns:
            footer = _figure(report.total, key)
            table.add_column(header, justify="right", footer=footer, no_wrap=True, min_width=self.widths[key])  # fmt: skip
        for row in report.rows:
            labels = [self._label(row, key) for key in self.keys]
            table.add_row(*labels, *(_figure(row, key) for _, key in columns))
        return table

    def _blocks(self, columns: list[tuple[str, str]]) -> RenderResult:
        """A key per line (bold), its figures on the next, indented: a line of figures wraps
        between them, never inside one ("5,854 calls", "$100.02")."""
        for row in [*self.report.rows, {**self.report.total, self.report.by: "total"}]:
            keys = [self._label(row, key) for key in self.keys if key in row]
            yield Text(" · ".join(keys), style="bold")
            figures = [Text(_in_words(row, key)) for _, key in columns]
            yield Padding(Columns(figures, padding=(0, 3)), (0, 0, 0, 2))


def _figure(row: dict[str, Any], key: str) -> str:
    return _money(row) if key == "cost_usd" else f"{row[key]:,}"


_WORDS = {"calls": "calls", "total_tokens": "tokens", "unpriced_calls": "unpriced"}


def _in_words(row: dict[str, Any], key: str) -> str:
    """A figure of the compact columns, named: "5,854 calls", "$100.02"."""
    if key == "cost_usd":
        return "$ unknown" if row[key] is None else f"${row[key]:,.2f}"
    return f"{row[key]:,} {_WORDS[key]}"


def ingest_note(ingest: IngestReport) -> str | None:
    """One line on what reading the logs found wrong, if anything."""
    parts = []
    skipped = sum(ingest.skipped.values())
    if skipped:
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(ingest.skipped.items()))
        parts.append(f"skipped {skipped} unreadable log line(s) ({reasons})")
    parts += ingest.warnings[:3]
    return "; ".join(parts) if parts else None


def mirrored_usage_table(team: TeamUsage) -> RenderableType:
    """The team's spend from MLflow: a row per key and source (planner, sessions), with
    the total below; "-" where a figure does not apply (a session has no latency)."""
    if not team.rows:
        return Text(
            "Nothing mirrored to MLflow yet (experiment agent-focus is empty): `focus plan` "
            "and `focus evening` log runs there.",
            style="dim",
        )

    def cell(row: dict[str, Any], key: str) -> str:
        value = row.get(key)
        if key == "cost_usd":
            money = "unknown" if value is None else f"{value:,.4f}"
            return money + ("+?" if value is not None and row.get("unpriced_calls") else "")
        return "" if key not in row else "-" if value is None else f"{value:,.0f}"

    keys = [team.by, *(["source"] if team.by != "source" else [])]

    def table(columns: tuple[tuple[str, str], ...]) -> Table:
        drawn = Table(
            header_style="bold", box=None, padding=(0, 1), show_footer=True,
            title="From MLflow (experiment agent-focus)", title_justify="left",
        )  # fmt: skip
        for at, key in enumerate(keys):
            drawn.add_column(key, footer="total" if at == 0 else "", overflow="fold")
        for header, key in columns:
            drawn.add_column(header, justify="right", footer=cell(team.total, key), no_wrap=True)
        for row in team.rows:
            drawn.add_row(*(str(row[k]) for k in keys), *(cell(row, k) for _, k in columns))
        return drawn

    full = table(_MIRRORED_COLUMNS)
    compact = table(
        tuple(c for c in _MIRRORED_COLUMNS if c[1] in ("calls", "total_tokens", "cost_usd"))
    )

    class Fitted:  # every column when they fit, else the calls, tokens and dollars
        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            wide = console.measure(full, options=options.update_width(10_000)).maximum
            yield full if wide <= options.max_width else compact

    return Fitted()


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
