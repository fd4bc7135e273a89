"""A first read's bulk writes, inside the ingester's transaction: the schema objects that
would cost a row each (secondary indexes, counting triggers) set aside while it writes, and
made again from their own SQL at the end; after its commit, the copy of the write-ahead log
into the journal done in a thread while the caller goes on (:func:`checkpoint_behind`)."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path

from agent_focus.journal.db import LOG_NAME


@contextlib.contextmanager
def set_aside(db: sqlite3.Connection, kind: str, *tables: str) -> Iterator[int]:
    """The ``kind`` (``index`` or ``trigger``) objects of ``tables`` dropped, then made again
    as they were; gives how many there are. A rollback brings them back too."""
    found = db.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL"
        f" AND tbl_name IN ({', '.join('?' for _ in tables)})",
        (kind, *tables),
    ).fetchall()
    for name, _sql in found:
        db.execute(f'DROP {kind.upper()} "{name}"')
    yield len(found)
    for _name, sql in found:
        db.execute(sql)


PARAMETERS = 960  # a statement's at most: under 999, the limit of SQLite before 3.32


def insert_rows(db: sqlite3.Connection, head: str, rows: Sequence[Sequence[object]]) -> None:
    """``head`` (``INSERT ... INTO table (columns) VALUES``) run for ``rows``, as SQLite runs
    ``executemany``, row after row in order, but as many rows a statement as :data:`PARAMETERS`
    allows (64 calls, 480 keys): the statement is stepped and reset, and the GIL let go and
    taken again, once per statement, not per row (a first read of 1 GB writes 360,000 rows:
    docs/performance.md, ninth pass)."""
    if not rows:
        return
    widths = set(map(len, rows))
    if len(widths) > 1:  # flattened, a short row and a long one would shift each other's values
        raise sqlite3.ProgrammingError(f"rows must all have the same number of values: {sorted(widths)}")  # fmt: skip
    width = widths.pop()
    many = max(1, PARAMETERS // width)
    one = f"({', '.join('?' * width)})"
    full = len(rows) - len(rows) % many
    if full:
        sql = f"{head} {', '.join([one] * many)}"
        for start in range(0, full, many):
            db.execute(sql, list(chain.from_iterable(rows[start : start + many])))
    if full < len(rows):
        db.executemany(f"{head} {one}", rows[full:])


@contextlib.contextmanager
def bulk_load(db: sqlite3.Connection) -> Iterator[None]:
    """When the journal holds no calls yet (a first read of every log), the secondary
    indexes of the calls and keys dropped and built again at the end, sorted once, instead
    of updated row by row in random order (which makes SQLite write the same pages over and
    over once the transaction outgrows its cache)."""
    if db.execute("SELECT 1 FROM agent_usage LIMIT 1").fetchone() is not None:
        yield
        return
    db.execute("PRAGMA wal_autocheckpoint = 0")  # the commit leaves it: checkpoint_behind
    with set_aside(db, "index", "agent_usage", "call_keys"):
        yield


def checkpoint_behind(folder: Path) -> threading.Thread | None:
    """After a first read's commit, which wrote tens of megabytes into the write-ahead log
    and did not copy them into the journal (:func:`bulk_load`): that copy (SQLite's
    checkpoint, 0.2 s at 1 GB of logs) done in a thread, on a connection of its own, while
    the caller goes on to its report; SQLite leaves the lock (the GIL) while it copies.

    The connection is opened, and reads, here: a connection holds the journal (a shared
    lock) only once it has read from it, and then the caller's close is not the last one
    and leaves the copy alone. The process waits for the thread before it exits
    (:func:`wait_for_checkpoints` before an exit without teardown). A copy that cannot be
    made now is made by a later commit or close, as SQLite always does."""
    try:
        db = sqlite3.connect(folder / LOG_NAME, isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        return None  # the caller's close copies it, as ever
    try:
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.Error:
        db.close()
        return None

    def copy() -> None:
        try:
            with contextlib.suppress(sqlite3.Error):
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            db.close()

    thread = threading.Thread(target=copy, name="focus-checkpoint")
    thread.start()
    COPYING[:] = [*(other for other in COPYING if other.is_alive()), thread]
    return thread


COPYING: list[threading.Thread] = []  # the checkpoints running: the fast exit waits for them


def wait_for_checkpoints() -> None:
    """Every checkpoint started here done (the exit without teardown, cli.app.script, would
    end them half way: the journal would be whole, the copy left to the next command)."""
    while COPYING:
        COPYING.pop().join()
