"""What a model call cost, priced as ccusage prices it.

Rates come from `genai-prices` (a maintained, offline snapshot of every provider's list
prices, tiers included); focus.yaml's `planner.prices` override them by longest model-name
prefix. A record's own `costUSD` is used as it is, by the ingester. A model nobody prices
costs "unknown" (None), never 0, unless it used no tokens at all.

ccusage's rules, which users compare us with: a 1-hour cache write costs its own rate
(twice the input price for Claude); in a tiered model (Sonnet 4 and 4.5 past 200k tokens),
the tokens of a request beyond the tier's start are charged at the tier's rate, each kind of
token on its own. Where the catalogue's price depends on the time (Opus and Sonnet 4.6's long
context before 2026-03-13, o3 before 2025-06-10, DeepSeek off-peak) a call is priced at its
own time (journal.timed_rates); ccusage uses today's price.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:  # the config (pydantic) is only imported when focus.yaml is read
    from agent_focus.config import Price
    from agent_focus.journal.timed_rates import TimedRates

MILLION = 1_000_000


class PriceOf(Protocol):
    """A call's price at given rates: (input, output, cache reads, 5-minute writes, 1-hour
    writes, and its time, which steady rates do not need) -> dollars."""

    def __call__(
        self, given: int, made: int, read: int, write: int, hour: int, at: str = "", /
    ) -> float: ...


@dataclass(frozen=True)
class Rate:
    """Dollars per million tokens, and from which token count a higher rate applies."""

    base: float
    tier_start: int | None = None
    tier_price: float | None = None


@dataclass(frozen=True)
class Rates:
    input: Rate
    output: Rate
    cache_write: Rate
    cache_write_1h: Rate
    cache_read: Rate


def _from_override(price: Price) -> Rates:
    cache_write = price.cache_write if price.cache_write is not None else price.input
    cached = price.cached_input if price.cached_input is not None else price.input
    return Rates(
        Rate(price.input),
        Rate(price.output),
        Rate(cache_write),
        Rate(price.input * 2),
        Rate(cached),
    )


def _rate(tiered: object, fallback: Rate | None = None) -> Rate | None:
    if tiered is None:
        return fallback
    if isinstance(tiered, int | float) or hasattr(tiered, "as_integer_ratio"):
        return Rate(float(tiered))  # type: ignore[arg-type]
    base = float(tiered.base)  # type: ignore[attr-defined]
    tiers = list(getattr(tiered, "tiers", None) or [])
    if not tiers:
        return Rate(base)
    first = tiers[0]
    return Rate(base, int(first.start), float(first.price))


CatalogueRates: TypeAlias = "Rates | TimedRates | None"  # TimedRates: they depend on time


def catalogue_rates(model: str) -> CatalogueRates:
    """The list rates `genai-prices` knows for ``model`` (:class:`TimedRates` when they
    depend on the time of the call); None when it knows none."""
    return catalogue_entry(model)[0]


LOADED: list[str | None] = []  # the identity of the catalogue this process loaded (known_rates)
# The rates this process looked up that may be kept, since last taken (take_looked_up): a
# first read's readers hand them to the parent, which keeps them (journal.known_rates).
_LOOKED_UP: dict[str, CatalogueRates] = {}


@functools.cache
def catalogue_entry(model: str) -> tuple[CatalogueRates, bool]:
    """:func:`catalogue_rates`, and whether they may be kept (journal.known_rates): all but
    the :class:`~agent_focus.journal.timed_rates.TimedRates` with a condition of a kind
    focus does not know."""
    import sys
    import warnings

    if not LOADED:  # once: what is loaded now is what is on disk now (unknown when another
        from agent_focus.journal.known_rates import catalogue_id  # module loaded it first)

        LOADED.append(catalogue_id() if "genai_prices" not in sys.modules else None)
    from genai_prices import Usage, calc_price

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            answer = calc_price(Usage(input_tokens=0, output_tokens=0), model)
    except (LookupError, ValueError):
        rates: CatalogueRates = None  # unknown until another catalogue
    else:
        if isinstance(answer.model.prices, list):  # conditional prices: by the call's time
            from agent_focus.journal.timed_rates import from_catalogue

            rates = from_catalogue(answer.model.prices, _rates)
        else:
            rates = _rates(answer.model_price)
    keepable = rates is None or isinstance(rates, Rates) or rates.keepable
    if keepable and model:
        _LOOKED_UP[model] = rates
    return rates, keepable


def take_looked_up() -> tuple[str | None, dict[str, CatalogueRates]] | None:
    """The rates this process looked up in the catalogue since the last call (those that may
    be kept), with the identity of the catalogue it loaded; None when there are none."""
    if not _LOOKED_UP:
        return None
    taken = dict(_LOOKED_UP)
    _LOOKED_UP.clear()
    return LOADED[0] if LOADED else None, taken


def _rates(found: Any) -> Rates | None:
    """The rates of a catalogue's ``ModelPrice``."""
    given = _rate(found.input_mtok)
    made = _rate(found.output_mtok)
    if given is None or made is None:
        return None
    write = _rate(found.cache_write_mtok, given)
    assert write is not None
    return Rates(
        given,
        made,
        write,
        _rate(found.cache_write_1h_mtok, Rate(given.base * 2)) or write,
        _rate(found.cache_read_mtok, given) or given,
    )


def load_catalogue() -> None:
    """Load the catalogue now (importing `genai-prices` and reading its tables, about 0.2 s
    of CPU): the ingester does it before its reader processes fork, so that they share it
    instead of each loading it again on its first price."""
    catalogue_rates("")  # no model: its (empty) answer is cached like any other


def rates_for(
    model: str,
    overrides: dict[str, Price] | None = None,
    catalogue: Callable[[str], CatalogueRates] = catalogue_rates,
) -> CatalogueRates:
    """focus.yaml's price for the longest matching prefix, else the ``catalogue``'s (the
    catalogue itself, or its rates kept from an earlier run: journal.known_rates)."""
    table = overrides or {}
    matches = [prefix for prefix in table if model.startswith(prefix)]
    if matches:
        return _from_override(table[max(matches, key=len)])
    return catalogue(model)


def cost_usd(
    model: str,
    overrides: dict[str, Price] | None = None,
    *,
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int = 0,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
) -> float | None:
    """Dollars for one call. ``input_tokens`` is uncached input only; ``cache_write_tokens``
    are the 5-minute writes, ``cache_write_1h_tokens`` the 1-hour ones."""
    if not any(
        (input_tokens, output_tokens, cached_tokens, cache_write_tokens, cache_write_1h_tokens)
    ):
        return 0.0  # nothing used (a `<synthetic>` record): nothing to price
    rates = rates_for(model, overrides)
    if rates is not None and not isinstance(rates, Rates):
        rates = rates.at()  # a call made now (the planner's)
    if rates is None:
        return None
    price = price_function(rates)
    return price(input_tokens, output_tokens, cached_tokens, cache_write_tokens, cache_write_1h_tokens)  # fmt: skip


def _terms(rate: Rate) -> tuple[float, float, float]:
    """(base, tier start, tier price); a rate without a tier starts it at infinity."""
    if rate.tier_start is None or rate.tier_price is None:
        return rate.base, math.inf, 0.0
    return rate.base, rate.tier_start, rate.tier_price


def price_function(rates: Rates) -> PriceOf:
    """The price of a call at these rates, as one closure (the ingester makes one a model
    and calls it per call; :func:`cost_usd` for one call): ``(input, output, cache reads,
    5-minute writes, 1-hour writes) -> dollars``. Past a tier's start its tokens cost the
    tier's rate."""
    (bi, si, ti), (bo, so, to), (br, sr, tr), (bw, sw, tw), (bh, sh, th) = map(
        _terms,
        (rates.input, rates.output, rates.cache_read, rates.cache_write, rates.cache_write_1h),
    )

    if math.inf == si == so == sr == sw == sh:  # no tier: the same sums, without the tests

        def flat(given: int, made: int, read: int, write: int, hour: int, _at: str = "") -> float:
            return round(
                (given * bi + made * bo + read * br + write * bw + hour * bh) / MILLION, 10
            )

        return flat

    def price(given: int, made: int, read: int, write: int, hour: int, _at: str = "") -> float:
        total = (
            (given * bi if given <= si else si * bi + (given - si) * ti)
            + (made * bo if made <= so else so * bo + (made - so) * to)
            + (read * br if read <= sr else sr * br + (read - sr) * tr)
            + (write * bw if write <= sw else sw * bw + (write - sw) * tw)
            + (hour * bh if hour <= sh else sh * bh + (hour - sh) * th)
        )
        return round(total / MILLION, 10)

    return price
