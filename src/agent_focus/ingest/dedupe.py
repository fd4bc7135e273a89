"""ccusage's de-duplication, run against the journal so that it holds across runs.

A call is found by its exact key (message id and request id), else by its replay key
(message id and session) when it or the kept copy is a sidechain. Among copies of one call
the kept one is the non-sidechain copy, then the larger token total, then the larger cost,
then the first in sorted path order and line. That is an order on copies, so reading logs
in any order, or a copy twice, keeps the same call.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING

from agent_focus.ingest.bulk import insert_rows
from agent_focus.ingest.copies import better
from agent_focus.ingest.hours import HourSums
from agent_focus.ingest.records import AT, EXACT, REPLAY, SIDECHAIN, SOURCE, Call, total_tokens
from agent_focus.ingest.store import forget_logs
from agent_focus.journal.pricing import (
    CatalogueRates,
    catalogue_rates,
    price_function,
    rates_for,
)
from agent_focus.journal.timed_rates import TimedRates

if TYPE_CHECKING:
    from agent_focus.config import Price

COLUMNS = (
    "id", "source", "at", "session", "cwd", "model", "input_tokens", "output_tokens",
    "cache_write_tokens", "cache_write_1h_tokens", "cached_tokens", "cost_usd", "sidechain",
    "path", "offset",
)  # fmt: skip
FLUSH_CALLS = 4096  # new or changed calls held before they are written: bounds the memory
# A rewritten log is rare: the lookups that forgetting one needs are built when it happens
# and dropped at the end of that run, not kept up by every first read (journal.db m007).
_FORGET_INDEXES = (
    "CREATE INDEX IF NOT EXISTS forget_usage_path ON agent_usage (path)",
    "CREATE INDEX IF NOT EXISTS forget_keys_call ON call_keys (call_id)",
)
_KEY = itemgetter(0)
_INSERT = f"INSERT OR REPLACE INTO agent_usage ({', '.join(COLUMNS)}) VALUES"


class Deduper:
    """Adds calls to the journal in ``db`` (inside the caller's transaction)."""

    def __init__(
        self, db: sqlite3.Connection, first_read: HourSums | None = None, *, repricing: bool = False
    ) -> None:
        self.db = db
        self.hours = first_read  # summed here as written, on a first read (ingest.hours)
        self.kept: dict[int, Call] = {}  # new or changed, unwritten
        self.keys: dict[str, int] = {}  # this run's new keys (all: looked up without SQL)
        # Those not written yet: with each flush, sorted (one B-tree, journal.db m007: a
        # first read writes them while the readers read, not all at the end).
        self.unwritten: list[tuple[str, int]] = []
        self.forgetting = False  # whether a rewritten log was forgotten in this run
        self.journal_empty = db.execute("SELECT 1 FROM agent_usage LIMIT 1").fetchone() is None
        self.next_id = (
            int(db.execute("SELECT coalesce(max(id), 0) FROM agent_usage").fetchone()[0]) + 1
        )
        self.written = self.next_id  # ids below this one are in the journal
        # A re-read that keeps the calls of logs gone from disk (ingest.run, --reread): those
        # were priced before; a copy read now that ranks with one replaces it whatever their
        # costs (its price is of now), once. 0: no such calls.
        self.stale_below = self.next_id if repricing else 0  # ids of the calls priced before
        self.repriced: set[int] = set()

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
        elif not (better(call, kept := self._load(call_id)) or self._stale(call_id, call, kept)):
            return
        else:
            if call_id < self.stale_below:
                self.repriced.add(call_id)  # by a copy read now: compared as usual after
            if self.hours is not None and call_id < self.written:  # its sums are written
                self.hours.stale.update((kept[AT][:13], call[AT][:13]))
        self.kept[call_id] = call
        if exact and by_exact is None:
            self.keys[exact] = call_id
            self.unwritten.append((exact, call_id))
        if replay and by_replay is None:
            self.keys[replay] = call_id
            self.unwritten.append((replay, call_id))
        if len(self.kept) >= FLUSH_CALLS:
            self.flush()

    def _stale(self, call_id: int, call: Call, kept: Call) -> bool:
        """Whether ``kept`` is a call of a log gone from disk, priced before this re-read and
        not replaced since, which ``call`` ranks with but for the cost."""
        if call_id >= self.stale_below or call_id in self.repriced:
            return False
        return call[SIDECHAIN] == kept[SIDECHAIN] and total_tokens(call) == total_tokens(kept)

    def add_all(self, calls: list[Call]) -> None:
        """:meth:`add` each of a log's calls; on a first read a call neither of whose keys
        is known yet (most of them) is simply new, and added without the lookups."""
        if not self.journal_empty:
            for call in calls:
                self.add(call)
            return
        keys, kept, unwritten = self.keys, self.kept, self.unwritten  # flush clears, keeps them
        for call in calls:
            exact, replay = call[EXACT], call[REPLAY]
            if (exact is not None and exact in keys) or (replay is not None and replay in keys):
                self.add(call)
                continue
            call_id = self.next_id
            self.next_id = call_id + 1
            kept[call_id] = call
            if exact is not None:
                keys[exact] = call_id
                unwritten.append((exact, call_id))
            if replay is not None:
                keys[replay] = call_id
                unwritten.append((replay, call_id))
            if len(kept) >= FLUSH_CALLS:
                self.flush()

    def forget(self, path: str) -> None:
        """A rewritten log (see :func:`forget_file`), after a :meth:`flush`."""
        if not self.forgetting:  # the lookups by log and by call, for this run only
            self.forgetting = True
            for sql in _FORGET_INDEXES:
                self.db.execute(sql)
        rows = self.db.execute("SELECT id, at FROM agent_usage WHERE path = ?", (path,)).fetchall()
        gone = {call_id for call_id, _at in rows}
        if self.hours is not None:  # a first read sums as it writes: these hours sum again
            self.hours.stale.update(at[:13] for _id, at in rows)
        forget_file(self.db, path)
        if gone:
            self.keys = {key: call_id for key, call_id in self.keys.items() if call_id not in gone}

    def flush(self) -> None:
        """Write the calls and keys not written yet (the keys stay known)."""
        if self.hours is not None:
            written = self.written
            self.hours.add_all(call for call_id, call in self.kept.items() if call_id >= written)
            self.written = self.next_id
        insert_rows(self.db, _INSERT, [(call_id, *call[SOURCE:]) for call_id, call in self.kept.items()])  # fmt: skip
        self.unwritten.sort(key=_KEY)  # each key once: by the string alone, half the time
        insert_rows(
            self.db, "INSERT OR IGNORE INTO call_keys (key, call_id) VALUES", self.unwritten
        )
        self.kept.clear()
        self.unwritten.clear()

    def close(self) -> None:
        """Write what is left; drop the indexes that forgetting a log built."""
        self.flush()
        if self.forgetting:
            for sql in _FORGET_INDEXES:
                self.db.execute(f"DROP INDEX {sql.split()[5]}")


def forget_file(db: sqlite3.Connection, path: str) -> None:
    """A rewritten log: its kept calls and their keys go; it is read again whole."""
    forget_logs(db, "= ?", (path,))


def pricer_for(
    overrides: dict[str, Price], catalogue: Callable[[str], CatalogueRates] = catalogue_rates
) -> Prices:
    """:func:`~agent_focus.journal.pricing.cost_usd` with each model's rates looked up once
    (in ``catalogue``: the catalogue itself, or the rates kept of it, journal.known_rates)."""
    return Prices(overrides, catalogue)


PriceAt = Callable[[int, int, int, int, int, str], "float | None"]  # ..., at: a call's price


class Prices:
    """A call's price (a :data:`~agent_focus.ingest.copies.Pricer`), each model's rates
    looked up once; a model whose rates depend on the time is priced at the call's own."""

    __slots__ = ("catalogue", "known", "overrides", "rates")

    def __init__(
        self, overrides: dict[str, Price], catalogue: Callable[[str], CatalogueRates]
    ) -> None:
        self.overrides, self.catalogue = overrides, catalogue
        self.known: dict[str | None, PriceAt | None] = {}  # a model's price function, or None
        self.rates: dict[str | None, CatalogueRates] = {}

    def __call__(self, model: str | None, given: int, made: int, write: int, hour: int, read: int, at: str) -> float | None:  # fmt: skip
        if not (given or made or write or hour or read):
            return 0.0  # nothing used (a `<synthetic>` record): nothing to price
        try:
            priced = self.known[model]
        except KeyError:
            priced = self._look_up(model)
        return priced(given, made, read, write, hour, at) if priced is not None else None

    def _look_up(self, model: str | None) -> PriceAt | None:
        rates = self.rates[model] = rates_for(model or "", self.overrides, self.catalogue)
        priced: PriceAt | None
        if rates is None:
            priced = None
        elif isinstance(rates, TimedRates):
            priced = rates.price  # None when the model has no price at that time
        else:
            priced = price_function(rates)
        self.known[model] = priced
        return priced

    def same(self, model: str | None, at: str, other: str) -> bool:
        """Whether two calls of ``model`` with the same usage, made at ``at`` and ``other``,
        cost the same (always, but for a model whose price changed between them)."""
        if model not in self.rates:
            self._look_up(model)
        rates = self.rates[model]
        return not isinstance(rates, TimedRates) or rates.choose(at)[0] is rates.choose(other)[0]
