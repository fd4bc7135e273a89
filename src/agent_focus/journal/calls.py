"""The LLM-call log: one row per request to a provider, and `focus usage`'s figures.

Keys and prompts are never stored: a call is its provider, model, token counts, latency,
cost and outcome.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent_focus.journal.db import LOG_NAME, open_log


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
) -> None:
    """Append ``calls`` in one transaction."""
    if not calls:
        return
    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    db = open_log(folder)
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


def usage_summary(folder: Path, by: str) -> list[dict[str, Any]]:
    """Totals per ``by`` (provider, model, agent or day): calls, tokens, cost, latency, errors."""
    if by not in GROUPS:
        raise ValueError(f"cannot group by {by!r}")
    if not (folder / LOG_NAME).exists():
        return []
    db = open_log(folder)
    try:
        rows = db.execute(
            f"SELECT {GROUPS[by]}, input_tokens, output_tokens, cached_tokens, cache_write_tokens,"
            " latency_ms, cost_usd, ok FROM llm_calls ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    groups: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row[1:])
    summary = []
    for key, items in sorted(groups.items()):
        latencies = sorted(item[4] for item in items)
        costs = [item[5] for item in items]
        summary.append(
            {
                by: key,
                "calls": len(items),
                "errors": sum(1 for item in items if not item[6]),
                "input_tokens": sum(item[0] for item in items),
                "output_tokens": sum(item[1] for item in items),
                "cached_tokens": sum(item[2] for item in items),
                "cache_write_tokens": sum(item[3] for item in items),
                "cost_usd": round(sum(c for c in costs if c is not None), 10),
                "unpriced_calls": sum(1 for c in costs if c is None),
                "p50_latency_ms": round(statistics.median(latencies), 1),
                "p95_latency_ms": round(
                    latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1
                ),
            }
        )
    return summary


def latest_call_id(folder: Path) -> int:
    if not (folder / LOG_NAME).exists():
        return 0
    db = open_log(folder)
    try:
        return int(db.execute("SELECT coalesce(max(id), 0) FROM llm_calls").fetchone()[0])
    finally:
        db.close()
