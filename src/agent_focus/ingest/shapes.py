"""The usual shapes of the log lines that record a call, as msgspec Structs.

msgspec decodes a line straight into these, in C, skipping every field they do not name
(the message's content, often most of the line) without building a Python object for it,
and checking the types on the way: a whole number where a count is, a string where an id
is. A line that does not fit (a missing or mistyped field, a float count, NaN, a lone
surrogate, nesting past Python's recursion limit...) raises, and the reader parses it again
the general way (``_parse`` of :mod:`.claude` or :mod:`.codex`), which decides what it
means. So these only ever take the common path faster; they never decide an edge. For a
Claude line they must refuse whatever ccusage's serde_json Structs refuse (RULES.md): so a
``speed`` other than ``"standard"`` or ``"fast"`` does not fit, and an ``agent_progress``
record's fields are the few ccusage reads, each where it reads it.

Where msgspec accepts what ``json.loads`` refuses, the reader checks first: msgspec does not
validate UTF-8 inside the strings it skips, so a line that is not ASCII must decode as
UTF-8 before it is decoded here. Duplicate keys: the last one wins, as in ``json.loads``
(serde_json refuses a field of its Structs named twice: not checked, RULES.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from agent_focus.ingest.records import MAX_COUNT

# a negative count, or one past MAX_COUNT, takes the general way
Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)]


class CacheWrites(msgspec.Struct):
    ephemeral_5m_input_tokens: Count = 0
    ephemeral_1h_input_tokens: Count = 0


class ClaudeUsage(msgspec.Struct):
    input_tokens: Count
    output_tokens: Count
    cache_creation_input_tokens: Count = 0
    cache_read_input_tokens: Count = 0
    cache_creation: CacheWrites | None = None
    speed: Literal["standard", "fast"] | None = None  # ccusage's enum: any other refuses the line


class ClaudeMessage(msgspec.Struct):
    usage: ClaudeUsage | None = None  # none: no call (a tool result whose text holds a usage)
    id: str | None = None
    model: str | None = None


class ClaudeEntry(msgspec.Struct):
    """A direct assistant record (an ``agent_progress`` record is a :class:`ClaudeProgress`)."""

    message: ClaudeMessage
    timestamp: str
    sessionId: str | None = None
    requestId: str | None = None
    cwd: str | None = None
    version: str | None = None
    isSidechain: bool | None = None
    costUSD: int | float | None = None


class ProgressCall(msgspec.Struct, kw_only=True):
    """``data.message`` of an ``agent_progress`` record: the call, with the time, request,
    cost and sidechain flag ccusage takes from here only (the record's own are not read)."""

    timestamp: str
    message: ClaudeMessage
    requestId: str | None = None
    isSidechain: bool | None = None
    costUSD: int | float | None = None
    cwd: str | UnsetType = UNSET  # ours (ccusage reads no cwd): over the record's


class ProgressData(msgspec.Struct):
    message: ProgressCall


class ClaudeProgress(msgspec.Struct, kw_only=True):
    """An ``agent_progress`` record, which a running Task subagent writes into its parent's
    transcript: no ``message`` of its own (any value is another shape), the call in
    ``data.message``; of the record itself ccusage reads only the session."""

    data: ProgressData
    sessionId: str | None = None
    cwd: str | None = None
    message: UnsetType = UNSET


class CodexTokens(msgspec.Struct):
    input_tokens: Count = 0
    cached_input_tokens: Count = 0
    output_tokens: Count = 0
    reasoning_output_tokens: Count = 0
    total_tokens: Count = 0


class CodexMetadata(msgspec.Struct):
    model: str | None = None


class CodexInfo(msgspec.Struct):
    total_token_usage: CodexTokens | None = None
    last_token_usage: CodexTokens | None = None
    model: str | None = None
    model_name: str | None = None
    metadata: CodexMetadata | None = None


class CodexPayload(msgspec.Struct):
    type: str | None = None
    id: str | None = None
    cwd: str | None = None
    model: str | None = None
    model_name: str | None = None
    metadata: CodexMetadata | None = None
    info: CodexInfo | None = None


class CodexEntry(msgspec.Struct):
    payload: CodexPayload
    type: str | None = None
    timestamp: str | None = None


claude_entry = msgspec.json.Decoder(ClaudeEntry).decode
claude_progress = msgspec.json.Decoder(ClaudeProgress).decode
codex_entry = msgspec.json.Decoder(CodexEntry).decode
Unfit = (msgspec.DecodeError, RecursionError)  # ValidationError is a DecodeError


def fits(line: bytes) -> bool:
    """Whether msgspec may read ``line``: ASCII, or valid UTF-8 (``json.loads`` refuses the
    rest; msgspec would not notice inside a string it skips)."""
    if line.isascii():
        return True
    try:
        line.decode()
    except UnicodeDecodeError:
        return False
    return True
