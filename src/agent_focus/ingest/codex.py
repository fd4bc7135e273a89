"""Codex rollout lines into model calls, by ccusage 20.0.24's rules (RULES.md).

``turn_context`` lines name the model; ``event_msg`` lines of type ``token_count`` carry the
cumulative ``total_token_usage`` and the turn's ``last_token_usage``. A turn is the last
usage when the cumulative total moved, else the difference of the totals; a turn of all
zeros counts nothing (so a repeated snapshot counts once), and ``info: null`` nothing at
all. Codex's input includes the cached tokens. ``session_meta`` gives the session and the
``cwd`` (ccusage ignores it; we attribute sessions by it).

The reader keeps its state so an appended tail is read on its own; the store saves it
with the file's offset.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from agent_focus.ingest.jsonl import loads
from agent_focus.ingest.records import CallRecord, utc_stamp

MARKERS = (b'"session_meta"', b'"turn_context"', b'"token_count"')
FIELDS = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens", "total_tokens")  # fmt: skip
FALLBACK_MODEL = "gpt-5"


@dataclass
class CodexState:
    session: str | None = None
    cwd: str | None = None
    model: str | None = None
    totals: dict[str, int] | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CodexState:
        return cls(**{k: data[k] for k in ("session", "cwd", "model", "totals") if k in data})


def _counts(usage: object) -> dict[str, int] | None:
    if not isinstance(usage, dict):
        return None
    return {name: v if type(v := usage.get(name)) is int and v >= 0 else 0 for name in FIELDS}


def _model(payload: dict[str, Any]) -> str | None:
    metadata = payload.get("metadata")
    for value in (payload.get("model"), payload.get("model_name"), metadata.get("model") if isinstance(metadata, dict) else None):  # fmt: skip
        if isinstance(value, str) and value:
            return value
    return None


def _floats(info: dict[str, Any]) -> bool:
    """Whether a count is a float (orjson's reading of an integer beyond 64 bits)."""
    return any(
        isinstance(usage, dict) and any(type(v) is float for v in usage.values())
        for usage in (info.get("total_token_usage"), info.get("last_token_usage"))
    )


def parse_codex_line(
    line: bytes, path: str, state: CodexState, offset: int = 0,
    parse: Callable[[bytes], Any] = loads,
) -> CallRecord | str | None:  # fmt: skip
    """The call a line records (updating ``state``); None when it records none; a reason
    string for a broken line."""
    if not any(marker in line for marker in MARKERS):
        return None
    try:
        entry = parse(line)
    except ValueError:
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
        state.model = _model(payload) or state.model
        return None
    if kind != "event_msg" or payload.get("type") != "token_count":
        return None
    info = payload.get("info")
    if not isinstance(info, dict):
        return None  # `info: null`: a rate-limit snapshot, no usage
    if parse is not json.loads and _floats(info):
        return parse_codex_line(line, path, state, offset, json.loads)  # as json reads it
    stamp = entry.get("timestamp")
    at = utc_stamp(stamp) if isinstance(stamp, str) else None
    if at is None:
        return "token_count without a timestamp"
    total, last = _counts(info.get("total_token_usage")), _counts(info.get("last_token_usage"))
    previous = state.totals or dict.fromkeys(FIELDS, 0)
    advanced = total is None or total != state.totals
    if last is not None and advanced:
        turn = last
    elif total is not None:
        turn = {name: max(total[name] - previous[name], 0) for name in FIELDS}
    else:
        return "token_count without its usage"
    if total is not None:
        state.totals = total
    if not any(turn[name] for name in FIELDS[:4]):
        return None  # the same snapshot again
    model = _model(payload) or _model(info) or state.model or FALLBACK_MODEL
    given, cached = turn["input_tokens"], min(turn["cached_input_tokens"], turn["input_tokens"])
    key = "\t".join(["codex", at, model, *(str(turn[name]) for name in FIELDS)])
    return CallRecord(
        source="codex", call_key=key, replay_key=None, at=at, session=state.session,
        cwd=state.cwd, model=model, input_tokens=given - cached,
        output_tokens=turn["output_tokens"], cache_write_tokens=0, cache_write_1h_tokens=0,
        cached_tokens=cached, cost_usd=None, sidechain=False, path=path, offset=offset,
    )  # fmt: skip
