"""The LLM-call log: one row per request to a provider, and `focus usage`'s figures.

Keys and prompts are never stored: a call is its provider, model, token counts, latency,
cost and outcome.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent_focus.errors import FocusError, UsageError
from agent_focus.journal.db import LOG_NAME, open_log
from agent_focus.journal.spend import stamp


@dataclass(frozen=True)
class LLMCall:
    """One request to a provider (a corrective re-ask is a second call)."""

    provider: str
    model: str
    latency_ms: float
    ok: bool
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float | None = None
    error: str | None = None
    purpose: str = "plan"


def record_calls(
    folder: Path, calls: list[LLMCall], agent: str | None, worktree: str | None
) -> bool:
    """Append ``calls`` in one transaction; False (nothing raised) when the journal cannot be
    written: a paid plan is never lost to its bookkeeping."""
    if not calls:
        return True
    at = stamp(datetime.now(UTC))
    try:
        _insert(open_log(folder), calls, agent, worktree, at)
    except (sqlite3.Error, OSError, FocusError):
        return False
    return True


def _insert(
    db: sqlite3.Connection, calls: list[LLMCall], agent: str | None, worktree: str | None, at: str
) -> None:
    try:
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT INTO llm_calls (at, agent, worktree, purpose, provider, model, input_tokens,"
                " output_tokens, cached_tokens, cache_write_tokens, latency_ms, cost_usd, ok, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        at, agent, worktree, c.purpose, c.provider, c.model, c.input_tokens,
                        c.output_tokens, c.cached_tokens, c.cache_write_tokens, c.latency_ms,
                        c.cost_usd, int(c.ok), c.error,
                    )
                    for c in calls
                ],
            )  # fmt: skip
    finally:
        db.close()


GROUPS = {
    "provider": "provider",
    "model": "provider || ' ' || model",
    "agent": "coalesce(agent, '?')",
    "day": "substr(at, 1, 10)",
}


def usage_totals(calls: Sequence[LLMCall]) -> dict[str, Any]:
    """The figures of a set of calls, for every view of usage (the one place they are
    summed): a cost is the sum of the priced calls, and the unpriced ones are counted."""
    latencies = sorted(c.latency_ms for c in calls)
    costs = [c.cost_usd for c in calls]
    return {
        "calls": len(calls),
        "errors": sum(1 for c in calls if not c.ok),
        "input_tokens": sum(c.input_tokens for c in calls),
        "output_tokens": sum(c.output_tokens for c in calls),
        "cached_tokens": sum(c.cached_tokens for c in calls),
        "cache_write_tokens": sum(c.cache_write_tokens for c in calls),
        "cost_usd": round(sum(c for c in costs if c is not None), 10),
        "unpriced_calls": sum(1 for c in costs if c is None),
        "total_latency_ms": round(sum(latencies), 1),
        "p50_latency_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_latency_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1)
        if latencies
        else None,
    }


def usage_summary(folder: Path, by: str, since: datetime | None = None) -> list[dict[str, Any]]:
    """Totals per ``by`` (provider, model, agent or day): calls, tokens, cost, latency, errors;
    the calls made ``since`` when given."""
    if by not in GROUPS:
        raise UsageError(f"--by {by!r}: choose one of {', '.join(GROUPS)}")
    if not (folder / LOG_NAME).exists():
        return []
    db = open_log(folder)
    try:
        rows = db.execute(
            f"SELECT {GROUPS[by]}, provider, model, latency_ms, ok, input_tokens, output_tokens,"
            " cached_tokens, cache_write_tokens, cost_usd FROM llm_calls WHERE at >= ? ORDER BY id",
            (stamp(since) if since else "",),
        ).fetchall()
    finally:
        db.close()
    groups: dict[str, list[LLMCall]] = {}
    for key, provider, model, latency, ok, given, made, cached, cache_write, cost in rows:
        call = LLMCall(provider, model, latency, bool(ok), given, made, cached, cache_write, cost)
        groups.setdefault(key, []).append(call)
    summary = []
    for key, calls in sorted(groups.items()):
        totals = usage_totals(calls)
        del totals["total_latency_ms"]
        summary.append({by: key, **totals})
    return summary


def latest_call_id(folder: Path) -> int:
    if not (folder / LOG_NAME).exists():
        return 0
    db = open_log(folder)
    try:
        return int(db.execute("SELECT coalesce(max(id), 0) FROM llm_calls").fetchone()[0])
    finally:
        db.close()
