"""Claude Code transcript lines into model calls, by ccusage's rules.

A usage-bearing line is an assistant record whose ``message.usage`` has whole-number
``input_tokens`` and ``output_tokens``, with a ``timestamp``. Its key is the pair
(``message.id``, ``requestId``); the copies a transcript holds (one per content block, a
resumed session's replay, a sidechain's) are resolved by the store, not here.
"""

from __future__ import annotations

import json
from typing import Any

from agent_focus.ingest.records import CallRecord, utc_stamp, whole

MARKER = b'"usage"'


def parse_claude_line(line: bytes, path: str) -> CallRecord | str | None:
    """The call a line records; None for a line that records none (most lines); a reason
    string for a line that is broken (not JSON, binary, null fields where numbers belong)."""
    if MARKER not in line:
        return None
    try:
        entry = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return "not JSON"
    if not isinstance(entry, dict):
        return "not an object"
    message = entry.get("message")
    usage = message.get("usage") if isinstance(message, dict) else None
    if not isinstance(usage, dict):
        return None  # e.g. a Task tool result carrying a nested usage: not a model call
    given, made = whole(usage.get("input_tokens")), whole(usage.get("output_tokens"))
    stamp = entry.get("timestamp")
    at = utc_stamp(stamp) if isinstance(stamp, str) else None
    if given is None or made is None or at is None:
        return "usage without whole token counts or a timestamp"
    assert isinstance(message, dict)
    written = whole(usage.get("cache_creation_input_tokens")) or 0
    detail: Any = usage.get("cache_creation")
    hour = whole(detail.get("ephemeral_1h_input_tokens")) if isinstance(detail, dict) else None
    hour = min(hour or 0, written)
    message_id, request_id = message.get("id"), entry.get("requestId")
    key = f"{message_id}:{request_id}" if message_id and request_id else None
    cost = entry.get("costUSD")
    return CallRecord(
        source="claude",
        call_key=key,
        at=at,
        session=entry.get("sessionId") if isinstance(entry.get("sessionId"), str) else None,
        cwd=entry.get("cwd") if isinstance(entry.get("cwd"), str) else None,
        model=message.get("model") if isinstance(message.get("model"), str) else None,
        input_tokens=given,
        output_tokens=made,
        cache_write_tokens=written - hour,
        cache_write_1h_tokens=hour,
        cached_tokens=whole(usage.get("cache_read_input_tokens")) or 0,
        cost_usd=float(cost)
        if isinstance(cost, int | float) and not isinstance(cost, bool)
        else None,
        sidechain=entry.get("isSidechain") is True,
        path=path,
    )
