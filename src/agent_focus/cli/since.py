"""`--since`/`--until` values into moments, without Typer (the fast path of `focus usage`
reads them too; :func:`agent_focus.cli.journal.parse_since` turns the error into Typer's)."""

from __future__ import annotations

from datetime import UTC, datetime

SINCE_HELP = "From when: 30m, 2h, 3d, today, yesterday, or an ISO date or time (2026-11-20)."


class BadMoment(ValueError):
    """A `--since`/`--until` value that is none of the accepted forms (its message says so)."""


def parse_moment(text: str | None) -> datetime | None:
    """30m, 2h, 3d, today, yesterday, or an ISO date or time; None for no value."""
    import re
    from datetime import timedelta

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
            raise BadMoment(f"{text!r}: too far back") from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadMoment(f"{text!r}: use 30m, 2h, 3d, today, yesterday or an ISO date") from None
    try:
        moment = moment if moment.tzinfo else moment.astimezone()
        moment.astimezone(UTC)  # the journal's times are UTC: it must have one
    except (ValueError, OverflowError):
        raise BadMoment(f"{text!r}: out of range") from None
    return moment
