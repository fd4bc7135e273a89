"""A first read's bulk writes, inside the ingester's transaction: the schema objects that
would cost a row each (secondary indexes, counting triggers) set aside while it writes, and
made again from their own SQL at the end; after its commit, the copy of the write-ahead log
into the journal left to a process of its own (:func:`checkpoint_behind`)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from agent_focus.journal.db import LOG_NAME

if TYPE_CHECKING:
    import subprocess


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


def insert_rows(
    db: sqlite3.Connection, head: str, rows: Sequence[Sequence[object]], tail: str = ""
) -> None:
    """``head`` (``INSERT ... INTO table (columns) VALUES``) run for ``rows``, as SQLite runs
    ``executemany``, row after row in order, but as many rows a statement as :data:`PARAMETERS`
    allows (64 calls, 480 keys): the statement is stepped and reset, and the GIL let go and
    taken again, once per statement, not per row (a first read of 1 GB writes 360,000 rows:
    docs/performance.md, ninth pass). ``tail`` follows the values (an upsert's ``ON
    CONFLICT`` clause, which SQLite applies to each row in turn, as to each of executemany's)."""
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
        sql = f"{head} {', '.join([one] * many)}{tail}"
        for start in range(0, full, many):
            db.execute(sql, list(chain.from_iterable(rows[start : start + many])))
    if full < len(rows):
        db.executemany(f"{head} {one}{tail}", rows[full:])


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


# The copier: holds the journal (a read) before it says so, then copies the write-ahead log.
_COPIER = """import sqlite3, sys
try:
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    sys.stdout.write("1")
    sys.stdout.close()
    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    db.close()
except sqlite3.Error:
    sys.exit(1)
"""


def checkpoint_behind(folder: Path) -> None:
    """After a first read's commit, which wrote tens of megabytes into the write-ahead log
    and did not copy them into the journal (:func:`bulk_load`): that copy (SQLite's
    checkpoint: 0.2 to 0.4 s at 1 GB of logs, mostly waiting for the disk) left to a process
    of its own, which the command does not wait for, as git leaves its housekeeping to one.

    The copier is a fresh interpreter (``-I -S``: no site, no environment), not a fork: a
    forked child would inherit SQLite's record of this process's locks, and could believe
    it holds one it does not. It opens the journal and reads from it before this returns: a
    connection holds the journal (a shared lock) once it has read, and then the caller's
    close is not the last one and leaves the copy alone. It runs in a session of its own (a
    ^C meant for the next command does not reach it). A copy that cannot be made now (no
    interpreter to start, the copier stopped) is made by a later commit or close, as SQLite
    always does; one cut short by the machine's end leaves the log whole, to copy later."""
    import subprocess
    import sys

    if not sys.executable:
        return
    try:
        copier = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _COPIER, str(folder / LOG_NAME)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    except OSError:
        return
    assert copier.stdout is not None
    try:
        with copier.stdout:
            ready = copier.stdout.read(1)
    except BaseException:  # (^C while it starts): not left running, nor unreaped
        copier.kill()
        copier.wait()
        raise
    if ready != b"1":  # it could not read the journal: the caller's close copies it
        copier.wait()
        return
    COPIERS.append(copier)  # reaped by a later ingest (ingest.guards) once it is done


COPIERS: list[subprocess.Popen[bytes]] = []  # the copies started here, not yet reaped


def reap_copiers() -> None:
    """The copiers that are done, reaped (a long-lived process, the control room, keeps no
    zombie: each ingest reaps them)."""
    COPIERS[:] = [copier for copier in COPIERS if copier.poll() is None]
