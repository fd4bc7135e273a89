"""Cost per task, which no other tool has: each completed task of an agent is charged the
agent's model calls between the previous completion and its own; calls after the last
completion go to the first open task.

Completion times come from the journal's `complete` events. A task ticked by hand has only
its ✅ date: it is placed at the end of that day, and its row says so (``"timed_by":
"date"``). Rows of one agent add up to that agent's total.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from agent_focus.focusfile.matching import normalise_title
from agent_focus.journal.db import LOG_NAME, open_log
from agent_focus.journal.events import EventKind, read_events
from agent_focus.journal.spend import Tick, task_ends
from agent_focus.journal.usage import Place, Tally


@dataclass(frozen=True)
class TaskMark:
    """Where one task's share of an agent's calls ends."""

    title: str
    at: datetime | None  # None: still open (takes what comes after the last completion)
    timed_by: str  # "journal", "date" (ticked by hand) or "open"


def task_marks(folder: Path, agent: str, tasks: list[Tick]) -> list[TaskMark]:
    """The agent's completed tasks in completion order, then its first open task.
    ``tasks`` are (title, done, completed_on) from its focus file."""
    logged: dict[str, datetime] = {}  # as spend.completions, but a journal read that fails says so
    for event in read_events(folder, agent=agent):
        if event.kind == EventKind.COMPLETE:
            logged.setdefault(normalise_title(str(event.payload.get("task", ""))), event.at)
    ends = task_ends(logged, tasks)
    marks = [TaskMark(title, at, timed_by) for title, at, timed_by in ends]
    first_open = next((title for title, done, _on in tasks if not done), None)
    marks.append(TaskMark(first_open or "(no open task)", None, "open"))
    return marks


def _agent_calls(folder: Path, agent: str, place: Place) -> list[tuple[datetime, tuple[Any, ...]]]:
    if not (folder / LOG_NAME).exists():
        return []
    db = open_log(folder)
    try:
        sessions = db.execute(
            "SELECT at, cwd, input_tokens, output_tokens, cache_write_tokens + cache_write_1h_tokens,"
            " cached_tokens, cost_usd FROM agent_usage"
        ).fetchall()
        planner = db.execute(
            "SELECT at, input_tokens, output_tokens, cache_write_tokens, cached_tokens, cost_usd"
            " FROM llm_calls WHERE agent = ?",
            (agent,),
        ).fetchall()
    finally:
        db.close()
    mine = [(r[0], r[2:]) for r in sessions if place(r[1])[0] == agent]
    mine += [(r[0], r[1:]) for r in planner]
    return sorted((datetime.fromisoformat(at), figures) for at, figures in mine)


def task_costs(
    folder: Path,
    agent: str,
    tasks: list[Tick],
    place: Place,
    total: Tally | None = None,
) -> list[dict[str, Any]]:
    """One row per task of ``agent``: its share of the agent's calls (USAGE figures, the
    dollars summed exactly: :class:`~agent_focus.journal.usage.Tally`), each call also added
    to ``total`` when given."""
    marks = task_marks(folder, agent, tasks)
    ends = [m.at for m in marks if m.at is not None]
    tallies = [Tally() for _ in marks]
    for at, figures in _agent_calls(folder, agent, place):
        tallies[bisect.bisect_left(ends, at)].add(*figures)  # a call at a tick: its task's
    if total is not None:
        for tally in tallies:
            total.merge(tally)
    return [
        {
            "task": mark.title,
            "agent": agent,
            "completed_at": mark.at.isoformat(timespec="seconds")
            if mark.timed_by != "open" and mark.at
            else None,
            "timed_by": mark.timed_by,
            **figures,
        }
        for mark, figures in zip(marks, (tally.usage() for tally in tallies), strict=True)
    ]
