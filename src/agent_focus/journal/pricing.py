"""What an LLM call cost, from a price table that focus.yaml's `planner.prices` can override.

Prices are US dollars per million tokens, list prices of the providers at the time of
writing; a model we have no price for costs "unknown" (None), never a guess.
"""

from __future__ import annotations

from agent_focus.config import Price

# Longest matching prefix wins: "claude-sonnet-4-5-20250929" uses "claude-sonnet-4".
DEFAULT_PRICES: dict[str, Price] = {
    "claude-opus-4": Price(input=15.0, output=75.0, cached_input=1.5, cache_write=18.75),
    "claude-sonnet-4": Price(input=3.0, output=15.0, cached_input=0.3, cache_write=3.75),
    "claude-3-7-sonnet": Price(input=3.0, output=15.0, cached_input=0.3, cache_write=3.75),
    "claude-3-5-haiku": Price(input=0.8, output=4.0, cached_input=0.08, cache_write=1.0),
    "claude-haiku-4": Price(input=1.0, output=5.0, cached_input=0.1, cache_write=1.25),
    "gpt-4o-mini": Price(input=0.15, output=0.6, cached_input=0.075),
    "gpt-4o": Price(input=2.5, output=10.0, cached_input=1.25),
    "gpt-4.1-nano": Price(input=0.1, output=0.4, cached_input=0.025),
    "gpt-4.1-mini": Price(input=0.4, output=1.6, cached_input=0.1),
    "gpt-4.1": Price(input=2.0, output=8.0, cached_input=0.5),
    "o4-mini": Price(input=1.1, output=4.4, cached_input=0.275),
}


def price_for(model: str, overrides: dict[str, Price]) -> Price | None:
    table = {**DEFAULT_PRICES, **overrides}
    if model in table:
        return table[model]
    matches = [prefix for prefix in table if model.startswith(prefix)]
    return table[max(matches, key=len)] if matches else None


def cost_usd(
    model: str,
    overrides: dict[str, Price],
    *,
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int = 0,
    cache_write_tokens: int = 0,
) -> float | None:
    """Dollars for one call. ``input_tokens`` excludes cached and cache-write tokens."""
    price = price_for(model, overrides)
    if price is None:
        return None
    total = (
        input_tokens * price.input
        + output_tokens * price.output
        + cached_tokens * (price.cached_input if price.cached_input is not None else price.input)
        + cache_write_tokens * (price.cache_write if price.cache_write is not None else price.input)
    )
    return round(total / 1_000_000, 10)
