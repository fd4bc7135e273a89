"""`GET /api/export/{events|usage}.{csv|jsonl}`: the journal as files, streamed.

``events``: every event (id, at, agent, worktree, kind, payload as JSON). ``usage``: one row
per model call, the agents' (from their logs) and the planner's, oldest first, with the
agent and worktree it is charged to. ``since``/``until`` narrow both.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent_focus.journal.db import LOG_NAME, open_log
from agent_focus.journal.events import payload_of
from agent_focus.journal.usage import Place
from agent_focus.json_text import dumps

EVENT_COLUMNS = ("id", "at", "agent", "worktree", "kind", "payload")
USAGE_COLUMNS = (
    "at", "source", "agent", "worktree", "session", "model", "input_tokens", "output_tokens",
    "cache_write_tokens", "cached_tokens", "cost_usd",
)  # fmt: skip
_USAGE = (
    "SELECT at, source, NULL, NULL, cwd, session, model, input_tokens, output_tokens,"
    " cache_write_tokens + cache_write_1h_tokens, cached_tokens, cost_usd FROM agent_usage"
    " WHERE at >= ? AND at < ?"
    " UNION ALL SELECT at, 'planner', agent, worktree, NULL, 'planner', model, input_tokens,"
    " output_tokens, cache_write_tokens, cached_tokens, cost_usd FROM llm_calls"
    " WHERE at >= ? AND at < ? ORDER BY 1"
)
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
KINDS = ("events", "usage")


def _rows(folder: Path, query: str, params: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    if not (folder / LOG_NAME).exists():
        return
    # Each `next()` of a streamed answer may run in another worker thread (one at a time).
    db = open_log(folder, shared=True)
    try:
        cursor = db.execute(query, params)
        while batch := cursor.fetchmany(2000):
            yield from batch
    finally:
        db.close()


def event_rows(folder: Path, window: tuple[str, str]) -> Iterator[dict[str, Any]]:
    low, high = window
    query = (
        "SELECT id, at, agent, worktree, kind, payload FROM events"
        " WHERE at >= ? AND at < ? ORDER BY id"
    )
    for row in _rows(folder, query, (low, high)):
        yield dict(zip(EVENT_COLUMNS, (*row[:5], payload_of(row[5])), strict=True))


def usage_rows(folder: Path, place: Place, window: tuple[str, str]) -> Iterator[dict[str, Any]]:
    low, high = window
    for row in _rows(folder, _USAGE, (low, high, low, high)):
        at, source, agent, worktree, cwd = row[:5]
        if source != "planner":
            agent, worktree = place(cwd)
            agent, worktree = agent or cwd, worktree or cwd
        values = (at, source, agent, worktree, *row[5:])
        yield dict(zip(USAGE_COLUMNS, values, strict=True))


def as_jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    chunk: list[str] = []
    for row in rows:
        chunk.append(dumps(row, ensure_ascii=False))
        if len(chunk) >= 500:
            yield ("\n".join(chunk) + "\n").encode()
            chunk = []
    if chunk:
        yield ("\n".join(chunk) + "\n").encode()


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV cell: objects as JSON; text a spreadsheet would run as a formula (an agent id or
    a task title may start with `=`) is quoted with a leading apostrophe."""
    if isinstance(value, dict | list):
        value = dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value


def as_csv(rows: Iterator[dict[str, Any]], columns: tuple[str, ...]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow(cell(row[c]) for c in columns)
        if count % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
