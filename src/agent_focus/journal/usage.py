"""`focus usage`: every model call of this clone's agents, from their own session logs and
from our planner, summed by agent, worktree, model, day, session, source or provider.

One code path sums them all: both tables are read through one SQL shape, grouped by the
report's key, and folded by :func:`_fold` (:class:`Tally` adds calls one by one, for the
cost per task). Dollars are summed exactly (journal.dollars). Days are local (``TZ``
honoured: SQLite's ``localtime`` follows it). An agent session belongs to the agent whose
worktree of this clone contains its ``cwd``; a session elsewhere is shown under its ``cwd``,
after the agents.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from agent_focus.journal.db import LOG_NAME, open_log
from agent_focus.journal.dollars import ExactSum, dollars

_PROVIDER = "CASE source WHEN 'claude' THEN 'anthropic' ELSE 'openai' END"
_CALLS = (
    f"SELECT source, {_PROVIDER}, cwd, NULL, NULL, model, date(at, 'localtime'), session,"
    " input_tokens, output_tokens, cache_write_tokens + cache_write_1h_tokens, cached_tokens,"
    " cost_usd, 1, cost_usd IS NOT NULL FROM agent_usage WHERE at >= ? AND at < ?"
)
# An hour of usage_hours is summed as it is when its first and last millisecond fall on the
# same local day at the same UTC offset (so every call in it does): every hour in a zone a
# whole number of hours from UTC. Otherwise (local midnight inside it, as at +05:30, or an
# offset change) its calls are read one by one.
_LAST = "slot, '+3599.999 seconds'"
_WHOLE_DAY = (
    f"date(slot, 'localtime') = date({_LAST}, 'localtime')"
    f" AND strftime('%s', slot, 'localtime') - strftime('%s', slot)"
    f" = strftime('%s', {_LAST}, 'localtime') - strftime('%s', {_LAST})"
)
_HOURS = (
    f"SELECT source, {_PROVIDER}, cwd, NULL, NULL, model, date(slot, 'localtime'), session,"
    " input_tokens, output_tokens, cache_write_tokens, cached_tokens, cost_usd, calls, priced"
    " FROM usage_hours WHERE slot >= ? AND slot < ?{split}"
)
# The split hours, checked once per hour rather than once per row of it (in slot order).
# LIMIT -1 (none) keeps SQLite from pushing the check down into the DISTINCT, which would
# make it once per row after all: at 1 GB of logs, 13,707 rows for 2,304 hours, 60 ms not 16.
_SPLIT_HOURS = (
    "SELECT slot FROM (SELECT DISTINCT slot FROM usage_hours WHERE slot >= ? AND slot < ?"
    f" LIMIT -1) WHERE NOT ({_WHOLE_DAY}) ORDER BY slot"
)
_PLANNER = (
    "SELECT 'planner', provider, NULL, agent, worktree, model, date(at, 'localtime'), 'planner',"
    " input_tokens, output_tokens, cache_write_tokens, cached_tokens, cost_usd, 1,"
    " cost_usd IS NOT NULL FROM llm_calls WHERE at >= ? AND at < ?"
)
_GROUPED = (
    "WITH parts(" + ", ".join(f"c{i}" for i in range(15)) + ") AS ({parts})"
    " SELECT {columns}, sum(c8), sum(c9), sum(c10), sum(c11),"
    " CASE WHEN sum(c14) THEN exact_sum(c12) END, sum(c13), sum(c13) - sum(c14) FROM parts"
    " GROUP BY {keys}"
)
# Columns of all: 0 source, 1 provider, 2 cwd, 3 agent, 4 worktree, 5 model, 6 day,
# 7 session, 8 input, 9 output, 10 cache writes, 11 cache reads, 12 cost, 13 calls,
# 14 priced calls.
EVERY_KEY = tuple(range(8))  # groups by all a key may need (the control room's charts)
_KEY_COLUMN = {"source": 0, "provider": 1, "model": 5, "day": 6, "session": 7}
# What a report by each key groups by (its other key columns NULL): by day, 1 GB of logs
# gives 121 groups, not the 8,735 of every key's combinations, read in a fifth of the time.
# An agent or a worktree is found from the cwd, or is the planner's own.
_KEEP = {key: (column,) for key, column in _KEY_COLUMN.items()} | dict.fromkeys(
    ("agent", "worktree"), (0, 2, 3, 4)
)
Place = Callable[[str | None], tuple[str | None, str | None]]  # cwd -> (agent, worktree)


class UsageReport(NamedTuple):
    by: str
    total: dict[str, Any]
    rows: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "total": self.total, "rows": self.rows}


def empty() -> dict[str, Any]:
    return {
        "input_tokens": 0, "output_tokens": 0, "cache_write_tokens": 0, "cached_tokens": 0,
        "total_tokens": 0, "cost_usd": 0.0, "calls": 0, "unpriced_calls": 0,
    }  # fmt: skip


_ADDED = ("input_tokens", "output_tokens", "cache_write_tokens", "cached_tokens", "total_tokens", "calls", "unpriced_calls")  # fmt: skip


class Tally:
    """USAGE figures added up call by call: the tokens and calls as they come, the dollars
    kept and summed exactly when asked for (:func:`~agent_focus.journal.dollars.dollars`),
    so that a total does not depend on the order or the grouping of what it adds (the total
    of `--by task` is that of its tasks' calls, not of their rounded rows). A cost is known
    once any call of it is priced; unpriced calls are counted, never priced at 0."""

    def __init__(self) -> None:
        self.figures = empty()
        self.costs: list[float] = []

    def add(self, given: int, made: int, written: int, read: int, cost: float | None) -> None:
        figures = self.figures
        figures["input_tokens"] += given
        figures["output_tokens"] += made
        figures["cache_write_tokens"] += written
        figures["cached_tokens"] += read
        figures["total_tokens"] += given + made + written + read
        figures["calls"] += 1
        if cost is None:
            figures["unpriced_calls"] += 1
        else:
            self.costs.append(cost)

    def merge(self, other: Tally) -> None:
        for name in _ADDED:
            self.figures[name] += other.figures[name]
        self.costs += other.costs

    def usage(self) -> dict[str, Any]:
        """The figures, and the dollars: 0 for no call, unknown (None) when none is priced."""
        if self.costs:
            return self.figures | {"cost_usd": dollars(self.costs)}
        return self.figures | {"cost_usd": None if self.figures["calls"] else 0.0}


def bounds(since: datetime | None, until: datetime | None) -> tuple[str, str]:
    """A window as the journal's UTC text: ``("", "~")`` is all of time."""
    if since is None and until is None:
        return ("", "~")
    from agent_focus.journal.spend import stamp

    return (stamp(since) if since else "", stamp(until) if until else "~")


def _hour(stamp: str, up: bool) -> str:
    """The UTC hour (usage_hours' slot) at or after (``up``), else at or before, a bound."""
    if stamp in ("", "~"):
        return stamp
    moment = datetime.fromisoformat(stamp).astimezone(UTC)
    floor = moment.replace(minute=0, second=0, microsecond=0)
    if up and floor != moment:
        floor += timedelta(hours=1)
    return floor.isoformat(timespec="milliseconds")


def read_calls(
    folder: Path, since: datetime | None = None, until: datetime | None = None
) -> Iterable[tuple[Any, ...]]:
    """Every call in the window, grouped by what any key needs, with summed figures (a group
    may come twice when hundreds of hours are split by local midnights): the agents' calls
    from their hourly sums (usage_hours), the calls of the window's partial hours and of
    the hours split by a local midnight one by one."""
    if not (folder / LOG_NAME).exists():
        return []
    db = open_log(folder)
    try:
        return _calls(db, since, until)
    finally:
        db.close()


def _calls(
    db: sqlite3.Connection,
    since: datetime | None,
    until: datetime | None,
    keep: tuple[int, ...] = EVERY_KEY,
) -> list[tuple[Any, ...]]:
    """:func:`read_calls`, grouped by the key columns ``keep`` (the others NULL)."""
    low, high = bounds(since, until)
    first, last = _hour(low, up=True), _hour(high, up=False)
    if first >= last:
        first = last = high  # no whole hour in the window: every call one by one
    split = [row[0] for row in db.execute(_SPLIT_HOURS, (first, last))]
    # the hours of the window but its split ones (none in most zones: no check at all; else
    # each row checked, as binding every split hour could pass an old SQLite's 999 variables)
    hours = _HOURS.format(split=f" AND {_WHOLE_DAY}" if split else "")
    parts: list[tuple[str, tuple[str, ...]]] = [
        (hours, (first, last)),
        (_CALLS, (low, first)),
        (_CALLS, (max(last, low), high)),
        (_PLANNER, (low, high)),
    ]
    parts += [(_CALLS, (slot, slot[:13] + "~")) for slot in split]
    rows: list[tuple[Any, ...]] = []
    db.create_aggregate("exact_sum", 1, ExactSum)  # type: ignore[arg-type]  # (typeshed: int only)
    columns = ", ".join(f"c{i}" if i in keep else "NULL" for i in EVERY_KEY)
    keys = ", ".join(f"c{i}" for i in keep)
    for at in range(0, len(parts), 400):  # SQLite allows 500 terms in a compound SELECT
        chunk = parts[at : at + 400]
        parted = " UNION ALL ".join(sql for sql, _ in chunk)
        query = _GROUPED.format(parts=parted, columns=columns, keys=keys)
        rows += db.execute(query, [v for _, args in chunk for v in args]).fetchall()
    return rows


def usage_report(
    folder: Path,
    by: str,
    place: Place,
    since: datetime | None = None,
    until: datetime | None = None,
) -> UsageReport:
    """Totals per ``by`` over the window, and the grand total. A report by one of the
    :data:`~agent_focus.journal.usage_cache.CACHED` keys is read back while nothing it sums
    has changed (:mod:`agent_focus.journal.usage_cache`): the same JSON, byte for byte."""
    from agent_focus.journal import usage_cache

    if not (folder / LOG_NAME).exists():
        return _fold(by, place, [])
    db = open_log(folder)
    try:
        db.execute("BEGIN")  # one snapshot: the count and the calls it counts
        try:
            key = usage_cache.key(by, *bounds(since, until))
            generation, kept = usage_cache.lookup(db, by, key)
            if kept is not None:
                return UsageReport(by, *kept)
            calls = _calls(db, since, until, _KEEP.get(by, EVERY_KEY))
        finally:
            db.execute("COMMIT")
        report = _fold(by, place, calls)
        if by in usage_cache.CACHED:
            usage_cache.remember(db, key, generation, report.total, report.rows)
        return report
    finally:
        db.close()


def _fold(by: str, place: Place, found: Iterable[tuple[Any, ...]]) -> UsageReport:
    """The report of ``found`` (:func:`read_calls`' groups) per ``by``.

    Each group is added to its key's total and to the grand total in one tight loop: ``sums``
    holds each key's figures in :func:`empty`'s order, its dollars as the list of its groups'
    costs, summed exactly and rounded once at the end (:func:`dollars`), so that a total
    does not depend on how the journal grouped the calls (a report groups by its key)."""
    sums: dict[Any, list[Any]] = {}
    total: list[Any] = [0, 0, 0, 0, 0, None, 0, 0]
    column = _KEY_COLUMN.get(by)
    if column is None and by not in ("agent", "worktree"):
        raise KeyError(by)
    unknown = by in ("model", "session")  # keys that read "?" when missing
    for row in found:
        if column is not None:
            key = row[column]
            if unknown and not key:
                key = "?"
        else:
            source, _provider, cwd, agent, worktree = row[:5]
            if source != "planner":
                agent, worktree = place(cwd)
                agent = agent or cwd or "?"
            key = (agent or "?") if by == "agent" else (worktree or cwd or "?")
        given, made, written, read, cost, calls, unpriced = row[8:]
        if unpriced is None:
            unpriced = calls if cost is None else 0
        figures = sums.get(key)
        if figures is None:
            figures = sums[key] = [0, 0, 0, 0, 0, None, 0, 0]
        for into in (figures, total):
            into[0] += given
            into[1] += made
            into[2] += written
            into[3] += read
            into[4] += given + made + written + read
            if cost is not None:
                if into[5] is None:
                    into[5] = []
                into[5].append(cost)
            into[6] += calls
            into[7] += unpriced
    for figures in (*sums.values(), total):
        if figures[5] is not None:
            figures[5] = dollars(figures[5])
        elif not figures[6]:
            figures[5] = 0.0  # no call at all: $0, known (unpriced calls: unknown)
    names = tuple(empty())
    groups = {key: dict(zip(names, figures, strict=True)) for key, figures in sums.items()}
    rows = [{by: key, **figures} for key, figures in sorted(groups.items(), key=_order(by))]
    return UsageReport(by, dict(zip(names, total, strict=True)), rows)


def _order(by: str) -> Callable[[tuple[str, dict[str, Any]]], tuple[Any, ...]]:
    """Agents (A1, A2...) and worktrees first, then the paths of sessions elsewhere; days
    and others in their natural order."""
    placed = by in ("agent", "worktree")

    def key(item: tuple[str, dict[str, Any]]) -> tuple[Any, ...]:
        name = str(item[0])
        return (placed and name.startswith("/"), name)

    return key
