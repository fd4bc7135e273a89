"""`focus usage --source mlflow`: the team's spend from its tracking server, the planner's
plan runs beside the agents' own sessions (the daily ``usage`` runs `focus evening`
mirrors, :mod:`agent_focus.journal.daily_usage`), summed per agent, day, source, provider or
model.

Each row says its ``source``: ``planner`` (plan runs, one per plan, all summed) or
``sessions`` (the Claude Code and Codex calls of the agents; of a clone's runs for one
agent and day only the latest counts, so a day mirrored again is not counted twice).
Session runs are per agent and day: by provider or model, the view has the planner alone,
and says so.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, NamedTuple

from agent_focus.config import FocusConfig
from agent_focus.journal.daily_usage import USAGE_KIND, recency
from agent_focus.journal.dollars import dollars
from agent_focus.journal.mirror import read_runs

USAGE = (
    "input_tokens", "output_tokens", "cache_write_tokens", "cached_tokens", "total_tokens",
    "cost_usd", "calls", "unpriced_calls",
)  # fmt: skip
_COUNTED = tuple(name for name in USAGE if name not in ("total_tokens", "cost_usd"))
SESSION_KEYS = ("agent", "day", "source")
PLANNER, SESSIONS = "planner", "sessions"


class TeamUsage(NamedTuple):
    by: str
    total: dict[str, Any]
    rows: list[dict[str, Any]]
    notes: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "source": "mlflow", "total": self.total, "rows": self.rows}


class _Sum:
    """The USAGE figures of some runs, and the planner's own: plans, errors, tasks added,
    latencies. Dollars are summed exactly; a cost none of the runs knows stays unknown."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(_COUNTED, 0)
        self.costs: list[float] = []
        self.plans = self.errors = self.tasks_added = 0
        self.latencies: list[float] = []

    def add(self, source: str, metrics: dict[str, float]) -> None:
        for name in self.counts:
            self.counts[name] += int(metrics.get(name, 0))
        if "cost_usd" in metrics:
            self.costs.append(metrics["cost_usd"])
        if source == PLANNER:
            self.plans += 1
            self.errors += int(metrics.get("errors", 0))
            self.tasks_added += int(metrics.get("tasks_added", 0))
            self.latencies.append(metrics.get("latency_ms", 0.0))

    def usage(self) -> dict[str, Any]:
        """The USAGE figures; dollars: 0 for no call, unknown (None) when none is priced."""
        counts = self.counts
        unknown = None if counts["calls"] else 0.0
        cost = dollars(self.costs) if self.costs else unknown
        figures = {**counts, "total_tokens": sum(counts[k] for k in USAGE[:4]), "cost_usd": cost}
        return {name: figures[name] for name in USAGE}

    def row(self, source: str) -> dict[str, Any]:
        planner = source == PLANNER
        return {
            "source": source,
            "plans": self.plans,
            **self.usage(),
            "errors": self.errors if planner else None,  # the agents' logs do not say
            "tasks_added": self.tasks_added,
            "p50_latency_ms": round(statistics.median(self.latencies), 1) if planner else None,
        }


def _day(run: Any) -> str:
    """The run's local day; a plan run logged before runs had one: its UTC day."""
    tags = run.data.tags
    return tags.get("day") or time.strftime("%Y-%m-%d", time.gmtime(run.info.start_time / 1000))


def _key(run: Any, by: str, source: str) -> str:
    tags = run.data.tags
    if by == "source":
        return source
    if by == "agent":
        return str(tags.get("agent", "?"))
    if by == "day":
        return _day(run)
    if by == "provider":
        return str(tags.get("provider", "?"))
    if by == "model":
        return f"{tags.get('provider', '?')} {tags.get('model', '?')}"
    raise KeyError(by)


def latest_sessions(runs: list[Any]) -> list[Any]:
    """One usage run per clone, agent and day: the latest."""
    latest: dict[tuple[str, str, str], Any] = {}
    for run in sorted(runs, key=recency):
        tags = run.data.tags
        latest[(tags.get("clone", ""), tags.get("agent", "?"), _day(run))] = run
    return list(latest.values())


def mirrored_usage(config: FocusConfig, by: str) -> TeamUsage:
    """The team's plan runs and the agents' daily usage runs, summed per ``by`` (agent,
    day, source, provider or model) and source, with the grand total (USAGE figures)."""
    plans, sessions = read_runs(  # a run cut short (no metrics yet) is not a day's figures
        config,
        [
            "tags.kind = 'plan' and attributes.status = 'FINISHED'",
            f"tags.kind = '{USAGE_KIND}' and attributes.status = 'FINISHED'",
        ],
    )
    notes = []
    parts = [(PLANNER, run) for run in plans]
    if by in SESSION_KEYS:
        parts += [(SESSIONS, run) for run in latest_sessions(sessions)]
    elif sessions:
        notes.append(
            f"the agents' sessions are mirrored per agent and day: --by {by} shows the planner "
            "alone; --by agent or --by day shows both"
        )
    groups: dict[tuple[str, str], _Sum] = {}
    total = _Sum()
    for source, run in parts:
        metrics = run.data.metrics
        groups.setdefault((_key(run, by, source), source), _Sum()).add(source, metrics)
        total.add(source, metrics)
    rows = [{by: key, **figures.row(source)} for (key, source), figures in sorted(groups.items())]
    return TeamUsage(by, total.usage(), rows, notes)
