"""An agent's daily usage, as `focus evening` mirrors it: one MLflow run of kind ``usage``
per clone, agent and local day, for the days of the last week whose figures the team's
server does not hold yet (so a missed evening is caught up, and an unchanged day is not
logged again). The team view (:mod:`agent_focus.journal.team_usage`) takes the latest run
of each clone, agent and day, so a day mirrored twice counts once.

The calls are the agent's own sessions (Claude Code, Codex) from the journal; the planner's
are left out, as its plan runs carry them.
"""

from __future__ import annotations

import hashlib
import socket
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from agent_focus.journal.dollars import dollars
from agent_focus.journal.mirror import MirroredRun, MoreRuns, search_all
from agent_focus.journal.usage import Place, read_calls

USAGE_KIND = "usage"
WINDOW_DAYS = 7  # today and the six days before it
COUNTS = (
    "input_tokens", "output_tokens", "cache_write_tokens", "cached_tokens", "total_tokens",
    "calls", "unpriced_calls",
)  # fmt: skip


def clone_identity(folder: Path) -> dict[str, str]:
    """The tags that tell this clone's runs from another machine's: ``clone``, a digest of
    the host name and the journal's folder, and ``host``, the host name."""
    host = socket.gethostname()
    digest = hashlib.sha256(f"{host}\0{folder.resolve()}".encode()).hexdigest()[:16]
    return {"clone": digest, "host": host}


def window_start(today: date, days: int = WINDOW_DAYS) -> datetime:
    """Local midnight of the first day of the window that ends ``today``."""
    return datetime.combine(today - timedelta(days=days - 1), time()).astimezone()


def daily_usage(
    folder: Path, place: Place, agent: str, today: date, days: int = WINDOW_DAYS
) -> dict[str, dict[str, float]]:
    """The agent's session calls per local day (YYYY-MM-DD) of the ``days`` up to ``today``,
    as run metrics: every count of :data:`COUNTS`, and ``cost_usd`` only when a call of the
    day is priced (an unknown cost is not 0; ``unpriced_calls`` counts the calls without
    one). Days without a call have no entry."""
    sums: dict[str, dict[str, Any]] = {}
    for row in read_calls(folder, window_start(today, days)):
        source, _provider, cwd = row[:3]
        if source == "planner" or place(cwd)[0] != agent:
            continue
        given, made, written, read, cost, calls, unpriced = row[8:]
        tally = sums.setdefault(row[6], dict.fromkeys(COUNTS, 0) | {"costs": []})
        tally["input_tokens"] += given
        tally["output_tokens"] += made
        tally["cache_write_tokens"] += written
        tally["cached_tokens"] += read
        tally["total_tokens"] += given + made + written + read
        tally["calls"] += calls
        tally["unpriced_calls"] += (calls if cost is None else 0) if unpriced is None else unpriced
        if cost is not None:
            tally["costs"].append(cost)
    metrics: dict[str, dict[str, float]] = {}
    for day, figures in sorted(sums.items()):
        costs = figures.pop("costs")
        cost = dollars(costs) if costs else None
        metrics[day] = {k: float(v) for k, v in figures.items()}
        if cost is not None:
            metrics[day]["cost_usd"] = cost
    return metrics


def usage_runs(
    agent: str, identity: dict[str, str], days: dict[str, dict[str, float]], today: date
) -> MoreRuns:
    """The runs of the ``days`` whose figures the server does not hold yet: the latest
    usage run of this clone, agent and day differs, or there is none."""

    def missing(client: Any, experiment_id: str) -> list[MirroredRun]:
        since_ms = int(window_start(today).timestamp() * 1000)  # a day's runs start after it
        held: dict[str, Any] = {}
        found = search_all(
            client,
            experiment_id,
            f"tags.kind = '{USAGE_KIND}' and tags.clone = '{identity['clone']}'"
            f" and attributes.start_time >= {since_ms} and attributes.status = 'FINISHED'",
        )
        for run in sorted(found, key=recency, reverse=True):
            if run.data.tags.get("agent") == agent:
                held.setdefault(run.data.tags.get("day"), run.data.metrics)
        return [
            MirroredRun(USAGE_KIND, agent, {**identity, "day": day}, figures)
            for day, figures in days.items()
            if held.get(day) != figures
        ]

    return missing


def recency(run: Any) -> tuple[int, str]:
    """Which of two runs of one day is the later: by start, then by id."""
    return (run.info.start_time or 0, run.info.run_id)
