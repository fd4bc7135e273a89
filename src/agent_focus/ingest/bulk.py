"""A first read's bulk writes, inside the ingester's transaction: the schema objects that
would cost a row each (secondary indexes, counting triggers) set aside while it writes, and
made again from their own SQL at the end."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator


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


@contextlib.contextmanager
def bulk_load(db: sqlite3.Connection) -> Iterator[None]:
    """When the journal holds no calls yet (a first read of every log), the secondary
    indexes of the calls and keys dropped and built again at the end, sorted once, instead
    of updated row by row in random order (which makes SQLite write the same pages over and
    over once the transaction outgrows its cache)."""
    if db.execute("SELECT 1 FROM agent_usage LIMIT 1").fetchone() is not None:
        yield
        return
    with set_aside(db, "index", "agent_usage", "call_keys"):
        yield
