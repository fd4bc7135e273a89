"""Claude Code transcript lines into model calls, by ccusage 20.0.24's rules
(tests/fixtures/agent_logs/RULES.md has them with their sources).

A line counts when it holds the exact bytes ``"usage":{``, no ``"<field>":null`` for the
fields ccusage refuses, and parses into an assistant record (or the ``agent_progress`` record
a running Task subagent writes into its parent's transcript) whose ``message.usage`` has
non-negative whole ``input_tokens`` and ``output_tokens`` and whose ``timestamp`` is
``YYYY-MM-DDTHH:MM:SS[.mmm](Z|±HH:MM)``. Copies are resolved by the de-duplicator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from msgspec import UNSET

from agent_focus.ingest.copies import Copy, Pricer, finish
from agent_focus.ingest.jsonl import loads
from agent_focus.ingest.records import (
    MAX_COUNT,
    Call,
    agents_stamp,
    call_tuple,
    own_cost,
    utc_stamp,
)
from agent_focus.ingest.search import find
from agent_focus.ingest.shapes import ClaudeEntry, Unfit, claude_entry, claude_progress, fits
from agent_focus.json_text import exact_loads

__all__ = ["MARKER", "Pricer", "claude_call", "parse_claude_line"]

MARKER = b'"usage":{'
NULL = b'":null'
NULL_NAMES = tuple(
    f'"{name}'.encode()
    for name in (
        "id", "cwd", "model", "speed", "costUSD", "version", "sessionId", "requestId",
        "isApiErrorMessage", "cache_read_input_tokens", "cache_creation_input_tokens",
    )
)  # fmt: skip
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?(Z|[+-]\d{2}:\d{2})\Z")
VERSION = re.compile(r"\d+\.\d+\.\d")
_VERSIONS: dict[str, bool] = {}  # a version seen: whether VERSION matches it


def refused_null(line: bytes) -> bool:
    """Whether ``line`` holds ``"<name>":null`` for one of the fields ccusage refuses: each
    ``":null`` found (SIMD, :mod:`stringzilla`; most call lines hold one or two, such as
    ``"stop_sequence":null``) with one of the names right before it."""
    at = find(line, NULL, 0, len(line))
    while at >= 0:
        if line.endswith(NULL_NAMES, 0, at):
            return True
        at = find(line, NULL, at + 6, len(line))
    return False


def _count(value: object) -> int | None:
    """A token count as ccusage reads it: a non-negative JSON integer (40.0 is not one)."""
    return value if type(value) is int and value >= 0 else None


def _floats(usage: dict[str, Any]) -> bool:
    """Whether a count we read is a float: orjson reads integers beyond 64 bits as floats,
    json as integers, so such a line is read again by json."""
    detail = usage.get("cache_creation")
    return any(type(v) is float for v in usage.values()) or (
        isinstance(detail, dict) and any(type(v) is float for v in detail.values())
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _shape(entry: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(record, message) of a direct record or of an agent_progress record."""
    message = entry.get("message")
    if isinstance(message, dict) and isinstance(message.get("usage"), dict):
        return entry, message
    data = entry.get("data")
    inner = data.get("message") if isinstance(data, dict) else None
    message = inner.get("message") if isinstance(inner, dict) else None
    if (
        "message" not in entry
        and isinstance(message, dict)
        and isinstance(message.get("usage"), dict)
    ):
        assert isinstance(inner, dict)
        return {**entry, **inner}, message  # the parent's session and cwd, the call's own time
    return None


def parse_claude_line(line: bytes, path: str, offset: int, price: Pricer) -> Call | str | None:
    """The call a line records (its cost its own, else ``price``'s); None for a line that
    records none (most lines); a reason string for a line that is broken (not JSON, null
    fields, bad counts or time)."""
    if MARKER not in line:
        return None
    found = claude_call(line, path, None, offset, price, False)
    return finish(found, path, price) if type(found) is list else found  # type: ignore[return-value]


def claude_call(
    line: bytes, path: str, _state: object, offset: int, price: Pricer, ascii: bool
) -> Copy | Call | str | None:
    """:func:`parse_claude_line` of a line that holds the marker (``ascii``: known to be),
    called as :func:`~agent_focus.ingest.codex.codex_call` is (a Claude log has no state),
    except that a line of the usual shape gives its call as a :class:`Copy`, checked but not
    yet priced nor built (:class:`~agent_focus.ingest.copies.LogCalls` builds the copy kept)."""
    if refused_null(line):
        return "null field"
    if ascii or fits(line):
        try:
            entry: ClaudeEntry | None = claude_entry(line)
        except Unfit:
            entry = _progress_entry(line)
        if entry is not None:
            return _copy(entry, offset)
    return _parse(line, path, offset, price)  # not a usual shape: the general way decides


def _progress_entry(line: bytes) -> ClaudeEntry | None:
    """An ``agent_progress`` line of the usual shape as the :class:`ClaudeEntry` of its call:
    the record's fields with its call's own over them (:func:`_shape`'s merge); None for a
    line of another shape, or whose time is not a string."""
    try:
        record = claude_progress(line)
    except Unfit:
        return None
    call = record.data.message  # its fields over the record's, as {**record, **call}
    stamp = call.timestamp if call.timestamp is not UNSET else record.timestamp
    if stamp is UNSET:  # no time: the general way says so
        return None
    session = call.sessionId if call.sessionId is not UNSET else record.sessionId
    request = call.requestId if call.requestId is not UNSET else record.requestId
    cwd = call.cwd if call.cwd is not UNSET else record.cwd
    version = call.version if call.version is not UNSET else record.version
    sidechain = call.isSidechain if call.isSidechain is not UNSET else record.isSidechain
    cost = call.costUSD if call.costUSD is not UNSET else record.costUSD
    return ClaudeEntry(
        call.message, stamp, None if session is UNSET else session,
        None if request is UNSET else request, None if cwd is UNSET else cwd,
        None if version is UNSET else version, None if sidechain is UNSET else sidechain,
        None if cost is UNSET else cost,
    )  # fmt: skip


def _copy(entry: ClaudeEntry, offset: int) -> Copy | str | None:
    """:func:`_parse`'s answer for a line of the usual shape, from its Struct, as a copy;
    None for a record whose message has no usage (:func:`_shape`'s answer too)."""
    usage = entry.message.usage
    if usage is None:
        return None
    given, made, stamp = usage.input_tokens, usage.output_tokens, entry.timestamp  # counts >= 0
    at = agents_stamp(stamp)  # the usual form: STAMP's shape, a real date
    if at is None and not STAMP.match(stamp):
        return "usage without whole token counts or a timestamp"
    version = entry.version
    if version is not None:
        known = _VERSIONS.get(version)
        if known is None:
            known = _VERSIONS[version] = VERSION.match(version) is not None
        if not known:
            return "unknown version"
    session, request, message_id = entry.sessionId, entry.requestId, entry.message.id
    if "" in (session, request, message_id, entry.message.model):
        return "empty id"
    detail = usage.cache_creation
    if detail is not None:
        write, hour = detail.ephemeral_5m_input_tokens, detail.ephemeral_1h_input_tokens
    else:
        write, hour = usage.cache_creation_input_tokens, 0
    if at is None:
        at = utc_stamp(stamp)
        if at is None:  # the right shape, an impossible date (month 13)
            return "usage without whole token counts or a timestamp"
    if message_id is None:
        key = replay = None
    else:
        key = f"x\t{message_id}\t{request}" if request else f"x\t{message_id}\t{session}\t{stamp}"
        replay = f"r\t{message_id}\t{session}"
    return [
        key, replay, 1 if entry.isSidechain is True else 0,
        given + made + write + hour + usage.cache_read_input_tokens, entry, at, offset, write, hour,
    ]  # fmt: skip


def _parse(
    line: bytes, path: str, offset: int, price: Pricer, parse: Callable[[bytes], Any] = loads
) -> Call | str | None:
    """:func:`parse_claude_line` the general way: the line as ``json.loads`` reads it."""
    try:
        entry = parse(line)
    except ValueError:
        return "not JSON"
    shape = _shape(entry) if isinstance(entry, dict) else None
    if shape is None:
        return None  # e.g. a Task tool result carrying a nested usage: not a model call
    record, message = shape
    usage: dict[str, Any] = message["usage"]
    if parse is not exact_loads and _floats(usage):
        return _parse(line, path, offset, price, exact_loads)  # 1e20 or 2**64: as json reads it
    given, made = _count(usage.get("input_tokens")), _count(usage.get("output_tokens"))
    stamp = _text(record.get("timestamp"))
    if given is None or made is None or stamp is None or not STAMP.match(stamp):
        return "usage without whole token counts or a timestamp"
    version = record.get("version")
    if version is not None and not (isinstance(version, str) and VERSION.match(version)):
        return "unknown version"
    session, request = _text(record.get("sessionId")), _text(record.get("requestId"))
    message_id, model = _text(message.get("id")), _text(message.get("model"))
    if "" in (session, request, message_id, model):
        return "empty id"
    detail = usage.get("cache_creation")
    if isinstance(detail, dict):
        write = _count(detail.get("ephemeral_5m_input_tokens")) or 0
        hour = _count(detail.get("ephemeral_1h_input_tokens")) or 0
    else:
        write, hour = _count(usage.get("cache_creation_input_tokens")) or 0, 0
    cost = record.get("costUSD")
    own = own_cost(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None
    if message_id is None:
        key = replay = None
    else:
        key = f"{message_id}\t{request}" if request else f"{message_id}\t{session}\t{stamp}"
        replay = f"{message_id}\t{session}"
    at = utc_stamp(stamp)
    if at is None:  # the right shape, an impossible date (month 13)
        return "usage without whole token counts or a timestamp"
    read = _count(usage.get("cache_read_input_tokens")) or 0
    if max(given, made, write, hour, read) > MAX_COUNT:
        return "token count too large"
    return call_tuple(
        "claude", key, replay, at, session, _text(record.get("cwd")), model, given, made,
        write, hour, read, own if own is not None else price(model, given, made, write, hour, read, at),
        record.get("isSidechain") is True, path, offset,
    )  # fmt: skip
