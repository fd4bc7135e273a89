"""How far each agent log was read: its identity, size, offset and head, and a reader's
state (Codex keeps its cumulative totals)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any, ClassVar

from agent_focus.plain import Plain

HEAD_BYTES = 4096


def head_digest(data: bytes) -> str:
    """Identifies a file's beginning, to tell an append from a rewrite."""
    import hashlib  # here: a run with nothing new to read has no use for it

    return hashlib.blake2b(data[:HEAD_BYTES], digest_size=12).hexdigest()


class FileMark(Plain):
    """What the journal remembers of one log file (a plain class: see
    ingest.report.IngestReport)."""

    FIELDS: ClassVar[tuple[str, ...]] = ("path", "source", "device", "inode", "size", "offset", "head", "state")  # fmt: skip
    __slots__ = ("device", "head", "inode", "offset", "path", "size", "source", "state")

    def __init__(
        self,
        path: str,
        source: str,
        device: int,
        inode: int,
        size: int,
        offset: int,
        head: str,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.device = device
        self.inode = inode
        self.size = size
        self.offset = offset
        self.head = head
        self.state: dict[str, Any] = {} if state is None else state


_MARK = "SELECT path, source, device, inode, size, offset, head, state FROM log_files"


def read_marks(db: sqlite3.Connection, paths: Iterable[str] | None = None) -> dict[str, FileMark]:
    """The marks of the logs at ``paths`` that have one, or of every log (a state saved with
    a lone surrogate, before strings were cleaned as read, comes back clean)."""
    from agent_focus.json_text import exact_loads

    wanted = None if paths is None else set(paths)
    if wanted is None or len(wanted) > 256:  # many (a first read): one scan, not a query each
        rows = db.execute(_MARK).fetchall()
        if wanted is not None:
            rows = [row for row in rows if row[0] in wanted]
    else:
        rows = [row for path in wanted for row in db.execute(_MARK + " WHERE path = ?", (path,))]
    return {  # most states are empty (Claude's logs have none): no JSON to parse for them
        path: FileMark(path, source, device, inode, size, offset, head, exact_loads(state) if state != "{}" else {})
        for path, source, device, inode, size, offset, head, state in rows
    }  # fmt: skip


def read_identities(db: sqlite3.Connection) -> dict[str, tuple[int, int, int]]:
    """Each log's (device, inode, size) when it was last read, by path: all a run needs to
    tell that a log has nothing new (no mark built, no state parsed)."""
    rows = db.execute("SELECT path, device, inode, size FROM log_files")
    return {path: (device, inode, size) for path, device, inode, size in rows}


def save_marks(db: sqlite3.Connection, marks: list[FileMark]) -> None:
    """Each log's mark, new or replacing its last (many rows a statement: ingest.bulk)."""
    import json

    from agent_focus.ingest.bulk import insert_rows

    insert_rows(
        db,
        "INSERT INTO log_files (path, source, device, inode, size, offset, head, state) VALUES",
        [
            (mark.path, mark.source, mark.device, mark.inode, mark.size, mark.offset,
             mark.head, json.dumps(mark.state) if mark.state else "{}")
            for mark in marks
        ],
        " ON CONFLICT(path) DO UPDATE SET source = excluded.source, device = excluded.device,"
        " inode = excluded.inode, size = excluded.size, offset = excluded.offset,"
        " head = excluded.head, state = excluded.state",
    )  # fmt: skip


def read_dirs(db: sqlite3.Connection) -> dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]]:
    """The log directories' listings (ingest.locate.Listing), by path."""
    return {
        path: (mtime, tuple(files.split("\0")) if files else (), tuple(dirs.split("\0")) if dirs else ())
        for path, mtime, files, dirs in db.execute("SELECT path, mtime, files, dirs FROM log_dirs")
    }  # fmt: skip


def save_dirs(
    db: sqlite3.Connection,
    before: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]],
    after: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]],
) -> None:
    """Write the listings that changed, forget the directories that are gone (a name that
    SQLite cannot store, not UTF-8, is simply listed again next time)."""
    gone = [(path,) for path in before if path not in after]
    changed = []
    for path, (mtime, files, dirs) in after.items():
        if before.get(path) != (mtime, files, dirs):
            row = (path, mtime, "\0".join(files), "\0".join(dirs))
            try:
                "".join((row[0], row[2], row[3])).encode()
            except UnicodeEncodeError:
                gone.append((path,))
                continue
            changed.append(row)
    if gone or changed:
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM log_dirs WHERE path = ?", gone)
            db.executemany("INSERT OR REPLACE INTO log_dirs VALUES (?, ?, ?, ?)", changed)


def count_calls(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM agent_usage").fetchone()[0])


def forget_all(db: sqlite3.Connection) -> None:
    """Every call read from the agents' logs forgotten, with how far each log was read and
    the hourly sums (the planner's own calls stay): they are all read again."""
    for table in ("call_keys", "agent_usage", "usage_hours", "log_files"):
        db.execute(f"DELETE FROM {table}")  # our own names


def mark_reread(db: sqlite3.Connection, paths: Iterable[str]) -> int:
    """Note the logs about to be read again whole (a temporary table, for
    :func:`forget_reread`); how many calls the journal holds of other logs: gone from disk
    (Claude Code deletes old transcripts), or under a root not read now. Those stay."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS reread (path TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute("DELETE FROM reread")
    db.executemany("INSERT OR IGNORE INTO reread VALUES (?)", ((path,) for path in paths))
    other = "SELECT count(*) FROM agent_usage WHERE path NOT IN (SELECT path FROM reread)"
    return int(db.execute(other).fetchone()[0])


def forget_logs(db: sqlite3.Connection, where: str, params: tuple[Any, ...] = ()) -> None:
    """The kept calls of the logs whose path is ``where`` (SQL: ``= ?``, ``IN (...)``), and
    their keys, forgotten: the logs are read again whole (their marks replaced then)."""
    db.execute(
        f"DELETE FROM call_keys WHERE call_id IN (SELECT id FROM agent_usage WHERE path {where})",
        params,
    )
    db.execute(f"DELETE FROM agent_usage WHERE path {where}", params)


def forget_reread(db: sqlite3.Connection) -> None:
    """The calls and keys of the logs :func:`mark_reread` noted forgotten (their hours are
    summed again by the caller's triggers: ingest.hours)."""
    forget_logs(db, "IN (SELECT path FROM reread)")
