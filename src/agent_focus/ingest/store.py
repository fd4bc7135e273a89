"""The journal side of ingest: how far each log was read, and the calls, de-duplicated.

De-duplication follows ccusage: calls are keyed by (message id, request id) across every
log; among copies a non-sidechain copy wins, then the larger token total, then the first in
sorted path order. The rule is an order on copies, so the result does not depend on the
order files are read in, and reading a copy twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent_focus.ingest.records import CallRecord

COLUMNS = (
    "source", "call_key", "at", "session", "cwd", "model", "input_tokens", "output_tokens",
    "cache_write_tokens", "cache_write_1h_tokens", "cached_tokens", "cost_usd", "sidechain", "path",
)  # fmt: skip
_TOTAL = "{t}.input_tokens + {t}.output_tokens + {t}.cache_write_tokens + {t}.cache_write_1h_tokens + {t}.cached_tokens"
UPSERT = (
    f"INSERT INTO agent_usage ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
    " ON CONFLICT(call_key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "call_key")
    + " WHERE agent_usage.sidechain > excluded.sidechain"
    " OR (agent_usage.sidechain = excluded.sidechain AND ("
    f" ({_TOTAL.format(t='excluded')}) > ({_TOTAL.format(t='agent_usage')})"
    f" OR (({_TOTAL.format(t='excluded')}) = ({_TOTAL.format(t='agent_usage')})"
    " AND excluded.path < agent_usage.path)))"
)
HEAD_BYTES = 4096


def head_digest(data: bytes) -> str:
    """Identifies a file's beginning, to tell an append from a rewrite."""
    return hashlib.blake2b(data[:HEAD_BYTES], digest_size=12).hexdigest()


@dataclass
class FileMark:
    """What the journal remembers of one log file."""

    path: str
    source: str
    device: int
    inode: int
    size: int
    offset: int
    head: str
    state: dict[str, Any] = field(default_factory=dict)


def read_marks(db: sqlite3.Connection) -> dict[str, FileMark]:
    rows = db.execute(
        "SELECT path, source, device, inode, size, offset, head, state FROM log_files"
    ).fetchall()
    return {
        row[0]: FileMark(row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]))
        for row in rows
    }


Pricer = Callable[[CallRecord], "float | None"]


def save_file(
    db: sqlite3.Connection, mark: FileMark, records: list[CallRecord], reset: bool, price: Pricer
) -> None:
    """In one transaction: forget the file's old calls when it was rewritten, add the new
    ones (priced by ``price`` unless they carry their own cost), and move its mark."""
    with db:
        db.execute("BEGIN IMMEDIATE")
        if reset:
            db.execute("DELETE FROM agent_usage WHERE path = ?", (mark.path,))
        db.executemany(UPSERT, [_row(r, price) for r in records])
        db.execute(
            "INSERT INTO log_files (path, source, device, inode, size, offset, head, state)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET"
            " source = excluded.source, device = excluded.device, inode = excluded.inode,"
            " size = excluded.size, offset = excluded.offset, head = excluded.head,"
            " state = excluded.state",
            (mark.path, mark.source, mark.device, mark.inode, mark.size, mark.offset,
             mark.head, json.dumps(mark.state)),
        )  # fmt: skip


def count_calls(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM agent_usage").fetchone()[0])


def _row(record: CallRecord, price: Pricer) -> tuple[object, ...]:
    cost = record.cost_usd if record.cost_usd is not None else price(record)
    return (
        record.source, record.call_key, record.at, record.session, record.cwd, record.model,
        record.input_tokens, record.output_tokens, record.cache_write_tokens,
        record.cache_write_1h_tokens, record.cached_tokens, cost,
        int(record.sidechain), record.path,
    )  # fmt: skip
