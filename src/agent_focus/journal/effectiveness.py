"""Agent effectiveness from the journal: tasks planned against completed, and how long a
planned task takes to be ticked (median hours)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from agent_focus.journal.db import LOG_NAME, open_log

# The plan and complete events (EventKind.PLAN, EventKind.COMPLETE), oldest first: the
# agents' hook events, most of the journal, are not read.
_EVENTS = (
    "SELECT at, agent, kind, payload FROM events WHERE kind IN ('plan', 'complete') ORDER BY id"
)


def agent_effectiveness(folder: Path) -> list[dict[str, Any]]:
    if not (folder / LOG_NAME).exists():
        return []
    db = open_log(folder)
    try:
        rows = db.execute(_EVENTS).fetchall()
    finally:
        db.close()
    if not rows:
        return []  # and nothing more to import
    import statistics

    from agent_focus.focusfile.matching import normalise_title
    from agent_focus.journal.events import payload_of

    planned: dict[tuple[str, str], Any] = {}  # (agent, title) -> when it was planned
    completed: dict[str, int] = {}
    durations: dict[str, list[float]] = {}
    agents: set[str] = set()
    for at, agent_id, kind, text in rows:
        agent, payload, when = agent_id or "?", payload_of(text), datetime.fromisoformat(at)
        if kind == "plan":
            for title in payload.get("added", []):
                planned.setdefault((agent, normalise_title(title)), when)
                agents.add(agent)
        else:
            agents.add(agent)
            started = planned.pop((agent, normalise_title(str(payload.get("task", "")))), None)
            if started is not None:
                completed[agent] = completed.get(agent, 0) + 1
                durations.setdefault(agent, []).append((when - started).total_seconds() / 3600)
    rows_out = []
    for agent in sorted(agents):
        done = completed.get(agent, 0)
        still_open = sum(1 for (a, _title) in planned if a == agent)
        total = done + still_open
        hours = durations.get(agent)
        rows_out.append(
            {
                "agent": agent,
                "tasks_planned": total,
                "planned_tasks_completed": done,
                "completion_rate": round(done / total, 3) if total else None,
                "median_hours_planned_to_done": round(statistics.median(hours), 2)
                if hours
                else None,
            }
        )
    return rows_out
