"""`GET /api/charts`: the page's charts, from the journal alone (no service is asked).

Cost per agent per local day, tokens by model, tasks planned against done per day, the
test pass rate per day, and the planner's LLM p95 latency by provider. A day with no
priced call has a null cost, never 0; a day with no test run has a null pass rate.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from agent_focus.journal.calls import usage_summary
from agent_focus.journal.dollars import dollars
from agent_focus.journal.events import EventKind, read_events
from agent_focus.journal.usage import Place, read_calls

MAX_DAYS = 366


def day_list(days: int, today: date) -> list[str]:
    return [(today - timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]


def _spend(
    folder: Path, place: Place, since: datetime, days: list[str]
) -> tuple[dict[str, list[float | None]], list[dict[str, Any]]]:
    index = {day: i for i, day in enumerate(days)}
    spent: dict[str, list[list[float]]] = {}  # per agent, per day: the costs of its groups
    models: dict[str, dict[str, Any]] = {}
    model_costs: dict[str, list[float]] = {}
    for row in read_calls(folder, since, None):
        source, _provider, cwd, agent, _worktree, model, day, _session = row[:8]
        given, made, written, read, usd = row[8:13]
        if source != "planner":
            agent = place(cwd)[0] or cwd or "?"
        per_day = spent.get(agent or "?")
        if per_day is None:
            per_day = spent[agent or "?"] = [[] for _ in days]
        if usd is not None and day in index:
            per_day[index[day]].append(usd)
        entry = models.setdefault(
            model or "?", {"model": model or "?", "tokens": 0, "cost_usd": None}
        )
        entry["tokens"] += given + made + written + read
        if usd is not None:
            model_costs.setdefault(model or "?", []).append(usd)
    for name, costs in model_costs.items():  # summed exactly, rounded once (journal.usage)
        models[name]["cost_usd"] = dollars(costs)
    cost = {
        agent: [dollars(costs) if costs else None for costs in per_day]
        for agent, per_day in sorted(spent.items())
    }
    ranked = sorted(models.values(), key=lambda m: -m["tokens"])
    return cost, ranked


def _activity(folder: Path, since: datetime, days: list[str]) -> dict[str, Any]:
    index = {day: i for i, day in enumerate(days)}
    planned, done = [0] * len(days), [0] * len(days)
    passed, failed = [0] * len(days), [0] * len(days)
    runs = [0] * len(days)
    for event in read_events(folder, since=since):
        at = index.get(event.at.astimezone().date().isoformat())
        if at is None:
            continue
        payload = event.payload
        if event.kind == EventKind.PLAN:
            planned[at] += len(payload.get("added") or [])
        elif event.kind == EventKind.COMPLETE:
            done[at] += 1
        elif event.kind == EventKind.TESTS:
            runs[at] += 1
            passed[at] += int(payload.get("passed") or 0)
            failed[at] += int(payload.get("failed") or 0)
    rate = [round(p / (p + f), 4) if (p + f) else None for p, f in zip(passed, failed, strict=True)]
    return {
        "tasks": {"planned": planned, "done": done},
        "tests": {"passed": passed, "failed": failed, "runs": runs, "pass_rate": rate},
    }


def _latency(folder: Path, since: datetime) -> list[dict[str, Any]]:
    """The planner's p95 latency per provider, as `focus usage`'s provider rows give it."""
    return [
        {"provider": row["provider"], "p95_ms": row["p95_latency_ms"], "calls": row["calls"]}
        for row in usage_summary(folder, "provider", since)
    ]


def chart_data(
    folder: Path, place: Place, days: int, budgets: dict[str, float], today: date | None = None
) -> dict[str, Any]:
    """Every chart of the page over the last ``days`` local days (today included)."""
    today = today or date.today()
    labels = day_list(days, today)
    since = datetime.combine(date.fromisoformat(labels[0]), datetime.min.time()).astimezone()
    cost, models = _spend(folder, place, since, labels)
    return {
        "days": labels,
        "cost_by_agent": cost,
        "tokens_by_model": models,
        **_activity(folder, since, labels),
        "latency_p95": _latency(folder, since),
        "budgets": budgets,
    }
