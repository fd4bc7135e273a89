"""How far each agent log was read: its identity, size, offset and head, and a reader's
state (Codex keeps its cumulative totals)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

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


def save_mark(db: sqlite3.Connection, mark: FileMark) -> None:
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
