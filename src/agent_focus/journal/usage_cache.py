"""The reports of `focus usage` kept in the journal (m008_usage_generation): by one of the
:data:`CACHED` keys, a report is stored with the count of changes to what it sums (bumped
by triggers on ``usage_hours`` and ``llm_calls``, whoever writes them), its window and the
local zone (:func:`zone`); while that count is the same, the next such report is read
back, not summed again. The count and the report are read in one snapshot, and a report is
stored only if its count is still the latest."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from typing import Any

# Keys whose sums depend on the journal alone (and the zone): their reports are cached.
# An agent's or a worktree's depend on the worktrees too.
CACHED = frozenset(("day", "model", "session", "source", "provider"))
CACHE_ROWS = 32  # reports kept (of the latest count): each window is a key of its own
REPORT_FORMAT = 3  # in the key: a release that sums or shapes a report otherwise bumps it


def key(by: str, low: str, high: str) -> str:
    """A report's key: its format, grouping, UTC window and the local zone."""
    return json.dumps([REPORT_FORMAT, by, low, high, zone()])


def lookup(
    db: sqlite3.Connection, by: str, report_key: str
) -> tuple[int, tuple[dict[str, Any], list[dict[str, Any]]] | None]:
    """The journal's count of changes, and (total, rows) of the report kept under it, if
    any (inside the caller's read transaction)."""
    generation = int(db.execute("SELECT n FROM usage_generation").fetchone()[0])
    if by not in CACHED:
        return generation, None
    kept = db.execute(
        "SELECT report FROM usage_cache WHERE key = ? AND generation = ?",
        (report_key, generation),
    ).fetchone()
    if kept is None:
        return generation, None
    total, rows = json.loads(kept[0])
    return generation, (total, rows)


def remember(
    db: sqlite3.Connection,
    report_key: str,
    generation: int,
    total: dict[str, Any],
    rows: list[dict[str, Any]],
) -> None:
    """Keep a report summed at ``generation``, unless the calls changed since (then it is
    stale already); the reports of older counts go. A busy or read-only journal keeps none."""
    text = json.dumps([total, rows], ensure_ascii=False, separators=(",", ":"))
    try:
        db.execute("PRAGMA busy_timeout = 100")
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "DELETE FROM usage_cache WHERE generation != (SELECT n FROM usage_generation)"
            )
            db.execute(
                "INSERT OR REPLACE INTO usage_cache SELECT ?, n, ? FROM usage_generation"
                " WHERE n = ?",
                (report_key, text, generation),
            )
            db.execute(
                "DELETE FROM usage_cache WHERE rowid NOT IN"
                f" (SELECT rowid FROM usage_cache ORDER BY rowid DESC LIMIT {CACHE_ROWS})"
            )
    except sqlite3.Error:
        pass


def zone() -> str:
    """What SQLite's `localtime` depends on: ``TZ`` (and ``TZDIR``), the identity of the
    zone file the C library reads for it (a tzdata update or a new /etc/localtime replaces
    or rewrites it), and the offsets Python read at start."""
    tz = os.environ.get("TZ")
    name = (tz or "").removeprefix(":")
    tzdir = os.environ.get("TZDIR") or "/usr/share/zoneinfo"
    if tz is None:
        files = ["/etc/localtime"]
    elif name.startswith("/"):
        files = [name]
    else:  # a zone name, else a POSIX rule (whose DST dates may come from posixrules)
        files = [os.path.join(tzdir, name), os.path.join(tzdir, "posixrules")]
    found: list[tuple[int, ...] | None] = []
    for file in files:
        try:
            info = os.stat(file)
        except (OSError, ValueError):
            found.append(None)
            continue
        found.append((info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns))
    return repr((tz, os.environ.get("TZDIR"), found, time.timezone, time.altzone, time.tzname))
