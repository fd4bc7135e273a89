"""One model call as the journal keeps it, whichever agent's log it came from.

A call is a plain tuple (:data:`Call`), not an object: the reader processes hand tens of
thousands of them to the parent, and a tuple of strings and numbers is pickled and
unpickled in C, where a dataclass pays a Python call per field. Its fields after the two
keys are agent_usage's columns after ``id``, in order, so a row is ``(id, *call[SOURCE:])``.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Final

# (exact key, replay key, source, at, session, cwd, model, input, output, 5-minute cache
# writes, 1-hour cache writes, cache reads, cost, sidechain, path, offset)
Call = tuple[
    str | None, str | None, str, str, str | None, str | None, str | None,
    int, int, int, int, int, float | None, int, str, int,
]  # fmt: skip
EXACT: Final = 0  # "x\t" + message id and request id (Codex: the turn): copies of a call
REPLAY: Final = 1  # "r\t" + message id and session (Claude): sidechain and /btw replays
SOURCE: Final = 2  # "claude" or "codex"
AT: Final = 3  # UTC, ISO 8601 with milliseconds
MODEL: Final = 6
INPUT: Final = 7  # uncached input only, as ccusage counts it; then output, cache writes, reads
COST: Final = 12  # the record's own cost, else its price; None when nobody prices the model
SIDECHAIN: Final = 13  # 0 or 1
PATH: Final = 14
OFFSET: Final = 15  # of the line in its file: with the path, the order of first sight


MAX_COUNT: Final = 2**40 - 1
"""The largest token count a call may have (1.1 trillion, a thousand times any model's
context). A line with more is skipped and counted ("token count too large"): SQLite stores
integers below 2**63, and the journal's sums of counts must stay there too, which at this
bound takes 8 million such calls. ccusage would add them up (as JavaScript floats)."""


def own_cost(value: float) -> float:
    """A record's own ``costUSD`` as a float: an integer too large for one (401 digits) is
    the infinity that ``1e999`` reads as (docs/usage.md: such costs are summed as SQLite
    sums them)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def total_tokens(call: Call) -> int:
    return call[7] + call[8] + call[9] + call[10] + call[11]


def call_tuple(
    source: str, call_key: str | None, replay_key: str | None, at: str,
    session: str | None, cwd: str | None, model: str | None, input_tokens: int,
    output_tokens: int, cache_write_tokens: int, cache_write_1h_tokens: int,
    cached_tokens: int, cost_usd: float | None, sidechain: bool, path: str, offset: int,
) -> Call:  # fmt: skip
    """A call from named parts (``call_key``/``replay_key`` without their prefixes)."""
    return (
        f"x\t{call_key}" if call_key else None, f"r\t{replay_key}" if replay_key else None,
        source, at, session, cwd, model, input_tokens, output_tokens, cache_write_tokens,
        cache_write_1h_tokens, cached_tokens, cost_usd, int(sidechain), path, offset,
    )  # fmt: skip


_MINUTES = re.compile(r":[0-5][0-9]:[0-5][0-9]\.[0-9]{3}")
_HOURS: dict[str, bool] = {}  # "YYYY-MM-DDTHH" seen: whether it is a real hour


def _real_hour(hour: str) -> bool:
    try:
        moment = datetime.fromisoformat(hour + ":00:00.000")
    except ValueError:
        return False
    return moment.isoformat(timespec="milliseconds") == hour + ":00:00.000"


def agents_stamp(text: str) -> str | None:
    """:func:`utc_stamp` of a timestamp in the agents' own form (``2026-10-19T09:12:03.123Z``,
    ASCII digits, a real date and time); None for any other text, even a valid one."""
    if len(text) == 24 and text[23] == "Z" and text.isascii():
        hour = text[:13]  # each hour's date checked once (no 13th month), the rest by pattern
        real = _HOURS.get(hour)
        if real is None:
            real = _HOURS[hour] = _real_hour(hour)
        if real and _MINUTES.fullmatch(text, 13, 23):
            return text[:23] + "+00:00"
    return None


def utc_stamp(text: str) -> str | None:
    """A log's timestamp as UTC ISO with milliseconds; None when it is not one."""
    if (fast := agents_stamp(text)) is not None:
        return fast
    if len(text) == 24 and text[23] == "Z":  # what the agents write: no zone to convert
        try:
            local = datetime.fromisoformat(text[:23])  # still checked: no 13th month
        except ValueError:
            return None
        if local.isoformat(timespec="milliseconds") == text[:23]:
            return text[:23] + "+00:00"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).isoformat(timespec="milliseconds")
    except OverflowError:  # 9999-12-31T23:59:59-01:00 is in the year 10000
        return None
