"""Agent effectiveness from the journal: tasks planned against completed, and how long a
planned task takes to be ticked (median hours)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from agent_focus.focusfile.matching import normalise_title
from agent_focus.journal.events import EventKind, read_events


def agent_effectiveness(folder: Path) -> list[dict[str, Any]]:
    planned: dict[tuple[str, str], Any] = {}  # (agent, title) -> when it was planned
    completed: dict[str, int] = {}
    durations: dict[str, list[float]] = {}
    agents: set[str] = set()
    for event in read_events(folder):
        agent = event.agent or "?"
        if event.kind == EventKind.PLAN:
            for title in event.payload.get("added", []):
                planned.setdefault((agent, normalise_title(title)), event.at)
                agents.add(agent)
        elif event.kind == EventKind.COMPLETE:
            agents.add(agent)
            when = planned.pop((agent, normalise_title(str(event.payload.get("task", "")))), None)
            if when is not None:
                completed[agent] = completed.get(agent, 0) + 1
                durations.setdefault(agent, []).append((event.at - when).total_seconds() / 3600)
    rows = []
    for agent in sorted(agents):
        done = completed.get(agent, 0)
        still_open = sum(1 for (a, _title) in planned if a == agent)
        total = done + still_open
        hours = durations.get(agent)
        rows.append(
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
    return rows
