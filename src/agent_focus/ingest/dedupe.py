"""ccusage's de-duplication, run against the journal so that it holds across runs.

A call is found by its exact key (message id and request id), else by its replay key
(message id and session) when it or the kept copy is a sidechain. Among copies of one call
the kept one is the non-sidechain copy, then the larger token total, then the larger cost,
then the first in sorted path order and line. That is an order on copies, so reading logs
in any order, or a copy twice, keeps the same call.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from agent_focus.ingest.claude import Pricer
from agent_focus.ingest.records import (
    COST,
    EXACT,
    OFFSET,
    PATH,
    REPLAY,
    SIDECHAIN,
    SOURCE,
    Call,
    total_tokens,
)
from agent_focus.journal.db import FILL_HOURS
from agent_focus.journal.pricing import price_function, rates_for

if TYPE_CHECKING:
    from agent_focus.config import Price

COLUMNS = (
    "id", "source", "at", "session", "cwd", "model", "input_tokens", "output_tokens",
    "cache_write_tokens", "cache_write_1h_tokens", "cached_tokens", "cost_usd", "sidechain",
    "path", "offset",
)  # fmt: skip
FLUSH_CALLS = 4096  # new or changed calls held before they are written: bounds the memory
_INSERT = f"INSERT OR REPLACE INTO agent_usage ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"  # fmt: skip


def better(new: Call, kept: Call) -> bool:
    """Whether ``new`` replaces ``kept`` (ccusage's order of copies)."""
    if new[SIDECHAIN] != kept[SIDECHAIN]:
        return not new[SIDECHAIN]
    if (size := total_tokens(new)) != (kept_size := total_tokens(kept)):
        return size > kept_size
    if (cost := new[COST] or 0.0) != (kept_cost := kept[COST] or 0.0):
        return cost > kept_cost
    return (new[PATH], new[OFFSET]) < (kept[PATH], kept[OFFSET])


def keep_consecutive(calls: list[Call], call: Call) -> None:
    """Append ``call`` to a log's ``calls``, or, when the call before has the same exact and
    replay keys, keep the better of the two there. The :class:`Deduper` ends the same way
    either way: nothing comes between the two copies, and it keeps the best of a call's
    copies by :func:`better`, an order (tests/test_dedupe_order.py)."""
    if not calls or (exact := call[EXACT]) is None:
        calls.append(call)
        return
    last = calls[-1]
    if exact != last[EXACT] or call[REPLAY] != last[REPLAY]:
        calls.append(call)
    elif better(call, last):
        calls[-1] = call


class Deduper:
    """Adds calls to the journal in ``db`` (inside the caller's transaction)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.kept: dict[int, Call] = {}  # new or changed, unwritten
        self.keys: dict[str, int] = {}  # this run's new keys (all: looked up without SQL)
        self.unwritten: list[tuple[str, int]] = []  # those of them not written yet
        self.journal_empty = db.execute("SELECT 1 FROM agent_usage LIMIT 1").fetchone() is None
        # On a first read every key is new: they are all written at the end (:meth:`close`),
        # sorted once, so the key index fills page after page instead of all over the file.
        self.next_id = (
            int(db.execute("SELECT coalesce(max(id), 0) FROM agent_usage").fetchone()[0]) + 1
        )

    def _find(self, key: str) -> int | None:
        found = self.keys.get(key)
        if found is None and not self.journal_empty:
            row = self.db.execute("SELECT call_id FROM call_keys WHERE key = ?", (key,)).fetchone()
            found = row[0] if row else None
        return found

    def _load(self, call_id: int) -> Call:
        if call_id in self.kept:
            return self.kept[call_id]
        row = self.db.execute(
            f"SELECT {', '.join(COLUMNS[1:])} FROM agent_usage WHERE id = ?", (call_id,)
        ).fetchone()
        return (None, None, *row)

    def add(self, call: Call) -> None:
        """Add a call (priced: its cost is its own or its price)."""
        exact, replay = call[EXACT], call[REPLAY]
        if self.journal_empty:  # every key is in self.keys
            call_id = by_exact = self.keys.get(exact) if exact else None
            by_replay = self.keys.get(replay) if replay else None
        else:
            call_id = by_exact = self._find(exact) if exact else None
            by_replay = self._find(replay) if replay else None
        if (
            call_id is None
            and by_replay is not None
            and (call[SIDECHAIN] or self._load(by_replay)[SIDECHAIN])
        ):
            call_id = by_replay
        if call_id is None:
            call_id = self.next_id
            self.next_id += 1
        elif not better(call, self._load(call_id)):
            return
        self.kept[call_id] = call
        if exact and by_exact is None:
            self.keys[exact] = call_id
            if not self.journal_empty:
                self.unwritten.append((exact, call_id))
        if replay and by_replay is None:
            self.keys[replay] = call_id
            if not self.journal_empty:
                self.unwritten.append((replay, call_id))
        if len(self.kept) >= FLUSH_CALLS:
            self.flush()

    def forget(self, path: str) -> None:
        """A rewritten log (see :func:`forget_file`), after a :meth:`flush`."""
        gone = {
            row[0] for row in self.db.execute("SELECT id FROM agent_usage WHERE path = ?", (path,))
        }
        forget_file(self.db, path)
        if gone:
            self.keys = {key: call_id for key, call_id in self.keys.items() if call_id not in gone}

    def flush(self) -> None:
        """Write the calls and keys not written yet (the keys stay known)."""
        self.db.executemany(
            _INSERT, [(call_id, *call[SOURCE:]) for call_id, call in self.kept.items()]
        )
        self.unwritten.sort()  # in key order: the primary key's pages fill one after another
        self.db.executemany(
            "INSERT OR IGNORE INTO call_keys (key, call_id) VALUES (?, ?)", self.unwritten
        )
        self.kept.clear()
        self.unwritten.clear()

    def close(self) -> None:
        """Write what is left: the calls, and on a first read every key."""
        self.flush()
        if self.journal_empty:
            ordered = sorted(self.keys)  # (key, id) pairs made by zip, in C
            self.db.executemany(
                "INSERT OR IGNORE INTO call_keys (key, call_id) VALUES (?, ?)",
                zip(ordered, map(self.keys.__getitem__, ordered), strict=True),
            )


def forget_file(db: sqlite3.Connection, path: str) -> None:
    """A rewritten log: its kept calls and their keys go; it is read again whole."""
    db.execute(
        "DELETE FROM call_keys WHERE call_id IN (SELECT id FROM agent_usage WHERE path = ?)",
        (path,),
    )
    db.execute("DELETE FROM agent_usage WHERE path = ?", (path,))


@contextlib.contextmanager
def bulk_load(db: sqlite3.Connection) -> Iterator[None]:
    """Inside the caller's transaction: when the journal holds no calls yet (a first read of
    every log), drop the secondary indexes of the calls and keys and build them again at the
    end, sorted once, instead of updating them row by row in random order (which makes
    SQLite write the same pages over and over once the transaction outgrows its cache)."""
    if db.execute("SELECT 1 FROM agent_usage LIMIT 1").fetchone() is not None:
        yield
        return
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('agent_usage', 'call_keys')"
    ).fetchall()
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in indexes:
        db.execute(sql)


@contextlib.contextmanager
def hours_kept(db: sqlite3.Connection, rebuild: bool) -> Iterator[None]:
    """Inside the caller's transaction: keep ``usage_hours`` equal to the sums of
    ``agent_usage``. The hours of every call written or removed are noted (temporary
    triggers; REPLACE's removals fire them only with ``PRAGMA recursive_triggers = ON``, which
    the caller sets before its transaction) and summed again at
    the end from the calls themselves; on a first read (``rebuild``) every hour is summed
    once at the end instead."""
    if rebuild:
        yield
        db.execute("DELETE FROM usage_hours")
        db.execute(FILL_HOURS, ("", "~"))
        return
    db.execute("CREATE TEMP TABLE IF NOT EXISTS dirty_hours (hour TEXT PRIMARY KEY) WITHOUT ROWID")
    for name, event, row in (("usage_added", "INSERT", "new"), ("usage_removed", "DELETE", "old")):
        db.execute(
            f"CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {event} ON agent_usage BEGIN"
            f" INSERT OR IGNORE INTO dirty_hours VALUES (substr({row}.at, 1, 13)); END"
        )
    yield
    for (hour,) in db.execute("SELECT hour FROM dirty_hours").fetchall():
        db.execute("DELETE FROM usage_hours WHERE slot = ?", (hour + ":00:00.000+00:00",))
        db.execute(FILL_HOURS, (hour, hour + "~"))
    db.execute("DELETE FROM dirty_hours")


def pricer_for(overrides: dict[str, Price]) -> Pricer:
    """:func:`~agent_focus.journal.pricing.cost_usd` with each model's rates looked up once."""
    known: dict[str | None, Callable[[int, int, int, int, int], float] | None] = {}

    def price(model: str | None, given: int, made: int, write: int, hour: int, read: int) -> float | None:  # fmt: skip
        if not (given or made or write or hour or read):
            return 0.0  # nothing used (a `<synthetic>` record): nothing to price
        try:
            priced = known[model]
        except KeyError:
            rates = rates_for(model or "", overrides)
            priced = known[model] = price_function(rates) if rates is not None else None
        return priced(given, made, read, write, hour) if priced is not None else None

    return price
