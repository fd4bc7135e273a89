"""Claude Code transcript lines into model calls, by ccusage 20.0.24's rules
(tests/fixtures/agent_logs/RULES.md has them with their sources).

A line counts when it holds the exact bytes ``"usage":{``, no ``"<field>":null`` for the
fields ccusage refuses, is JSON as serde_json reads it (no lone surrogate escape anywhere,
valid UTF-8, no NaN), and parses into an assistant record (or else the ``agent_progress``
record a running Task subagent writes into its parent's transcript) whose fields ccusage
reads are of its types: non-negative whole token counts, string ids, a number ``costUSD``, a
boolean ``isSidechain``, a ``speed`` of ``"standard"`` or ``"fast"``; and whose
``timestamp`` is ``YYYY-MM-DDTHH:MM:SS[.mmm](Z|±HH:MM)``. Copies are resolved by the
de-duplicator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from msgspec import UNSET

from agent_focus.ingest.copies import Copy, Pricer, finish
from agent_focus.ingest.jsonl import serde_loads
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
from agent_focus.json_text import strict_loads

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
BAD = "usage without whole token counts or a timestamp"
WRONG = "field of the wrong type"  # a string costUSD, a numeric id...: serde refuses the record
SPEEDS = (None, "standard", "fast")
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


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _optional_text(value: object) -> bool:
    return value is None or type(value) is str


Counts = tuple[int, int, int, int, int]  # input, output, 5-minute and 1-hour writes, reads
Record = tuple[str, dict[str, Any], Counts, Any, Any, Any, Any, Any, str | None]
"""What ccusage reads of a record, its types checked: (timestamp, message, its counts,
sessionId, requestId, version, costUSD, isSidechain), and the cwd we read."""


def _counts(usage: dict[str, Any]) -> Counts | str | None:
    """A usage's counts as ccusage's Struct reads them (the cache writes ``cache_creation``'s
    when it is there, else ``cache_creation_input_tokens``); None when one is not a
    non-negative integer, even one not used; a reason for a ``cache_creation`` that is no
    Struct (an array of at most its two fields is one to serde)."""
    given, made = _count(usage.get("input_tokens")), _count(usage.get("output_tokens"))
    read = _count(usage.get("cache_read_input_tokens", 0))
    plain = _count(usage.get("cache_creation_input_tokens", 0))
    detail = usage.get("cache_creation")
    five: int | None
    hour: int | None
    if detail is None:
        five, hour = plain, 0
    elif isinstance(detail, dict):
        five = _count(detail.get("ephemeral_5m_input_tokens", 0))
        hour = _count(detail.get("ephemeral_1h_input_tokens", 0))
    elif isinstance(detail, list) and len(detail) <= 2:
        five, hour = (_count(value) for value in (*detail, 0, 0)[:2])
    else:
        return WRONG
    if given is None or made is None or read is None or plain is None:
        return None
    return None if five is None or hour is None else (given, made, five, hour, read)


def _usage(message: dict[str, Any]) -> Counts | str:
    """The counts of a message whose usage is a dict, or why ccusage refuses it: a count
    that is not one, an id, model or ``speed`` of the wrong type."""
    usage: dict[str, Any] = message["usage"]
    counts = _counts(usage)
    if counts is None:
        return BAD
    if isinstance(counts, str):
        return counts
    if usage.get("speed") not in SPEEDS:
        return WRONG
    if not (_optional_text(message.get("id")) and _optional_text(message.get("model"))):
        return WRONG
    return counts


def _typed(session: object, request: object, cost: object, sidechain: object) -> bool:
    """Whether a record's session, request, cost and sidechain flag are of ccusage's types."""
    number = cost is None or (isinstance(cost, int | float) and type(cost) is not bool)
    flag = sidechain is None or type(sidechain) is bool
    return _optional_text(session) and _optional_text(request) and number and flag


def _stamped(stamp: object, message: dict[str, Any]) -> tuple[str, Counts] | str:
    """A call's time and counts, or why ccusage refuses it (a time that is no string, else
    :func:`_usage`'s reasons)."""
    if type(stamp) is not str:
        return BAD
    counts = _usage(message)
    return counts if isinstance(counts, str) else (stamp, counts)


def _direct(entry: dict[str, Any]) -> Record | str | None:
    """A direct record as ccusage's first Struct reads it; a reason when it refuses it; None
    when the record has no message with a usage."""
    message = entry.get("message")
    if not (isinstance(message, dict) and isinstance(message.get("usage"), dict)):
        return None
    timed = _stamped(entry.get("timestamp"), message)
    if isinstance(timed, str):
        return timed
    stamp, counts = timed
    session, request, version = entry.get("sessionId"), entry.get("requestId"), entry.get("version")
    cost, sidechain = entry.get("costUSD"), entry.get("isSidechain")
    if not (_optional_text(version) and _typed(session, request, cost, sidechain)):
        return WRONG
    cwd = _text(entry.get("cwd"))
    return stamp, message, counts, session, request, version, cost, sidechain, cwd


def _progress(entry: dict[str, Any]) -> Record | str | None:
    """An ``agent_progress`` record as ccusage's second Struct reads it, as :func:`_direct`:
    the call in ``data.message`` with its own time, request, cost and sidechain flag; of the
    record only its session; no version. The cwd is ours: the call's, else the record's."""
    data = entry.get("data")
    call = data.get("message") if isinstance(data, dict) else None
    message = call.get("message") if isinstance(call, dict) else None
    if not (isinstance(call, dict) and isinstance(message, dict)):
        return None
    if not isinstance(message.get("usage"), dict):
        return None
    timed = _stamped(call.get("timestamp"), message)
    if isinstance(timed, str):
        return timed
    stamp, counts = timed
    session, request = entry.get("sessionId"), call.get("requestId")
    cost, sidechain = call.get("costUSD"), call.get("isSidechain")
    if not _typed(session, request, cost, sidechain):
        return WRONG
    cwd = call["cwd"] if isinstance(call.get("cwd"), str) else _text(entry.get("cwd"))
    return stamp, message, counts, session, request, None, cost, sidechain, cwd


def _record(entry: object) -> Record | str | None:
    """What ccusage reads of a line's JSON: a direct record, else (whenever that is refused,
    whatever the record's ``type``) an ``agent_progress`` one; the first's reason when both
    are refused; None when neither has a message with a usage (not a call)."""
    if not isinstance(entry, dict):
        return None
    direct = _direct(entry)
    if isinstance(direct, tuple):
        return direct
    progress = _progress(entry)
    return progress if isinstance(progress, tuple) or direct is None else direct


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
            entry = claude_entry(line)
        except Unfit:
            progress = _progress_entry(line)
            if progress is not None:
                return _copy(progress, offset)
        else:  # without a usage of its own, ccusage reads it as an agent_progress record next
            if entry.message.usage is not None or b'"data"' not in line:
                return _copy(entry, offset)
    return _parse(line, path, offset, price)  # not a usual shape: the general way decides


def _progress_entry(line: bytes) -> ClaudeEntry | None:
    """An ``agent_progress`` line of the usual shape as the :class:`ClaudeEntry` of its call
    (:func:`_progress`'s fields); None for a line of another shape."""
    try:
        record = claude_progress(line)
    except Unfit:
        return None
    call = record.data.message
    cwd = call.cwd if call.cwd is not UNSET else record.cwd
    return ClaudeEntry(
        call.message, call.timestamp, record.sessionId, call.requestId, cwd, None,
        call.isSidechain, call.costUSD,
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
    line: bytes, path: str, offset: int, price: Pricer, parse: Callable[[bytes], Any] = serde_loads
) -> Call | str | None:
    """:func:`parse_claude_line` the general way: the line as serde_json reads it
    (:func:`~agent_focus.ingest.jsonl.serde_loads`), its record as :func:`_record` does."""
    try:
        found = _record(parse(line))
    except ValueError:
        return "not JSON"
    if not isinstance(found, tuple):
        if found is not None and parse is not strict_loads:  # orjson: 2**64 is a float
            return _parse(line, path, offset, price, strict_loads)  # as json reads it
        return found  # None: e.g. a Task tool result carrying a nested usage, not a model call
    stamp, message, counts, session, request, version, cost, sidechain, cwd = found
    if not STAMP.match(stamp):
        return BAD
    if version is not None and not VERSION.match(version):
        return "unknown version"
    message_id, model = message.get("id"), message.get("model")
    if "" in (session, request, message_id, model):
        return "empty id"
    at = utc_stamp(stamp)
    if at is None:  # the right shape, an impossible date (month 13)
        return BAD
    if max(counts) > MAX_COUNT:
        return "token count too large"
    given, made, write, hour, read = counts
    own = own_cost(cost) if cost is not None else None
    if message_id is None:
        key = replay = None
    else:
        key = f"{message_id}\t{request}" if request else f"{message_id}\t{session}\t{stamp}"
        replay = f"{message_id}\t{session}"
    return call_tuple(
        "claude", key, replay, at, session, cwd, model, given, made, write, hour, read,
        own if own is not None else price(model, given, made, write, hour, read, at),
        sidechain is True, path, offset,
    )  # fmt: skip
