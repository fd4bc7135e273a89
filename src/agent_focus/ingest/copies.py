"""A log's consecutive copies of one call, resolved in the reader (:class:`LogCalls`).

Claude Code writes an assistant message once per content block: the same message id and
request id on consecutive lines, the output count growing or the same. Of such copies only
one is kept, by :func:`better`'s order, which the de-duplicator would have kept too: nothing
comes between them, and ``better`` is an order (tests/test_dedupe_order.py).

A Claude line of the usual shape is first a :class:`Copy`: checked (a line ccusage refuses is
skipped and counted as before) and keyed, but not priced nor built into a :data:`Call`.
Of a run of copies only the one kept is (:func:`finish`): about half of a transcript's call
lines are copies that lose, and pricing and building them was a third of their cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Protocol

from agent_focus.ingest.records import (
    COST,
    EXACT,
    OFFSET,
    PATH,
    REPLAY,
    SIDECHAIN,
    Call,
    own_cost,
    total_tokens,
)

if TYPE_CHECKING:
    from agent_focus.ingest.shapes import ClaudeEntry


class Pricer(Protocol):
    """A call's price from its model, input, output, 5-minute and 1-hour cache writes, reads,
    and its time (UTC ISO: some models' prices depend on it); :meth:`same`: whether two
    calls with the same usage at two times cost the same (:class:`agent_focus.ingest.dedupe.Prices`)."""

    def __call__(
        self, model: str | None, given: int, made: int, write: int, hour: int, read: int, at: str, /
    ) -> float | None: ...

    def same(self, model: str | None, at: str, other: str, /) -> bool: ...


Copy = list[Any]
"""A checked Claude call not yet built: [exact key, replay key, sidechain, total tokens, its
entry (a :class:`~agent_focus.ingest.shapes.ClaudeEntry`), its UTC time, offset, 5-minute
and 1-hour cache writes]. A list, so that a reader tells it from a built :data:`Call` (a
tuple) by ``type``, and makes it for a third of what a tuple subclass costs."""

C_SIDECHAIN: Final = 2
C_TOTAL: Final = 3
C_OFFSET: Final = 6
_SAME: dict[str | None, str | None] = {}  # a session, cwd or model seen: its first copy


def cost_of(copy: Copy, price: Pricer) -> float | None:
    """The copy's cost: the record's own ``costUSD``, else its price."""
    entry = copy[4]
    if (own := entry.costUSD) is not None:
        return own_cost(own)
    usage = entry.message.usage
    return price(
        entry.message.model, usage.input_tokens, usage.output_tokens, copy[7], copy[8],
        usage.cache_read_input_tokens, copy[5],
    )  # fmt: skip


def finish(copy: Copy, path: str, price: Pricer) -> Call:
    """The call a copy records, priced."""
    exact, replay, sidechain, _total, entry, at, offset, write, hour = copy
    usage, model = entry.message.usage, entry.message.model
    session, cwd = entry.sessionId, entry.cwd
    same = _SAME.setdefault  # one object for the calls of a session: they pickle as one
    return (
        exact, replay, "claude", at, same(session, session), same(cwd, cwd), same(model, model),
        usage.input_tokens, usage.output_tokens, write, hour, usage.cache_read_input_tokens,
        cost_of(copy, price), sidechain, path, offset,
    )  # fmt: skip


def better(new: Call, kept: Call) -> bool:
    """Whether ``new`` replaces ``kept`` (ccusage's order of copies)."""
    if new[SIDECHAIN] != kept[SIDECHAIN]:
        return not new[SIDECHAIN]
    if (size := total_tokens(new)) != (kept_size := total_tokens(kept)):
        return size > kept_size
    if (cost := new[COST] or 0.0) != (kept_cost := kept[COST] or 0.0):
        return cost > kept_cost
    return (new[PATH], new[OFFSET]) < (kept[PATH], kept[OFFSET])


def _better_copy(new: Copy, kept: Copy, price: Pricer) -> bool:
    """:func:`better` for two copies of one log, their costs reckoned only when their tokens
    tie and they may differ (copies of one content are the same call: the same price, unless
    the model's price depends on the time and theirs differ)."""
    if new[C_SIDECHAIN] != kept[C_SIDECHAIN]:
        return not new[C_SIDECHAIN]
    size: int = new[C_TOTAL]
    kept_size: int = kept[C_TOTAL]
    if size != kept_size:
        return size > kept_size
    a: ClaudeEntry = new[4]
    b: ClaudeEntry = kept[4]
    same_price = (
        a.costUSD is None
        and b.costUSD is None
        and a.message.model == b.message.model
        and a.message.usage == b.message.usage
        and (new[5] == kept[5] or price.same(a.message.model, new[5], kept[5]))
    )
    if not same_price and (cost := cost_of(new, price) or 0.0) != (
        kept_cost := cost_of(kept, price) or 0.0
    ):
        return cost > kept_cost
    offset: int = new[C_OFFSET]
    kept_offset: int = kept[C_OFFSET]
    return offset < kept_offset


def keep_consecutive(calls: list[Call], call: Call) -> None:
    """Append ``call`` to a log's ``calls``, or, when the call before has the same exact and
    replay keys, keep the better of the two there."""
    if not calls or (exact := call[EXACT]) is None:
        calls.append(call)
        return
    last = calls[-1]
    if exact != last[EXACT] or call[REPLAY] != last[REPLAY]:
        calls.append(call)
    elif better(call, last):
        calls[-1] = call


class LogCalls:
    """One log's calls as its reader finds them, built calls and copies, in order, each run
    of consecutive copies of a call resolved to one; :meth:`done` gives them."""

    def __init__(self, path: str, price: Pricer) -> None:
        self.path, self.price = path, price
        self.calls: list[Call] = []
        self.copy: Copy | None = None  # the best copy of the current run, not built yet

    def add(self, found: Call | Copy) -> None:
        kept = self.copy
        if type(found) is list:
            exact = found[0]
            if kept is not None and exact is not None and exact == kept[0] and found[1] == kept[1]:
                if _better_copy(found, kept, self.price):
                    self.copy = found
                return
            self._build()
            self.copy = found
            return
        self._build()
        keep_consecutive(self.calls, found)  # type: ignore[arg-type]

    def done(self) -> list[Call]:
        self._build()
        return self.calls

    def _build(self) -> None:
        """The run's best copy, built and priced, after the calls before it."""
        if self.copy is not None:
            keep_consecutive(self.calls, finish(self.copy, self.path, self.price))
            self.copy = None
