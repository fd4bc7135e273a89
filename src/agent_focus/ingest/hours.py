"""The agents' calls summed per UTC hour (``usage_hours``, what `focus usage` reads), kept
equal to ``agent_usage`` by the ingester, inside its transaction.

A first read sums the calls as they are written (:class:`HourSums`, fed by the
de-duplicator's flushes while the readers are still reading), so the end of the run only
inserts the sums; a later run notes the hours its writes touch and sums those again from the
calls. Either way an hour's cost is :func:`math.fsum` of its calls' costs, the correctly
rounded sum, so it does not depend on the order the calls were read or summed in.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from agent_focus.ingest.bulk import insert_rows, set_aside
from agent_focus.ingest.records import AT, COST, MODEL, SOURCE, Call
from agent_focus.journal.dollars import exact_total

Group = tuple[str, str, str | None, str | None, str | None]  # hour, source, cwd, session, model
_INSERT = "INSERT INTO usage_hours VALUES"
# An hour's calls, as far as a Call's fields go (up to the cost): what HourSums.add_all reads.
_CALLS_OF_HOUR = (
    "SELECT NULL, NULL, source, at, session, cwd, model, input_tokens, output_tokens,"
    " cache_write_tokens, cache_write_1h_tokens, cached_tokens, cost_usd FROM agent_usage"
    " WHERE at >= ? AND at < ?"
)


class HourSums:
    """Calls summed per hour, source, cwd, session and model: ``usage_hours``' rows."""

    def __init__(self) -> None:
        # Per group: input, output, cache writes, cache reads, calls, then each priced cost.
        self.groups: dict[Group, list[Any]] = {}
        self.stale: set[str] = set()  # hours ("YYYY-MM-DDTHH") to sum again from the calls

    def add_all(self, calls: Iterable[Call | tuple[Any, ...]]) -> None:
        groups = self.groups
        for call in calls:
            key = (call[AT][:13], call[SOURCE], call[5], call[4], call[MODEL])
            sums = groups.get(key)
            if sums is None:
                sums = groups[key] = [0, 0, 0, 0, 0]
            sums[0] += call[7]
            sums[1] += call[8]
            sums[2] += call[9] + call[10]
            sums[3] += call[11]
            sums[4] += 1
            if (cost := call[COST]) is not None and cost == cost:  # NaN: NULL in the journal
                sums.append(cost)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """``usage_hours`` rows of every hour that is not stale."""
        for (hour, *group), sums in self.groups.items():
            if hour not in self.stale:
                costs = sums[5:]
                cost = exact_total(costs) if costs else None
                yield (f"{hour}:00:00.000+00:00", *group, *sums[:4], cost, len(costs), sums[4])


def sum_again(db: sqlite3.Connection, hours: Iterable[str]) -> None:
    """These hours' rows of ``usage_hours`` summed again from their calls."""
    for hour in hours:
        db.execute("DELETE FROM usage_hours WHERE slot = ?", (hour + ":00:00.000+00:00",))
        sums = HourSums()
        sums.add_all(db.execute(_CALLS_OF_HOUR, (hour, hour + "~")))
        insert_rows(db, _INSERT, list(sums.rows()))


@contextlib.contextmanager
def hours_kept(db: sqlite3.Connection, first_read: HourSums | None) -> Iterator[None]:
    """Inside the caller's transaction: keep ``usage_hours`` equal to the sums of
    ``agent_usage``. On a first read (``first_read``: the sums the de-duplicator makes as it
    writes, and the hours it made stale by replacing a call already written) the sums are
    inserted at the end. Otherwise the hours of every call written or removed are noted
    (temporary triggers; REPLACE's removals fire them only with ``PRAGMA recursive_triggers =
    ON``, which the caller sets before its transaction) and summed again at the end."""
    if first_read is not None:
        yield
        # m008's triggers count each row written (13,000 hours at 1 GB: 0.1 s): set aside,
        # and the change counted once
        with set_aside(db, "trigger", "usage_hours") as counting:
            db.execute("DELETE FROM usage_hours")
            insert_rows(db, _INSERT, list(first_read.rows()))
            sum_again(db, sorted(first_read.stale))
        if counting:  # the count is kept by those triggers (m008): none, no count
            db.execute("UPDATE usage_generation SET n = n + 1")
        return
    db.execute("CREATE TEMP TABLE IF NOT EXISTS dirty_hours (hour TEXT PRIMARY KEY) WITHOUT ROWID")
    for name, event, row in (("usage_added", "INSERT", "new"), ("usage_removed", "DELETE", "old")):
        db.execute(
            f"CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {event} ON agent_usage BEGIN"
            f" INSERT OR IGNORE INTO dirty_hours VALUES (substr({row}.at, 1, 13)); END"
        )
    yield
    sum_again(db, [hour for (hour,) in db.execute("SELECT hour FROM dirty_hours").fetchall()])
    db.execute("DELETE FROM dirty_hours")
