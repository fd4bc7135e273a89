"""What one agent has spent: today, and on the task in progress, read straight from the
journal (no ingest, no price table: `focus status` must stay quick). The figures are as of
the last time the agents' logs were read (`focus usage`, the routines, the hooks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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
    task_since: datetime | None  # the last completion: where this task's share starts
    unpriced_today: int = 0  # calls of today that nobody prices (not in today_usd)

    def to_json(self) -> dict[str, Any]:
        return {
            "today_usd": self.today_usd,
            "task_usd": self.task_usd,
            "calls_today": self.calls_today,
            "unpriced_calls_today": self.unpriced_today,
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
) -> tuple[float | None, int, int]:
    """The dollars, calls and unpriced calls of the agent working in ``root`` since then: the
    whole hours from the hourly sums (usage_hours: a few rows an hour, not every call), the
    part of an hour before them call by call."""
    tree = str(root.resolve())
    utc = since.astimezone(UTC)
    hour = utc.replace(minute=0, second=0, microsecond=0)
    first = stamp(hour if hour == utc else hour + timedelta(hours=1))
    mine = "(cwd = ? OR substr(cwd, 1, ?) = ?)"  # the worktree or a folder in it (not LIKE)
    where = (tree, len(tree) + 1, tree + "/")
    rows = db.execute(
        f"SELECT sum(cost_usd), sum(calls), sum(calls) - sum(priced) FROM usage_hours"
        f" WHERE slot >= ? AND {mine}"
        f" UNION ALL SELECT sum(cost_usd), count(*), count(*) - count(cost_usd) FROM agent_usage"
        f" WHERE at >= ? AND at < ? AND {mine}"
        " UNION ALL SELECT sum(cost_usd), count(*), count(*) - count(cost_usd) FROM llm_calls"
        " WHERE at >= ? AND agent = ?",
        (first, *where, stamp(since), first, *where, stamp(since), agent),
    ).fetchall()
    calls = sum(int(row[1] or 0) for row in rows)
    unpriced = sum(int(row[2] or 0) for row in rows)
    costs = [row[0] for row in rows if row[0] is not None]
    if not calls:
        return 0.0, 0, 0  # nothing spent
    return (round(sum(costs), 6) if costs else None), calls, unpriced


def agent_spend(
    folder: Path, root: Path, agent: str | None, task_since: datetime | None
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
            if not {"agent_usage", "usage_hours", "log_files", "llm_calls"} <= tables:
                return None
            read = db.execute(
                "SELECT EXISTS (SELECT 1 FROM log_files) OR EXISTS (SELECT 1 FROM llm_calls)"
            ).fetchone()[0]
            if not read:
                return None  # no log was ever read, no planner call made: nothing known
            midnight = datetime.combine(datetime.now().date(), time.min).astimezone()
            today, calls, unpriced = _sum(db, root, agent, midnight)
            since = task_since or midnight - timedelta(days=36500)
            task = _sum(db, root, agent, since)[0]
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return Spend(today, task, calls, task_since, unpriced)


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


Tick = tuple[str, bool, "date | None"]  # a task of a focus file: title, done, its ✅ date


def completions(folder: Path, agent: str) -> dict[str, datetime]:
    """When the agent completed each task by `focus complete` (the journal's first
    `complete` event of each title, normalised): a task ticked by hand has none."""
    import json

    from agent_focus.focusfile.matching import normalise_title

    query = "SELECT at, payload FROM events WHERE kind = 'complete' AND agent = ? ORDER BY id"
    logged: dict[str, datetime] = {}
    for at, payload in read_all(folder, query, (agent.upper(),)):
        try:
            task = json.loads(payload).get("task", "")
        except (ValueError, TypeError, AttributeError):
            continue  # a row written by hand that is not an object names no task
        logged.setdefault(normalise_title(str(task)), datetime.fromisoformat(at))
    return logged


def task_ends(logged: dict[str, datetime], tasks: list[Tick]) -> list[tuple[str, datetime, str]]:
    """The completed ``tasks`` with where each one's share of the agent's calls ends, in
    that order: its `complete` event (``logged``, "journal"), else the end of its ✅ day
    ("date": ticked by hand, the time unknown)."""
    from agent_focus.focusfile.matching import normalise_title

    ends = []
    for title, done, on in tasks:
        if not done:
            continue
        when = logged.get(normalise_title(title))
        if when is not None:
            ends.append((title, when, "journal"))
        elif on is not None:
            ends.append(
                (title, datetime.combine(on + timedelta(days=1), time.min).astimezone(), "date")
            )
    ends.sort(key=lambda end: end[1])
    return ends


def task_start(folder: Path, agent: str | None, tasks: list[Tick]) -> datetime | None:
    """Where the share of the task in progress begins, as `focus usage --by task` reckons
    it: the end of the last completed task (:func:`task_ends`); None when there is none."""
    if agent is None:
        return None
    ends = task_ends(completions(folder, agent), tasks)
    return ends[-1][1] if ends else None
