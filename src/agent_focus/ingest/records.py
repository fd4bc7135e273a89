"""One model call as the journal keeps it, whichever agent's log it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class CallRecord:
    source: str  # "claude" or "codex"
    call_key: str | None  # the exact copy key (Claude: message id and request id)
    replay_key: str | None  # Claude: message id and session (sidechain and /btw replays)
    at: str  # UTC, ISO 8601 with milliseconds
    session: str | None
    cwd: str | None
    model: str | None
    input_tokens: int  # uncached input only, as ccusage counts it
    output_tokens: int
    cache_write_tokens: int  # 5-minute cache writes
    cache_write_1h_tokens: int
    cached_tokens: int  # cache reads
    cost_usd: float | None  # the record's own cost, when it carries one
    sidechain: bool
    path: str
    offset: int = 0  # of the line in its file: with the path, the order of first sight

    @property
    def total_tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_write_tokens
            + self.cache_write_1h_tokens
            + self.cached_tokens
        )


def utc_stamp(text: str) -> str | None:
    """A log's timestamp as UTC ISO with milliseconds; None when it is not one."""
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
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")
