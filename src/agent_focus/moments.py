"""`--since` and `--until` (and the web API's ``since``/``until``): 30m, 2h, 3d, today,
yesterday, or an ISO date or time, read in the local time zone (``TZ`` honoured)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agent_focus.errors import UsageError

FORMS = "30m, 2h, 3d, today, yesterday or an ISO date"


def parse_moment(text: str | None, name: str = "--since") -> datetime | None:
    """The moment ``text`` names, aware; None for none. A form we do not know, or a moment
    too far back, is a :class:`UsageError` (exit 2; 422 from the web API)."""
    if not text:
        return None
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if text in ("today", "yesterday"):
        return midnight - timedelta(days=1 if text == "yesterday" else 0)
    match = re.fullmatch(r"(\d+)([mhd])", text)
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        try:
            return now - timedelta(**{unit: int(match.group(1))})
        except OverflowError:
            raise UsageError(f"{name}: {text!r}: too far back") from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{name}: {text!r}: use {FORMS}") from None
    return moment if moment.tzinfo else moment.astimezone()
