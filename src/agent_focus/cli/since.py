"""`--since`/`--until` values into moments, without Typer (the fast path of `focus usage`
reads them too; :func:`agent_focus.cli.journal.parse_since` turns the error into Typer's)."""

from __future__ import annotations

from datetime import UTC, datetime

SINCE_HELP = "From when: 30m, 2h, 3d, today, yesterday, or an ISO date or time (2026-11-20)."


class BadMoment(ValueError):
    """A `--since`/`--until` value that is none of the accepted forms (its message says so)."""


class BadWindow(BadMoment):
    """An `--until` that ends where or before `--since` begins."""


def parse_moment(text: str | None, *, end: bool = False) -> datetime | None:
    """30m, 2h, 3d, today, yesterday, or an ISO date or time; None for no value. A day
    (today, yesterday, a date without a time) is its first moment, its local midnight; with
    ``end`` (`--until`, whose bound is excluded) the next midnight, so that the day is in."""
    import re
    from datetime import date, time, timedelta

    if not text:
        return None
    now = datetime.now().astimezone()
    match = re.fullmatch(r"(\d+)([mhd])", text)
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        try:
            return now - timedelta(**{unit: int(match.group(1))})
        except OverflowError:
            raise BadMoment(f"{text!r}: too far back") from None
    try:
        if text in ("today", "yesterday"):
            day = now.date() - timedelta(days=1 if text == "yesterday" else 0)
        else:
            day = date.fromisoformat(text)
    except ValueError:
        day = None  # not a day: a time
    if day is not None and end and day == date.max:
        return None  # the end of the last day: no end at all
    try:
        if day is not None:  # midnight in that day's zone (not today's offset: a DST between)
            moment = datetime.combine(day + timedelta(days=1 if end else 0), time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadMoment(f"{text!r}: use 30m, 2h, 3d, today, yesterday or an ISO date") from None
    try:
        moment = moment if moment.tzinfo else moment.astimezone()
        moment.astimezone(UTC)  # the journal's times are UTC: it must have one
    except (ValueError, OverflowError):
        raise BadMoment(f"{text!r}: out of range") from None
    return moment


def parse_window(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """`--since` and `--until` (:func:`parse_moment`, the end of `--until`'s day); a window
    that ends before it starts is refused (:class:`BadWindow`) rather than shown empty."""
    start, stop = parse_moment(since), parse_moment(until, end=True)
    if start is not None and stop is not None and stop <= start:
        raise BadWindow(
            f"--until {until} ends no later than --since {since} begins: the window is empty"
        )
    return start, stop
