"""The catalogue's rates of the models priced before, kept in the state folder
(``prices.json``), so that a run with a few new calls does not load the catalogue.

Loading `genai-prices` (it imports pydantic and an HTTP client) costs about 0.3 s of CPU,
and every `focus usage` after an agent wrote a call has to price it: 0.43 s where a run with
nothing new takes 0.12 s. The rates it gives each model are a few numbers, kept here with
the identity of the installed catalogue (its files' sizes and times, found without
importing it): another version of `genai-prices` is another catalogue, and none of the
kept rates are used, nor are they after a change of how focus reads them
(:data:`RATES_FORMAT`). A model whose catalogue prices depend on the time (from a date on,
off-peak) is kept with its conditions (journal.timed_rates); only one whose conditions are of
a kind focus does not know is looked up again by each run. A process that loaded
one catalogue and finds another on disk (an upgrade under a running `focus serve`) keeps
nothing. A first read's readers look the rates up in their own processes and hand them to
the ingester with their calls (:meth:`KnownRates.learn`), so the run after it needs no
catalogue either. focus.yaml's prices are never kept: they are read each run and win
(:func:`agent_focus.journal.pricing.rates_for`). A file that is missing, unreadable or not
ours is as if empty; it is written whole (a new file renamed over it, under the ingest
lock), so a reader never sees half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path
from typing import Any

from agent_focus.journal import pricing
from agent_focus.journal.pricing import Rate, Rates
from agent_focus.journal.timed_rates import TimedRates

RATES_FILE = "prices.json"
RATES_FORMAT = 2  # bumped when pricing.catalogue_entry reads the catalogue another way
# (2: the rates that depend on the time, journal.timed_rates, are kept too)
_KINDS = ("input", "output", "cache_write", "cache_write_1h", "cache_read")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # a Condition's date (a real one: _real)
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}")  # and its times


def catalogue_id() -> str | None:
    """Which `genai-prices` is installed, without importing it: where it is, and the size
    and time of each of its files (None when it is not installed, or its files cannot be
    listed: then nothing is kept)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("genai_prices")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folders, files = sorted(spec.submodule_search_locations), []
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    files.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    if not files:
        return None
    return "\n".join([f"format {RATES_FORMAT}", *folders, *sorted(files)])


def _to_json(rates: pricing.CatalogueRates) -> Any:
    if rates is None:
        return None
    if isinstance(rates, TimedRates):
        return {"when": [[list(c) if c else None, _to_json(r)] for c, r in rates.conditions]}
    return [[r.base, r.tier_start, r.tier_price] for r in (getattr(rates, k) for k in _KINDS)]


def _real(day: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(day)
    except ValueError:
        return False
    return True


def _from_json(kept: object) -> pricing.CatalogueRates:
    """Kept rates back (ValueError, TypeError or KeyError when they are not ours)."""
    if kept is None:
        return None
    if isinstance(kept, dict):
        if kept.keys() != {"when"}:
            raise ValueError(kept)
        conditions = []
        for condition, rates in kept["when"]:
            if condition is not None:
                if type(condition) is not list:
                    raise TypeError(condition)
                kind, start, end = condition
                if not all(type(t) is str for t in condition) or not (
                    (kind == "from" and _DAY.fullmatch(start) and _real(start) and end == "")
                    or (kind == "daily" and _CLOCK.fullmatch(start) and _CLOCK.fullmatch(end))
                ):
                    raise ValueError(condition)
                condition = (kind, start, end)
            found = _from_json(rates)
            if isinstance(found, TimedRates):
                raise TypeError(kept)
            conditions.append((condition, found))
        if not conditions:
            raise ValueError(kept)
        return TimedRates(conditions)
    if not isinstance(kept, list) or len(kept) != len(_KINDS):
        raise ValueError(kept)
    rates = {}
    for kind, (base, start, price) in zip(_KINDS, kept, strict=True):
        if type(base) is not float or (start is not None and type(start) is not int):
            raise TypeError(kept)
        if price is not None and type(price) is not float:
            raise TypeError(kept)
        rates[kind] = Rate(base, start, price)
    return Rates(**rates)


class KnownRates:
    """The catalogue's rates, by model: those kept in ``folder`` for the installed
    catalogue, else looked up in it (and kept by :meth:`save`)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / RATES_FILE
        self.catalogue = catalogue_id()
        self.rates: dict[str, pricing.CatalogueRates] = {}  # kept, or to keep
        self.new = False
        if self.catalogue is None:
            return
        try:
            kept = json.loads(self.path.read_bytes())
            if kept["catalogue"] == self.catalogue:
                self.rates = {model: _from_json(r) for model, r in kept["rates"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            self.rates = {}  # none kept, or not as we write them: looked up again

    def __call__(self, model: str) -> pricing.CatalogueRates:
        try:
            return self.rates[model]
        except KeyError:
            found, keepable = pricing.catalogue_entry(model)
            if keepable and pricing.LOADED[:1] == [self.catalogue]:  # the one on disk
                self.rates[model] = found
                self.new = True
            return found

    def learn(self, catalogue: str | None, rates: dict[str, pricing.CatalogueRates]) -> None:
        """Keep the ``rates`` another process (a reader) looked up in the catalogue it
        loaded, when that is the installed one (:func:`pricing.take_looked_up`)."""
        if catalogue is None or catalogue != self.catalogue:
            return
        for model, found in rates.items():
            if model not in self.rates:
                self.rates[model] = found
                self.new = True

    def save(self) -> None:
        """Keep the rates looked up or learned since they were read (nothing when there are
        none, or when the folder cannot be written: the next run looks them up again)."""
        if not self.new or self.catalogue is None:
            return
        data = {"catalogue": self.catalogue, "rates": {m: _to_json(r) for m, r in self.rates.items()}}  # fmt: skip
        part = self.path.with_name(f".{RATES_FILE}.part")  # one writer: the ingest lock
        try:
            part.write_text(json.dumps(data, indent=1) + "\n")
            os.replace(part, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                part.unlink()
            return
        self.new = False
