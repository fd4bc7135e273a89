"""Codex rollout lines into model calls, by ccusage 20.0.24's rules (RULES.md).

``turn_context`` lines name the model; ``event_msg`` lines of type ``token_count`` carry the
cumulative ``total_token_usage`` and the turn's ``last_token_usage``. A turn is the last
usage when the cumulative total moved, else the difference of the totals; a turn of all
zeros counts nothing (so a repeated snapshot counts once), and ``info: null`` nothing at
all. Codex's input includes the cached tokens. ``session_meta`` gives the session and the
``cwd`` (ccusage ignores it; we attribute sessions by it).

A string ccusage reads of a ``turn_context`` or ``token_count`` line (its time, a model)
that holds a lone surrogate (JSON's ``"\\ud800"``) or a byte that is not UTF-8 makes the
line unreadable to ccusage's serde_json, which ignores it: here it is skipped as not JSON.
Anywhere else such a string is no matter (serde_json skips it unchecked); the session's id
and cwd keep it with U+FFFD.

The reader keeps its state so an appended tail is read on its own; the store saves it
with the file's offset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from agent_focus.ingest.claude import Pricer
from agent_focus.ingest.jsonl import rollout_loads
from agent_focus.ingest.records import MAX_COUNT, Call, utc_stamp
from agent_focus.ingest.shapes import (
    CodexEntry,
    CodexMetadata,
    CodexTokens,
    Unfit,
    codex_entry,
    fits,
)
from agent_focus.json_text import clean_text, lenient_loads

MARKERS = (b'"session_meta"', b'"turn_context"', b'"token_count"')
FIELDS = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens", "total_tokens")  # fmt: skip
FALLBACK_MODEL = "gpt-5"
Counts = tuple[int, int, int, int, int]  # FIELDS' values
SURROGATE = re.compile("[\ud800-\udfff]")


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


def _counts(usage: object) -> Counts | None:
    if not isinstance(usage, dict):
        return None
    v0, v1, v2, v3, v4 = (
        v if type(v := usage.get(name)) is int and v >= 0 else 0 for name in FIELDS
    )
    return v0, v1, v2, v3, v4


def _names(fields: dict[str, Any]) -> tuple[object, object, object]:
    """The model names a payload (or its info) may give, in ccusage's order."""
    metadata = fields.get("metadata")
    return (
        fields.get("model"), fields.get("model_name"),
        metadata.get("model") if isinstance(metadata, dict) else None,
    )  # fmt: skip


def _model(payload: dict[str, Any]) -> str | None:
    for value in _names(payload):
        if isinstance(value, str) and value:
            return value
    return None


def _unreadable(entry: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Whether a string ccusage reads of a turn_context or token_count line (its time, the
    models named in its payload and the payload's info) holds a lone surrogate."""
    info = payload.get("info")
    texts = [entry.get("timestamp"), *_names(payload)]
    if isinstance(info, dict):
        texts += _names(info)
    return any(type(text) is str and SURROGATE.search(text) for text in texts)


def _floats(info: dict[str, Any]) -> bool:
    """Whether a count is a float (orjson's reading of an integer beyond 64 bits)."""
    return any(
        isinstance(usage, dict) and any(type(v) is float for v in usage.values())
        for usage in (info.get("total_token_usage"), info.get("last_token_usage"))
    )


def parse_codex_line(
    line: bytes, path: str, state: CodexState, offset: int, price: Pricer
) -> Call | str | None:
    """The call a line records (updating ``state``); None when it records none; a reason
    string for a broken line. Lines of the usual shapes are decoded into Structs
    (:mod:`agent_focus.ingest.shapes`), the others the general way."""
    if not any(marker in line for marker in MARKERS):
        return None
    return codex_call(line, path, state, offset, price, False)


def codex_call(
    line: bytes, path: str, state: CodexState, offset: int, price: Pricer, ascii: bool
) -> Call | str | None:
    """:func:`parse_codex_line` of a line that holds a marker (``ascii``: known to be)."""
    if ascii or fits(line):
        try:
            entry = codex_entry(line)
        except Unfit:
            pass
        else:
            return _from_entry(entry, path, state, offset, price)
    return _parse(line, path, state, offset, price)


def _struct_model(
    model: str | None, name: str | None, metadata: CodexMetadata | None
) -> str | None:
    return model or name or (metadata.model if metadata is not None else None) or None


def _struct_counts(usage: CodexTokens | None) -> Counts | None:
    if usage is None:
        return None
    return (
        usage.input_tokens, usage.cached_input_tokens, usage.output_tokens,
        usage.reasoning_output_tokens, usage.total_tokens,
    )  # fmt: skip


def _from_entry(
    entry: CodexEntry, path: str, state: CodexState, offset: int, price: Pricer
) -> Call | str | None:
    """:func:`_parse`'s answer for a line of the usual shape, from its Struct."""
    payload, kind = entry.payload, entry.type
    if kind == "session_meta":
        state.session = payload.id if payload.id is not None else state.session
        state.cwd = payload.cwd if payload.cwd is not None else state.cwd
        return None
    if kind == "turn_context":
        state.model = (
            _struct_model(payload.model, payload.model_name, payload.metadata) or state.model
        )
        return None
    if kind != "event_msg" or payload.type != "token_count" or payload.info is None:
        return None
    info = payload.info
    at = utc_stamp(entry.timestamp) if entry.timestamp is not None else None
    if at is None:
        return "token_count without a timestamp"
    model = (
        _struct_model(payload.model, payload.model_name, payload.metadata)
        or _struct_model(info.model, info.model_name, info.metadata)
        or state.model
    )
    total = _struct_counts(info.total_token_usage)
    return _turn(
        total, _struct_counts(info.last_token_usage), at, model, path, state, offset, price
    )


def _turn(
    total: Counts | None, last: Counts | None, at: str, model: str | None, path: str,
    state: CodexState, offset: int, price: Pricer,
) -> Call | str | None:  # fmt: skip
    """The call of a token_count line from its cumulative and its last counts."""
    current = dict(zip(FIELDS, total, strict=True)) if total is not None else None
    if last is not None and (current is None or current != state.totals):
        turn = last
    elif total is not None:
        previous = state.totals or dict.fromkeys(FIELDS, 0)
        t0, t1, t2, t3, t4 = (
            max(now - previous[name], 0) for now, name in zip(total, FIELDS, strict=True)
        )
        turn = (t0, t1, t2, t3, t4)
    else:
        return "token_count without its usage"
    if current is not None:
        state.totals = current
    if not any(turn[:4]):
        return None  # the same snapshot again
    if max(turn) > MAX_COUNT:
        return "token count too large"
    model = model or FALLBACK_MODEL
    given, cached, made, reasoning, tokens = turn
    key = f"x\tcodex\t{at}\t{model}\t{given}\t{cached}\t{made}\t{reasoning}\t{tokens}"
    cached = min(cached, given)
    return (
        key, None, "codex", at, state.session, state.cwd, model, given - cached, made, 0, 0,
        cached, price(model, given - cached, made, 0, 0, cached, at), 0, path, offset,
    )  # fmt: skip


def _parse(
    line: bytes, path: str, state: CodexState, offset: int, price: Pricer,
    parse: Callable[[bytes], Any] = rollout_loads,
) -> Call | str | None:  # fmt: skip
    """:func:`parse_codex_line` the general way: the line as serde_json reads it, its strings
    kept whole (:func:`~agent_focus.ingest.jsonl.rollout_loads`)."""
    try:
        entry = parse(line)
    except ValueError:
        return "not JSON"
    if not isinstance(entry, dict) or not isinstance(entry.get("payload"), dict):
        return "not a rollout record"
    payload: dict[str, Any] = entry["payload"]
    kind = entry.get("type")
    if kind == "session_meta":  # ours: ccusage reads no session_meta
        session, cwd = payload.get("id"), payload.get("cwd")
        state.session = clean_text(session) if isinstance(session, str) else state.session
        state.cwd = clean_text(cwd) if isinstance(cwd, str) else state.cwd
        return None
    if kind == "turn_context":
        if _unreadable(entry, payload):
            return "not JSON"
        state.model = _model(payload) or state.model
        return None
    if kind != "event_msg" or payload.get("type") != "token_count":
        return None
    if _unreadable(entry, payload):
        return "not JSON"
    info = payload.get("info")
    if not isinstance(info, dict):
        return None  # `info: null`: a rate-limit snapshot, no usage
    if parse is not lenient_loads and _floats(info):
        return _parse(line, path, state, offset, price, lenient_loads)  # as json reads it
    stamp = entry.get("timestamp")
    at = utc_stamp(stamp) if isinstance(stamp, str) else None
    if at is None:
        return "token_count without a timestamp"
    total, last = _counts(info.get("total_token_usage")), _counts(info.get("last_token_usage"))
    model = _model(payload) or _model(info) or state.model
    return _turn(total, last, at, model, path, state, offset, price)
