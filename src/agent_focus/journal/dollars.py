"""How dollars are added up, in every report: exactly, and rounded once at the end.

Rounding at each addition, or adding in order, makes a total depend on how the calls were
grouped: the total of `--by task` (every call) and of `--by agent` (each hour's sum, then
each group's) would differ in the 10th place over a long history. :func:`math.fsum` gives
the correctly rounded sum of its terms, whatever their order.
"""

from __future__ import annotations

import math
from typing import Any


def dollars(costs: list[float]) -> float | None:
    """The sum of ``costs`` (:func:`exact_total`), rounded to 10 places."""
    total = exact_total(costs)
    return None if total is None else round(total, 10)


class ExactSum:
    """SQLite's ``sum`` of a group's dollars, exact: each hour's sum (or call's cost) kept and
    added by :func:`math.fsum` at the end. SQLite before 3.43 adds in order, and over
    thousands of hours of large dollars a key's total then differs from another key's in the
    10th place (the `--by task` total, summed exactly from the calls, and `--by agent`'s). An
    infinite cost of each sign makes NULL, as SQLite's NaN does; NULLs are skipped."""

    def __init__(self) -> None:
        self.costs: list[float] = []

    def step(self, cost: Any) -> None:  # a float or None (typeshed says int)
        if cost is not None:
            self.costs.append(cost)

    def finalize(self) -> float | None:
        return exact_total(self.costs) if self.costs else None


def exact_total(costs: list[float]) -> float | None:
    """The correctly rounded sum; with an infinite cost or past the largest float (a log's
    own ``costUSD`` may say 1e999), what SQLite's ``sum`` says: infinity, or NULL for
    infinity minus infinity."""
    try:
        return math.fsum(costs)
    except (ValueError, OverflowError):
        total = sum(costs)
        return None if total != total else total


def money(value: float) -> str:
    """Dollars as a person reads them: cents from a dollar up ($12.35, $1,204.00), four
    places below one ($0.0055: a few calls are not "$0.00"), and below a hundredth of a
    cent, "<$0.0001" rather than nothing."""
    sign, size = ("-" if value < 0 else ""), abs(value)
    if round(size, 4) >= 1 or size == 0 or size != size:  # (NaN, inf: as Python writes them)
        return f"{sign}${size:,.2f}"
    if size < 0.0001:
        return f"{sign}<$0.0001"
    return f"{sign}${size:.4f}"
