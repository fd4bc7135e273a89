"""Rates that depend on the time of a call (:class:`TimedRates`): a price from a date on
(Opus and Sonnet 4.6's long-context tier ended on 2026-03-13, o3's price fell on 2025-06-10),
a price for some hours of the day (DeepSeek's off-peak).

They are the catalogue's (`genai-prices`) conditional prices, read as it reads them: in its
order, the last whose condition holds at the call's time wins, else the first. A condition is
a :data:`Condition` of our own, compared as text with the call's UTC time, so the rates can
be kept in ``prices.json`` (journal.known_rates) and a run that finds them kept needs no
catalogue. A condition of a kind we do not know stays the catalogue's own object, asked
through its ``active()``; such rates are not kept.
"""

from __future__ import annotations

from typing import Any

from agent_focus.journal.pricing import PriceOf, Rates, price_function

Condition = tuple[str, str, str] | None
"""When a price holds, against the call's UTC time: ``("from", "2026-03-13", "")`` from that
date on, ``("daily", "16:30:00.000000", "00:30:00.000000")`` from one time of day up to
(not including) another, through midnight when the end comes first; None: always."""
Chosen = tuple[Rates | None, PriceOf | None]


class TimedRates:
    """A model's rates by the time of its call: :meth:`at` a time, :meth:`price` of a call."""

    __slots__ = ("_by_day", "_chosen", "conditions", "keepable")

    def __init__(self, conditions: list[tuple[Any, Rates | None]]) -> None:
        self.conditions = conditions  # the catalogue's order (the last that holds wins)
        self.keepable = all(c is None or isinstance(c, tuple) for c, _rates in conditions)
        by_date = all(c is None or (isinstance(c, tuple) and c[0] == "from") for c, _ in conditions)  # fmt: skip
        self._by_day: dict[str, Chosen] | None = {} if by_date else None
        self._chosen: dict[int, Chosen] = {}  # id(rates): the rates and their price function

    def __repr__(self) -> str:
        return f"TimedRates({self.conditions!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimedRates) and other.conditions == self.conditions

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[TimedRates], tuple[list[tuple[Any, Rates | None]]]]:
        return TimedRates, (self.conditions,)  # a reader hands them back: not the functions

    def choose(self, at: str) -> Chosen:
        """The rates of a call made at ``at`` (UTC ISO, ``2026-11-20T10:00:00.000+00:00``)
        and their price function (the same objects for every call under one condition)."""
        if self._by_day is not None:  # conditions by date only: one answer a day
            day = at[:10]
            try:
                return self._by_day[day]
            except KeyError:
                chosen = self._by_day[day] = self._choose(at)
                return chosen
        return self._choose(at)

    def _choose(self, at: str) -> Chosen:
        rates = self.conditions[0][1]
        for condition, candidate in reversed(self.conditions):
            if condition is None or _holds(condition, at):
                rates = candidate
                break
        try:
            return self._chosen[id(rates)]
        except KeyError:
            chosen = self._chosen[id(rates)] = (rates, price_function(rates) if rates else None)
            return chosen

    def at(self, stamp: str | None = None) -> Rates | None:
        """The rates of a call at ``stamp`` (ISO with its zone; None: now)."""
        from datetime import UTC, datetime

        moment = datetime.fromisoformat(stamp) if stamp else datetime.now(tz=UTC)
        if moment.tzinfo is None:  # naive: UTC, as the catalogue reads it
            moment = moment.replace(tzinfo=UTC)
        return self.choose(moment.astimezone(UTC).isoformat(timespec="milliseconds"))[0]

    def price(self, given: int, made: int, read: int, write: int, hour: int, at: str) -> float | None:  # fmt: skip
        """:func:`~agent_focus.journal.pricing.price_function`'s price of a call made at
        ``at`` (UTC ISO); None when it has no price then."""
        priced = self.choose(at)[1]
        return priced(given, made, read, write, hour) if priced is not None else None


def _holds(condition: Any, at: str) -> bool:
    if not isinstance(condition, tuple):  # a kind we do not know: the catalogue's own test
        from datetime import datetime

        return bool(condition.active(datetime.fromisoformat(at)))
    kind: str = condition[0]
    start: str = condition[1]
    end: str = condition[2]
    if kind == "from":
        return at[:10] >= start
    clock = at[11:23] + "000"  # HH:MM:SS.ffffff, as the condition's times
    if end < start:
        return clock >= start or clock < end
    return start <= clock < end


def from_catalogue(prices: list[Any], rates_of: Any) -> TimedRates:
    """A model's conditional prices (genai-prices' ``ConditionalPrice`` list), each one's
    ``ModelPrice`` made :class:`Rates` by ``rates_of``."""
    return TimedRates([(_condition(c.constraint), rates_of(c.prices)) for c in prices])


def _condition(constraint: Any) -> Any:
    """Our :data:`Condition` for the catalogue's ``constraint``; one of another kind as is."""
    from datetime import UTC, date, datetime, time

    kind = type(constraint).__name__
    if constraint is None:
        return None
    if kind == "StartDateConstraint" and isinstance(constraint.start_date, date):
        return ("from", constraint.start_date.isoformat(), "")
    start, end = getattr(constraint, "start_time", None), getattr(constraint, "end_time", None)
    if kind == "TimeOfDateConstraint" and isinstance(start, time) and isinstance(end, time):
        day = date(1970, 1, 1)  # as the catalogue reads a zone's time (naive: UTC)

        def utc(clock: time) -> str:
            moment = datetime.combine(day, clock.replace(tzinfo=clock.tzinfo or UTC))
            return moment.astimezone(UTC).time().isoformat(timespec="microseconds")

        return ("daily", utc(start), utc(end))
    return constraint  # another kind: asked as it is, never kept
