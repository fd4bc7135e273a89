"""Codex rollout lines into model calls.

A rollout starts with ``session_meta`` (the session id and ``cwd``); ``turn_context`` lines
name the model; ``event_msg`` lines of type ``token_count`` carry the cumulative
``total_token_usage`` and the turn's ``last_token_usage``. A turn counts only when the
cumulative total advanced: the same snapshot can be written twice, and ``info`` may be
null. Codex's ``input_tokens`` include the cached ones.

The reader keeps its state (session, cwd, model, last total) so an appended tail is read
on its own; the store saves that state with the file's offset.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from agent_focus.ingest.records import CallRecord, utc_stamp, whole

MARKERS = (b'"session_meta"', b'"turn_context"', b'"token_count"')


@dataclass
class CodexState:
    session: str | None = None
    cwd: str | None = None
    model: str | None = None
    total: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CodexState:
        return cls(**{k: data[k] for k in ("session", "cwd", "model", "total") if k in data})


def parse_codex_line(line: bytes, path: str, state: CodexState) -> CallRecord | str | None:
    """The call a line records (updating ``state``); None when it records none; a reason
    string for a broken line."""
    if not any(marker in line for marker in MARKERS):
        return None
    try:
        entry = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return "not JSON"
    if not isinstance(entry, dict) or not isinstance(entry.get("payload"), dict):
        return "not a rollout record"
    payload: dict[str, Any] = entry["payload"]
    kind = entry.get("type")
    if kind == "session_meta":
        state.session = payload.get("id") if isinstance(payload.get("id"), str) else state.session
        state.cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else state.cwd
        return None
    if kind == "turn_context":
        state.model = payload.get("model") if isinstance(payload.get("model"), str) else state.model
        return None
    if kind != "event_msg" or payload.get("type") != "token_count":
        return None
    info = payload.get("info")
    if not isinstance(info, dict):
        return None  # `info: null`: a rate-limit snapshot, no usage
    total_usage, last = info.get("total_token_usage"), info.get("last_token_usage")
    if not isinstance(total_usage, dict) or not isinstance(last, dict):
        return "token_count without its usage"
    total = whole(total_usage.get("total_tokens"))
    stamp = entry.get("timestamp")
    at = utc_stamp(stamp) if isinstance(stamp, str) else None
    if total is None or at is None:
        return "token_count without a total or a timestamp"
    if total <= state.total:
        return None  # the same snapshot again
    state.total = total
    given = whole(last.get("input_tokens")) or 0
    cached = min(whole(last.get("cached_input_tokens")) or 0, given)
    return CallRecord(
        source="codex",
        call_key=f"codex:{state.session or path}:{total}",
        at=at,
        session=state.session,
        cwd=state.cwd,
        model=state.model or "gpt-5",
        input_tokens=given - cached,
        output_tokens=whole(last.get("output_tokens")) or 0,
        cache_write_tokens=0,
        cache_write_1h_tokens=0,
        cached_tokens=cached,
        cost_usd=None,
        sidechain=False,
        path=path,
    )
