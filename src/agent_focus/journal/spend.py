"""What one agent has spent: today, and on the task in progress, read straight from the
journal (no ingest, no price table: `focus status` must stay quick). The figures are as of
the last time the agents' logs were read (`focus usage`, the routines, the hooks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

LOG_NAME = "focus.db"  # journal.db's, without importing SQLite before a journal exists


@dataclass(frozen=True)
class Spend:
    today_usd: float | None  # None: no priced call (or nothing known)
    task_usd: float | None
    calls_today: int
    task_since: datetime | None  # the last tick: where this task's share starts

    def to_json(self) -> dict[str, Any]:
        return {
            "today_usd": self.today_usd,
            "task_usd": self.task_usd,
            "calls_today": self.calls_today,
            "task_since": self.task_since.isoformat(timespec="seconds")
            if self.task_since
            else None,
        }


def stamp(moment: datetime) -> str:
    """A moment as the journal writes its times: UTC, ISO 8601, milliseconds (so the text
    sorts as the times do). Here, not in journal.db, so the status line needs no SQLite."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _sum(
    db: sqlite3.Connection, root: Path, agent: str | None, since: datetime
) -> tuple[float | None, int]:
    tree = str(root.resolve())
    rows = db.execute(  # the worktree itself or a folder in it (a prefix test, not LIKE)
        "SELECT sum(cost_usd), count(*) FROM agent_usage WHERE at >= ?"
        " AND (cwd = ? OR substr(cwd, 1, ?) = ?)",
        (stamp(since), tree, len(tree) + 1, tree + "/"),
    ).fetchone()
    planner = db.execute(
        "SELECT sum(cost_usd), count(*) FROM llm_calls WHERE at >= ? AND agent = ?",
        (stamp(since), agent),
    ).fetchone()
    calls = int(rows[1]) + int(planner[1])
    costs = [c for c in (rows[0], planner[0]) if c is not None]
    if not calls:
        return 0.0, 0  # nothing spent
    return (round(sum(costs), 6) if costs else None), calls


def agent_spend(
    folder: Path, root: Path, agent: str | None, last_tick: datetime | None
) -> Spend | None:
    """Today's and this task's spend of the agent working in ``root``; None when the journal
    has no agent usage yet (the logs were never read)."""
    path = folder / LOG_NAME
    if not path.exists():
        return None
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if not {"agent_usage", "log_files", "llm_calls"} <= tables:
                return None
            read = db.execute(
                "SELECT EXISTS (SELECT 1 FROM log_files) OR EXISTS (SELECT 1 FROM llm_calls)"
            ).fetchone()[0]
            if not read:
                return None  # no log was ever read, no planner call made: nothing known
            midnight = datetime.combine(datetime.now().date(), time.min).astimezone()
            today, calls = _sum(db, root, agent, midnight)
            since = last_tick or midnight - timedelta(days=36500)
            task, _ = _sum(db, root, agent, since)
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return Spend(today, task, calls, last_tick)


def read_one(folder: Path, query: str, params: tuple[object, ...]) -> tuple[Any, ...] | None:
    """One row of a quick read-only query; None when there is no journal, no row, or the
    journal cannot be read within 0.2 s (the status line and the hooks must not wait)."""
    rows = read_all(folder, query, params)
    return rows[0] if rows else None


def read_all(
    folder: Path, query: str, params: tuple[object, ...] = (), wait: float = 0.2
) -> list[tuple[Any, ...]]:
    """Every row of a quick read-only query, as :func:`read_one` reads one: [] when there
    is no journal or it cannot be read within ``wait`` seconds."""
    path = folder / LOG_NAME
    if not path.exists():
        return []
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=wait)
        try:
            return db.execute(query, params).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []


def last_tick(folder: Path, agent: str | None) -> datetime | None:
    """When the agent last ticked a task (the journal's latest `complete`)."""
    if agent is None:
        return None
    query = "SELECT max(at) FROM events WHERE kind = 'complete' AND agent = ?"
    row = read_one(folder, query, (agent.upper(),))
    return datetime.fromisoformat(row[0]) if row and row[0] else None
