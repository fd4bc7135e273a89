"""`focus usage`: every model call of this clone's agents, from their own session logs and
from our planner, summed by agent, worktree, model, day, session, source or provider.

One code path sums them all: both tables are read through one SQL shape and folded by
:func:`fold`. Days are local (``TZ`` honoured: SQLite's ``localtime`` follows it). An agent
session belongs to the agent whose worktree of this clone contains its ``cwd``; a session
elsewhere is shown under its ``cwd``, after the agents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent_focus.journal.db import LOG_NAME, open_log

_SESSIONS = (
    "SELECT source AS c0, CASE source WHEN 'claude' THEN 'anthropic' ELSE 'openai' END AS c1,"
    " cwd AS c2, NULL AS c3, NULL AS c4, model AS c5, date(at, 'localtime') AS c6,"
    " session AS c7, input_tokens AS c8, output_tokens AS c9,"
    " cache_write_tokens + cache_write_1h_tokens AS c10, cached_tokens AS c11, cost_usd AS c12"
    " FROM agent_usage WHERE at >= ? AND at < ?"
)
_PLANNER = (
    "SELECT 'planner', provider, NULL, agent, worktree, model, date(at, 'localtime'), 'planner',"
    " input_tokens, output_tokens, cache_write_tokens, cached_tokens, cost_usd FROM llm_calls"
    " WHERE at >= ? AND at < ?"
)
# Columns of both: 0 source, 1 provider, 2 cwd, 3 agent, 4 worktree, 5 model, 6 day,
# 7 session, 8 input, 9 output, 10 cache writes, 11 cache reads, 12 cost.
Place = Callable[[str | None], tuple[str | None, str | None]]  # cwd -> (agent, worktree)


@dataclass(frozen=True)
class UsageReport:
    by: str
    total: dict[str, Any]
    rows: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "total": self.total, "rows": self.rows}


def empty() -> dict[str, Any]:
    return {
        "input_tokens": 0, "output_tokens": 0, "cache_write_tokens": 0, "cached_tokens": 0,
        "total_tokens": 0, "cost_usd": None, "calls": 0, "unpriced_calls": 0,
    }  # fmt: skip


def fold(into: dict[str, Any], given: int, made: int, written: int, read: int, cost: float | None, calls: int = 1) -> None:  # fmt: skip
    """Add calls to a USAGE total. A cost is known once any call of it is priced; unpriced
    calls are counted, never priced at 0."""
    into["input_tokens"] += given
    into["output_tokens"] += made
    into["cache_write_tokens"] += written
    into["cached_tokens"] += read
    into["total_tokens"] += given + made + written + read
    into["calls"] += calls
    if cost is None:
        into["unpriced_calls"] += calls
    else:
        into["cost_usd"] = round((into["cost_usd"] or 0.0) + cost, 10)


def _bounds(since: datetime | None, until: datetime | None) -> tuple[str, str]:
    low = since.astimezone(UTC).isoformat(timespec="milliseconds") if since else ""
    high = until.astimezone(UTC).isoformat(timespec="milliseconds") if until else "~"
    return low, high


def read_calls(
    folder: Path, since: datetime | None = None, until: datetime | None = None
) -> Iterable[tuple[Any, ...]]:
    """Every call in the window, grouped by what any key needs, with summed figures."""
    if not (folder / LOG_NAME).exists():
        return []
    low, high = _bounds(since, until)
    query = (
        "SELECT c0, c1, c2, c3, c4, c5, c6, c7, sum(c8), sum(c9), sum(c10), sum(c11),"
        " CASE WHEN count(c12) THEN sum(c12) END, count(*), count(*) - count(c12)"
        f" FROM ({_SESSIONS} UNION ALL {_PLANNER})"
        " GROUP BY c0, c1, c2, c3, c4, c5, c6, c7"
    )
    db = open_log(folder)
    try:
        return db.execute(query, (low, high, low, high)).fetchall()
    finally:
        db.close()


def usage_report(
    folder: Path,
    by: str,
    place: Place,
    since: datetime | None = None,
    until: datetime | None = None,
) -> UsageReport:
    """Totals per ``by`` over the window, and the grand total."""
    groups: dict[str, dict[str, Any]] = {}
    total = empty()
    for row in read_calls(folder, since, until):
        source, provider, cwd, agent, worktree, model, day, session = row[:8]
        given, made, written, read, cost, calls, unpriced = row[8:]
        if source != "planner":
            agent, worktree = place(cwd)
            agent = agent or cwd or "?"
        key = {
            "agent": agent or "?", "worktree": worktree or cwd or "?", "model": model or "?",
            "day": day, "session": session or "?", "source": source, "provider": provider,
        }[by]  # fmt: skip
        for target in (groups.setdefault(key, empty()), total):
            priced_calls = calls - unpriced
            fold(target, given, made, written, read, cost, priced_calls)
            if unpriced:
                fold(target, 0, 0, 0, 0, None, unpriced)
    rows = [{by: key, **figures} for key, figures in sorted(groups.items(), key=_order(by))]
    return UsageReport(by, total, rows)


def _order(by: str) -> Callable[[tuple[str, dict[str, Any]]], tuple[Any, ...]]:
    """Agents (A1, A2...) first, then paths; days and others in their natural order."""

    def key(item: tuple[str, dict[str, Any]]) -> tuple[Any, ...]:
        name = str(item[0])
        return (by == "agent" and name.startswith("/"), name)

    return key
