"""Models whose catalogue prices depend on the time (o3's price fell on 2025-06-10;
DeepSeek's is halved off-peak, 16:30 to 00:30 UTC): each call is priced at its own time, by
the real ingester, whichever way its line is read, and kept with their conditions. (Below 200k
tokens a call: past them genai-prices and ccusage price Sonnet's long context differently.)"""

from __future__ import annotations

import datetime
import json
import os
import warnings
from pathlib import Path

import pytest

from agent_focus.ingest import run
from agent_focus.ingest.pool import BATCH_FILES
from agent_focus.ingest.run import ingest_logs
from agent_focus.journal import pricing
from agent_focus.journal.db import open_log
from agent_focus.journal.known_rates import RATES_FILE
from agent_focus.journal.pricing import catalogue_rates, cost_usd, load_catalogue
from agent_focus.journal.timed_rates import TimedRates


def _catalogue(model: str, given: int, made: int, read: int, stamp: str) -> float:
    """What genai-prices itself says such a call cost at that time."""
    load_catalogue()  # by focus first, as in the command (else it keeps no rates: known_rates)
    from genai_prices import Usage, calc_price

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answer = calc_price(
            Usage(input_tokens=given + read, cache_read_tokens=read, output_tokens=made),
            model,
            genai_request_timestamp=datetime.datetime.fromisoformat(stamp),
        )
    return float(answer.total_price)


def _claude(n: int, model: str, stamp: str, **more: object) -> str:
    entry = {
        "type": "assistant", "sessionId": "s1", "cwd": "/w", "timestamp": stamp,
        "requestId": f"req_{n}", "version": "2.0.55",
        "message": {"id": f"msg_{n}", "model": model, "content": [],
                    "usage": {"input_tokens": 100_000, "output_tokens": 10_000,
                              "cache_read_input_tokens": 50_000}},
    }  # fmt: skip
    entry.update(more)
    return json.dumps(entry, separators=(",", ":")) + "\n"


def _codex(kind: str, payload: dict[str, object], stamp: str) -> str:
    entry = {"timestamp": stamp, "type": kind, "payload": payload}
    return json.dumps(entry, separators=(",", ":")) + "\n"


CLAUDE_CALLS = [  # (model, time, read the usual way?)
    ("deepseek-chat", "2026-11-20T10:00:00.000Z", True),  # peak
    ("deepseek-chat", "2026-11-20T18:00:00.000Z", True),  # off-peak: half
    ("deepseek-chat", "2026-11-20T23:59:00.000Z", False),  # off-peak, read the general way
    ("claude-sonnet-4-5-20250929", "2026-11-20T18:00:00.000Z", True),  # steady
]
CODEX_CALLS = ["2025-03-01T12:00:00.000Z", "2025-07-01T12:00:00.000Z"]  # o3 before, after


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    claude = tmp_path / "claude" / "projects" / "p"
    claude.mkdir(parents=True)
    lines = []
    for n, (model, stamp, usual) in enumerate(CLAUDE_CALLS):
        # a float costUSD of null is another shape than the usual one: the general way
        lines.append(_claude(n, model, stamp) if usual else _claude(n, model, stamp, x=[1.5]))
    (claude / "s.jsonl").write_text("".join(lines))
    codex = tmp_path / "codex" / "sessions" / "2025" / "03" / "01"
    codex.mkdir(parents=True)
    rollout = [_codex("session_meta", {"id": "c1", "cwd": "/w"}, CODEX_CALLS[0])]
    rollout.append(_codex("turn_context", {"model": "o3"}, CODEX_CALLS[0]))
    for n, stamp in enumerate(CODEX_CALLS, 1):
        usage = {"input_tokens": 3_000_000 * n, "cached_input_tokens": 2_000_000 * n,
                 "output_tokens": 100_000 * n}  # fmt: skip
        last = {"input_tokens": 3_000_000, "cached_input_tokens": 2_000_000,
                "output_tokens": 100_000}  # fmt: skip
        info = {"total_token_usage": usage, "last_token_usage": last}
        rollout.append(_codex("event_msg", {"type": "token_count", "info": info}, stamp))
    (codex / "rollout-2025-03-01T12-00-00-c1.jsonl").write_text("".join(rollout))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    return tmp_path / "state"


@pytest.mark.parametrize("readers", [False, True], ids=["in-process", "by-readers"])
def test_each_call_is_priced_at_its_own_time(
    logs: Path, readers: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In this process, or by the two forked readers (a first batch of 64 small Claude logs
    for the first, the o3 rollout in the second's batch), which hand the rates back."""
    fillers = 0
    if readers:
        if (os.cpu_count() or 1) < 2:
            pytest.skip("forked readers need two cores")
        monkeypatch.setattr(run, "PARALLEL_BYTES", 0)
        load_catalogue()  # by focus first: else no rates are kept (known_rates)
        pricing.catalogue_entry.cache_clear()  # as in a new process: the readers look up
        pricing.take_looked_up()  # every model, and hand them back (here: not inherited)
        for n in range(BATCH_FILES):
            filler = logs.parent / "claude" / "projects" / f"f{n:02d}" / "s.jsonl"
            filler.parent.mkdir(parents=True)
            filler.write_text(_claude(100 + n, "claude-haiku-4-5-20251001", CLAUDE_CALLS[0][1]))
        fillers = BATCH_FILES
    report = ingest_logs(logs, {})
    assert report.calls_added == len(CLAUDE_CALLS) + len(CODEX_CALLS) + fillers
    db = open_log(logs)
    rows = db.execute(
        "SELECT source, model, at, cost_usd FROM agent_usage WHERE model != ? ORDER BY id",
        ("claude-haiku-4-5-20251001",),
    ).fetchall()
    db.close()
    claude = [(model, cost) for source, model, _at, cost in rows if source == "claude"]
    expected = [_catalogue(m, 100_000, 10_000, 50_000, s) for m, s, _ in CLAUDE_CALLS]
    assert [cost for _model, cost in claude] == pytest.approx(expected, rel=1e-12)
    assert claude[1][1] == pytest.approx(claude[0][1] / 2)  # off-peak: half the peak price
    o3 = [cost for source, _model, _at, cost in rows if source == "codex"]
    assert o3 == pytest.approx(
        [_catalogue("o3", 1_000_000, 100_000, 2_000_000, stamp) for stamp in CODEX_CALLS],
        rel=1e-12,
    )
    assert o3 == pytest.approx([10 + 1 + 4, 2 + 1 + 0.8])  # $10 and $40 a million, then $2 and $8
    kept = json.loads((logs / RATES_FILE).read_text())["rates"]
    models = ["claude-sonnet-4-5-20250929", "deepseek-chat", "o3"]
    assert sorted(kept) == (["claude-haiku-4-5-20251001", *models] if readers else models)
    assert [c for c, _rates in kept["o3"]["when"]] == [None, ["from", "2025-06-10", ""]]


def test_a_call_made_now_is_priced_now() -> None:
    """The planner's own calls (cost_usd) are made now: now's rates."""
    timed = catalogue_rates("o3")
    assert isinstance(timed, TimedRates)
    now = datetime.datetime.now(tz=datetime.UTC).isoformat()
    assert cost_usd("o3", input_tokens=1_000_000, output_tokens=0) == pytest.approx(
        _catalogue("o3", 1_000_000, 0, 0, now)
    )
    assert timed.at("2025-03-01T00:00:00+00:00") != timed.at(now)


@pytest.mark.parametrize("appended", [False, True], ids=["read-whole", "second-copy-appended"])
def test_copies_across_a_change_of_price_keep_the_dearer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, appended: bool
) -> None:
    """Two consecutive copies of one message (one per content block), the same usage, one
    written off-peak and the next at peak: ccusage's order keeps the dearer copy, whether the
    reader meets both (it resolves them itself) or the second comes in a later run (the
    de-duplicator does)."""
    log = tmp_path / "claude" / "projects" / "p" / "s.jsonl"
    log.parent.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    off_peak, peak = "2026-11-20T00:29:59.900Z", "2026-11-20T00:30:00.100Z"
    first, second = _claude(1, "deepseek-chat", off_peak), _claude(1, "deepseek-chat", peak)
    state = tmp_path / "state"
    if appended:
        log.write_text(first)
        ingest_logs(state, {})
        with log.open("a") as handle:
            handle.write(second)
    else:
        log.write_text(first + second)
    ingest_logs(state, {})
    db = open_log(state)
    rows = db.execute("SELECT at, cost_usd FROM agent_usage").fetchall()
    db.close()
    assert rows == [
        (
            "2026-11-20T00:30:00.100+00:00",
            _catalogue("deepseek-chat", 100_000, 10_000, 50_000, peak),
        )
    ]
    assert rows[0][1] == pytest.approx(
        2 * _catalogue("deepseek-chat", 100_000, 10_000, 50_000, off_peak)
    )


def test_conditions_of_every_form_choose_what_the_catalogue_chooses() -> None:
    """Conditions the installed catalogue does not use yet: times in another zone or naive,
    a window through midnight, a date and hours together, and a kind focus does not know
    (asked through its own active(), and not kept)."""
    from dataclasses import dataclass
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from genai_prices import types

    from agent_focus.journal.pricing import _rates
    from agent_focus.journal.timed_rates import from_catalogue

    @dataclass
    class Weekend:  # a kind of condition focus does not know
        def active(self, request_timestamp: datetime.datetime) -> bool:
            return request_timestamp.astimezone(datetime.UTC).weekday() >= 5

    def price(n: int) -> types.ModelPrice:
        return types.ModelPrice(input_mtok=Decimal(n), output_mtok=Decimal(n * 2))

    def daily(start: datetime.time, end: datetime.time) -> types.TimeOfDateConstraint:
        return types.TimeOfDateConstraint(start_time=start, end_time=end)

    t = datetime.time
    tz8, ny = datetime.timezone(datetime.timedelta(hours=8)), ZoneInfo("America/New_York")
    sets = [
        [(None, 1), (daily(t(8, 30, tzinfo=tz8), t(17, 0, tzinfo=tz8)), 2)],  # +08:00
        [(None, 1), (daily(t(22, 0), t(6, 15)), 3)],  # naive, through midnight
        [(None, 1), (daily(t(9, 0, tzinfo=ny), t(9, 0, 0, 500_000, tzinfo=ny)), 4)],
        [(None, 1), (types.StartDateConstraint(start_date=datetime.date(2026, 3, 13)), 5),
         (daily(t(0, 30, tzinfo=datetime.UTC), t(16, 30, tzinfo=datetime.UTC)), 6)],
        [(None, 1), (Weekend(), 7), (types.StartDateConstraint(start_date=datetime.date(2026, 1, 1)), 8)],
    ]  # fmt: skip
    rng = __import__("random").Random(11)
    start = datetime.datetime(2025, 12, 28, tzinfo=datetime.UTC).timestamp()
    moments = [start + rng.uniform(0, 120 * 86400) for _ in range(3000)]
    moments += [start + day * 86400 + edge for day in range(120) for edge in (0, 1800, 3600 * 16.5, 3600 * 22, 22_500, 48_600)]  # fmt: skip
    for conditions in sets:
        info = types.ModelInfo(
            id="m", match=types.ClauseEquals(equals="m"),
            prices=[types.ConditionalPrice(c, prices=price(n)) for c, n in conditions],
        )  # fmt: skip
        rates = from_catalogue(info.prices, _rates)
        assert rates.keepable == all(not isinstance(c, Weekend) for c, _n in conditions)
        for moment in moments:
            when = datetime.datetime.fromtimestamp(moment, datetime.UTC)
            at = when.isoformat(timespec="milliseconds")
            when = datetime.datetime.fromisoformat(at)  # the milliseconds a log has
            expected = _rates(info.get_prices(when))
            assert rates.choose(at)[0] == expected, (conditions, at)
