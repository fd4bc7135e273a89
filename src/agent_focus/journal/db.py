"""The journal: one SQLite file per clone, shared by every worktree and so every agent.

Kept under ``git rev-parse --git-common-dir``. WAL mode lets many processes write at once
and readers follow along; the schema migrates itself when the file is opened
(``MIGRATIONS``, as simonw/llm does), one migrator at a time.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

LOG_NAME = "focus.db"

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []


def migration(
    function: Callable[[sqlite3.Connection], None],
) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append(function)
    return function


@migration
def m001_llm_calls(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE llm_calls (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            agent TEXT,
            worktree TEXT,
            purpose TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cached_tokens INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            latency_ms REAL NOT NULL,
            cost_usd REAL,
            ok INTEGER NOT NULL,
            error TEXT
        )
        """
    )
    db.execute("CREATE INDEX llm_calls_at ON llm_calls (at)")


@migration
def m002_events(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            agent TEXT,
            worktree TEXT,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX events_agent ON events (agent, id)")


@migration
def m003_agent_usage(db: sqlite3.Connection) -> None:
    """The agents' own model calls, read from their session logs (Claude Code, Codex), and
    how far each log has been read."""
    db.execute(
        """
        CREATE TABLE log_files (
            path TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            device INTEGER NOT NULL,
            inode INTEGER NOT NULL,
            size INTEGER NOT NULL,
            offset INTEGER NOT NULL,
            head TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    db.execute(
        """
        CREATE TABLE agent_usage (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            at TEXT NOT NULL,
            session TEXT,
            cwd TEXT,
            model TEXT,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cache_write_tokens INTEGER NOT NULL,
            cache_write_1h_tokens INTEGER NOT NULL,
            cached_tokens INTEGER NOT NULL,
            cost_usd REAL,
            sidechain INTEGER NOT NULL DEFAULT 0,
            path TEXT NOT NULL,
            offset INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX agent_usage_at ON agent_usage (at)")
    db.execute("CREATE INDEX agent_usage_path ON agent_usage (path)")
    # Every key a kept call answers to (its copies' exact keys, its replay key): ccusage's
    # de-duplication index, kept across runs so an appended copy finds its call.
    db.execute("CREATE TABLE call_keys (key TEXT PRIMARY KEY, call_id INTEGER NOT NULL)")
    db.execute("CREATE INDEX call_keys_call ON call_keys (call_id)")


@migration
def m004_log_dirs(db: sqlite3.Connection) -> None:
    """Each log directory's listing as last seen, with its mtime: an unchanged directory is
    not listed again (ingest.locate)."""
    db.execute(
        "CREATE TABLE log_dirs (path TEXT PRIMARY KEY, mtime INTEGER NOT NULL,"
        " files TEXT NOT NULL, dirs TEXT NOT NULL)"
    )


# One row per UTC hour, source, cwd, session and model of agent_usage: what `focus usage`
# sums (journal.usage). Kept by the ingester (ingest.hours).
HOUR_SLOT = "substr(at, 1, 13) || ':00:00.000+00:00'"
FILL_HOURS = (
    "INSERT INTO usage_hours SELECT " + HOUR_SLOT + ", source, cwd, session, model,"
    " sum(input_tokens), sum(output_tokens), sum(cache_write_tokens + cache_write_1h_tokens),"
    " sum(cached_tokens), sum(cost_usd), count(cost_usd), count(*) FROM agent_usage"
    " WHERE at >= ? AND at < ? GROUP BY substr(at, 1, 13), source, cwd, session, model"
)


@migration
def m005_usage_hours(db: sqlite3.Connection) -> None:
    """The agents' calls summed per UTC hour, so that a total reads thousands of rows, not
    every call."""
    db.execute(
        """
        CREATE TABLE usage_hours (
            slot TEXT NOT NULL,
            source TEXT NOT NULL,
            cwd TEXT,
            session TEXT,
            model TEXT,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cache_write_tokens INTEGER NOT NULL,
            cached_tokens INTEGER NOT NULL,
            cost_usd REAL,
            priced INTEGER NOT NULL,
            calls INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX usage_hours_slot ON usage_hours (slot)")
    db.execute(FILL_HOURS, ("", "~"))


@migration
def m006_alert_episodes(db: sqlite3.Connection) -> None:
    """One row per alert episode that fired: its key is unique, so of two evaluators (the
    server and a hook's child) exactly one inserts it, and that one delivers (alerts.episodes).
    The index on kind serves the alert rules' reads of the latest tests, SLO and tick events."""
    db.execute(
        """
        CREATE TABLE alert_episodes (
            key TEXT PRIMARY KEY,
            rule TEXT NOT NULL,
            agent TEXT,
            at TEXT NOT NULL,
            event_id INTEGER
        )
        """
    )
    db.execute("CREATE INDEX events_kind ON events (kind, id)")


@migration
def m007_lean_call_keys(db: sqlite3.Connection) -> None:
    """A first read writes less: the de-duplication keys in one B-tree (a ``WITHOUT ROWID``
    table, not a rowid table beside a unique index), and no standing indexes on a call's
    log or a key's call. Forgetting a rewritten log, which needs them, builds them for that
    run only (ingest.dedupe.forget_file)."""
    db.execute(
        "CREATE TABLE call_keys_lean (key TEXT PRIMARY KEY, call_id INTEGER NOT NULL) WITHOUT ROWID"
    )
    db.execute("INSERT INTO call_keys_lean SELECT key, call_id FROM call_keys ORDER BY key")
    db.execute("DROP TABLE call_keys")  # and its index on call_id
    db.execute("ALTER TABLE call_keys_lean RENAME TO call_keys")
    db.execute("DROP INDEX agent_usage_path")


# Issue 11's migration, written on branch warm11 as the last one (after readers11's m007):
# renumber it if another lands first.
@migration
def m008_usage_generation(db: sqlite3.Connection) -> None:
    """A count of the changes to what `focus usage` sums, and the reports it has summed at a
    count (journal.usage): a report of the same count, key, window and zone is the same.

    Triggers count every row written to or removed from usage_hours and llm_calls, whoever
    writes it. agent_usage is written only by the ingester, which rewrites the hours of
    every call it adds, replaces or forgets (ingest.hours), so its changes are counted too;
    a trigger per row of agent_usage would cost a first read of 1 GB of logs about 0.2 s."""
    db.execute("CREATE TABLE usage_generation (n INTEGER NOT NULL)")
    db.execute("INSERT INTO usage_generation VALUES (0)")
    for table in ("usage_hours", "llm_calls"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_counted AFTER {event} ON {table}"
                " BEGIN UPDATE usage_generation SET n = n + 1; END"
            )
    db.execute(
        "CREATE TABLE usage_cache (key TEXT PRIMARY KEY, generation INTEGER NOT NULL,"
        " report TEXT NOT NULL)"
    )


def open_log(folder: Path, wait: float = 30.0, *, shared: bool = False) -> sqlite3.Connection:
    """Open (creating and migrating) the log in ``folder``, waiting at most ``wait`` seconds
    for another writer (a hook inside an agent's loop waits a fraction of a second).
    ``shared``: the connection may be used from another thread (one at a time)."""
    from agent_focus.errors import NoDataError

    try:
        folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(
            folder / LOG_NAME, timeout=wait, isolation_level=None, check_same_thread=not shared
        )
    except (OSError, sqlite3.Error) as exc:
        raise NoDataError(f"cannot open the journal: {exc}", path=folder / LOG_NAME) from None
    try:
        return _migrated(db, wait)
    except sqlite3.Error as exc:
        db.close()
        raise NoDataError(f"cannot read the journal: {exc}", path=folder / LOG_NAME) from None


PAGE_SIZE = 16384


def _into_wal(db: sqlite3.Connection, deadline: float) -> None:
    """Switch the journal to WAL mode, waiting until ``deadline`` (``time.monotonic``) for
    another process's lock. SQLite answers "database is locked" at once, busy_timeout or not,
    when another connection holds a write lock on a journal still in rollback mode (two
    processes making a new journal at once): the switch asks for the write lock while it holds
    a read lock, and SQLite will not wait then, lest two such waiters wait for each other.
    Without this the second process lost its records (tests/test_usage_log.py)."""
    pause = 0.002
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:  # BUSY, or one of its extended codes
            busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            left = deadline - time.monotonic()
            if not busy or left <= 0:
                raise
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.05)


def _wait_at_most(db: sqlite3.Connection, seconds: float) -> None:
    """SQLite's busy timeout: how long a statement waits for another writer's lock."""
    db.execute(f"PRAGMA busy_timeout={max(0, int(seconds * 1000))}")


def _migrated(db: sqlite3.Connection, wait: float) -> sqlite3.Connection:
    """``db`` migrated, within ``wait`` seconds in all (a hook's open waits no longer than
    its own wait, however many locks it meets); its busy timeout then ``wait`` again, for the
    caller's own statements."""
    deadline = time.monotonic() + wait
    _wait_at_most(db, wait)
    if db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS):
        return db  # up to date: a reader takes no write lock (and a hook never waits on one)
    # A new journal's pages are 16 KiB, not 4: a first read of the agents' logs writes tens of
    # megabytes, in a quarter of the pages and WAL frames (docs/performance.md, eighth pass).
    # An existing journal keeps its own: SQLite changes it only by rewriting the file.
    db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    _into_wal(db, deadline)
    _wait_at_most(db, deadline - time.monotonic())
    db.execute("BEGIN IMMEDIATE")  # one migrator at a time
    try:
        done = db.execute("PRAGMA user_version").fetchone()[0]
        for number, step in enumerate(MIGRATIONS[done:], start=done + 1):
            step(db)
            db.execute(f"PRAGMA user_version = {number}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    _wait_at_most(db, wait)
    return db
