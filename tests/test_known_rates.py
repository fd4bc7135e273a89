"""The catalogue's rates kept in the state folder (journal.known_rates): the same prices as
the catalogue's, no catalogue loaded by a run that finds them kept, none used for another
catalogue, and a file that is not ours ignored."""

from __future__ import annotations

import ast
import datetime
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from agent_focus.ingest import run as run_module
from agent_focus.ingest.dedupe import pricer_for
from agent_focus.journal import known_rates, pricing
from agent_focus.journal.known_rates import RATES_FILE, KnownRates
from agent_focus.journal.pricing import catalogue_rates
from agent_focus.journal.timed_rates import TimedRates

# a flat model, a tiered one (past 200k tokens), one with 1-hour writes, and unknown ones
MODELS = ["claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "gpt-5", "no-such-model", ""]
USES = [(1_000, 200, 300, 50, 4_000), (250_000, 9_000, 240_000, 210_000, 1), (0, 0, 0, 0, 7)]
AT = "2026-11-20T10:00:00.000+00:00"  # a call's time


def test_kept_rates_price_as_the_catalogue_does(tmp_path: Path) -> None:
    first = KnownRates(tmp_path)
    assert first.catalogue is not None and first.rates == {}
    for model in MODELS:
        assert first(model) == catalogue_rates(model)
    first.save()
    kept = json.loads((tmp_path / RATES_FILE).read_text())
    assert kept["catalogue"] == first.catalogue and sorted(kept["rates"]) == sorted(MODELS)
    assert kept["rates"]["no-such-model"] is None

    again = KnownRates(tmp_path)
    assert again.rates == first.rates and not again.new
    by_catalogue, by_kept = pricer_for({}), pricer_for({}, again)
    for model in MODELS:
        for use in USES:
            assert by_kept(model, *use, AT) == by_catalogue(model, *use, AT), (model, use)
    assert by_kept("no-such-model", 1, 1, 0, 0, 0, AT) is None  # unknown: not 0


@pytest.mark.parametrize("readers", [False, True], ids=["in-process", "by-readers"])
def test_a_run_with_the_rates_kept_does_not_load_the_catalogue(
    tmp_path: Path, readers: bool
) -> None:
    """The real ingester in a fresh interpreter: the first run that prices a call loads the
    catalogue and keeps its rates; the next one, with a new call, prices it the same without
    importing genai-prices (0.3 s of CPU). When a first read's forked readers priced the
    calls, the ingester itself never loaded the catalogue: the readers handed it the rates."""
    if readers and (os.cpu_count() or 1) < 2:
        pytest.skip("forked readers need two cores")
    config = tmp_path / "claude"
    (config / "projects" / "p").mkdir(parents=True)
    log = config / "projects" / "p" / "s.jsonl"
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(config), "CODEX_HOME": str(tmp_path / "none")}
    script = (
        "import sys\nfrom pathlib import Path\nfrom agent_focus.ingest import run\n"
        "from agent_focus.journal.db import open_log\n"
        "run.PARALLEL_BYTES = int(sys.argv[2])  # 0: by forked readers\n"
        "run.ingest_logs(Path(sys.argv[1]))\n"
        "db = open_log(Path(sys.argv[1]))\n"
        "print(db.execute('SELECT sum(cost_usd), count(*) FROM agent_usage').fetchone())\n"
        "print('genai_prices' in sys.modules)\n"
    )

    def run(parallel_bytes: int = run_module.PARALLEL_BYTES) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "state"), str(parallel_bytes)],
            env=env, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return done.stdout.split("\n")

    def call(n: int) -> str:
        entry = {
            "cwd": "/w", "sessionId": "s1", "type": "assistant", "requestId": f"req_{n}",
            "timestamp": f"2026-11-20T10:00:{n:02d}.000Z", "message": {
                "id": f"msg_{n}", "model": "claude-sonnet-4-5-20250929", "usage": {
                    "input_tokens": 250_000 * n, "output_tokens": 100,
                    "cache_read_input_tokens": 1000}},
        }  # fmt: skip
        return json.dumps(entry, separators=(",", ":")) + "\n"

    log.write_text(call(1))
    first = run(0 if readers else run_module.PARALLEL_BYTES)
    assert first[1] == str(not readers) and (tmp_path / "state" / RATES_FILE).exists()
    kept = json.loads((tmp_path / "state" / RATES_FILE).read_text())["rates"]
    assert list(kept) == ["claude-sonnet-4-5-20250929"]
    with log.open("a") as handle:
        handle.write(call(2))
    second = run()
    assert second[1] == "False"  # priced from the kept rates
    price = pricer_for({})
    costs = [price("claude-sonnet-4-5-20250929", 250_000 * n, 100, 0, 0, 1000, AT) for n in (1, 2)]
    total, calls = ast.literal_eval(second[0])
    assert calls == 2 and total == pytest.approx(sum(c for c in costs if c is not None))
    assert ast.literal_eval(first[0])[0] == pytest.approx(costs[0])


def test_another_catalogue_uses_none_of_the_kept_rates(tmp_path: Path) -> None:
    """Rates kept for another genai-prices (or before focus read the catalogue another way:
    the format is in the identity) are not used; the file is replaced by this one's."""
    catalogue = known_rates.catalogue_id()
    assert catalogue is not None and catalogue.startswith(f"format {known_rates.RATES_FORMAT}\n")
    bogus = [[99.0, None, None]] * 5
    (tmp_path / RATES_FILE).write_text(
        json.dumps({"catalogue": "another genai-prices", "rates": {"gpt-5": bogus}})
    )
    other = KnownRates(tmp_path)
    assert other.rates == {}
    assert other("gpt-5") == catalogue_rates("gpt-5") != known_rates._from_json(bogus)
    other.save()
    kept = json.loads((tmp_path / RATES_FILE).read_text())
    assert kept["catalogue"] == catalogue and kept["rates"]["gpt-5"] != bogus


def test_a_process_that_loaded_another_catalogue_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """genai-prices upgraded under a running process (`focus serve`): the rates it looks up
    come from the catalogue it loaded, not the one on disk, so none is kept under the new
    one's identity; and with no genai-prices to be found, nothing is kept at all."""
    catalogue_rates("")  # this process has loaded the installed catalogue
    monkeypatch.setattr(known_rates, "catalogue_id", lambda: "upgraded on disk")
    rates = KnownRates(tmp_path)
    assert rates("gpt-5") == catalogue_rates("gpt-5")
    for loaded in (pricing.LOADED[0], None):  # a reader forked from this process, or
        rates.learn(loaded, {"gpt-5": catalogue_rates("gpt-5")})  # one that cannot say
    rates.save()
    assert not (tmp_path / RATES_FILE).exists()
    monkeypatch.setattr(known_rates, "catalogue_id", lambda: None)
    none = KnownRates(tmp_path)
    assert none("gpt-5") == catalogue_rates("gpt-5")
    none.save()
    assert not (tmp_path / RATES_FILE).exists()


# models whose catalogue prices depend on the time: by date (a tier that ended, a price
# cut), by the hour (off-peak), both
TIMED = ["claude-opus-4-6", "claude-sonnet-4-6", "o3", "deepseek-chat", "deepseek-v4-pro"]
TIMES = [
    f"{day}T{clock}+00:00"
    for day in ("2025-03-01", "2025-06-09", "2025-06-10", "2026-03-12", "2026-03-13", "2026-08-17")
    for clock in ("00:00:00.000", "00:29:59.999", "00:30:00.000", "03:59:59.999", "09:00:00.000",
                  "16:29:59.999", "16:30:00.000", "23:59:59.999")
]  # fmt: skip


def test_rates_that_depend_on_the_time_are_kept_with_their_conditions(tmp_path: Path) -> None:
    """A model whose catalogue prices change with the date or the hour (Opus 4.6's long
    context before 2026-03-13, o3's cut, DeepSeek's off-peak) is kept with its conditions,
    and the kept rates price a call at any time as the catalogue itself does."""
    from genai_prices import Usage, calc_price

    rates = KnownRates(tmp_path)
    for model in TIMED:
        found = rates(model)
        assert isinstance(found, TimedRates) and found.keepable, model
    rates.save()
    again = KnownRates(tmp_path)
    assert sorted(again.rates) == sorted(TIMED) and again.rates == rates.rates
    by_kept = pricer_for({}, again)
    for model in TIMED:
        for at in TIMES:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                answer = calc_price(
                    Usage(input_tokens=150_000, output_tokens=20_000), model,
                    genai_request_timestamp=datetime.datetime.fromisoformat(at),
                )  # fmt: skip
            kept = again.rates[model]
            assert isinstance(kept, TimedRates)
            assert kept.choose(at)[0] == pricing._rates(answer.model_price), (model, at)
            price = by_kept(model, 150_000, 20_000, 0, 0, 0, at)  # below any tier: as it adds
            assert price == pytest.approx(float(answer.total_price)), (model, at)


def test_focus_yaml_prices_win_and_are_never_kept(tmp_path: Path) -> None:
    """focus.yaml's price for a model prefix wins over the kept rates, and only the
    catalogue's rates are kept."""
    from agent_focus.config import Price

    rates = KnownRates(tmp_path)
    rates("claude-sonnet-4-5-20250929")
    rates.save()
    overrides = {"claude-sonnet": Price(input=1.0, output=2.0)}
    again = KnownRates(tmp_path)
    price = pricer_for(overrides, again)
    assert price("claude-sonnet-4-5-20250929", 1_000_000, 1_000_000, 0, 0, 0, AT) == 3.0
    catalogue = pricer_for({})("gpt-5", 1_000_000, 0, 0, 0, 0, AT)
    assert price("gpt-5", 1_000_000, 0, 0, 0, 0, AT) == catalogue
    again.save()
    kept = json.loads((tmp_path / RATES_FILE).read_text())["rates"]
    assert sorted(kept) == ["claude-sonnet-4-5-20250929", "gpt-5"]
    assert _from_kept(kept["claude-sonnet-4-5-20250929"]) == catalogue_rates(
        "claude-sonnet-4-5-20250929"
    )


def _from_kept(kept: object) -> object:
    return known_rates._from_json(kept)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        '{"catalogue": 1}',
        '{"catalogue": "%s", "rates": {"m": [[1, null, null]]}}',
        '{"catalogue": "%s", "rates": {"m": [["1.0", null, null], [1.0, null, null],'
        " [1.0, null, null], [1.0, null, null], [1.0, null, null]]}}",
        '{"catalogue": "%s", "rates": []}',
        '{"catalogue": "%s", "rates": {"m": {"when": []}}}',
        '{"catalogue": "%s", "rates": {"m": {"when": [[["from", "2026-3-13", ""], null]]}}}',
        '{"catalogue": "%s", "rates": {"m": {"when": [[["daily", "16:30", "00:30"], null]]}}}',
        '{"catalogue": "%s", "rates": {"m": {"when": [["abc", null]]}}}',
        '{"catalogue": "%s", "rates": {"m": {"when": [[null, {"when": [[null, null]]}]]}}}',
        "[" * 100_000,  # nested past the recursion limit
    ],
)
def test_a_kept_file_that_is_not_ours_is_ignored_and_replaced(tmp_path: Path, text: str) -> None:
    catalogue = known_rates.catalogue_id()
    assert catalogue is not None
    path = tmp_path / RATES_FILE
    path.write_text(text.replace("%s", json.dumps(catalogue)[1:-1]))
    rates = KnownRates(tmp_path)
    assert rates.rates == {}
    assert rates("m") is None and rates("gpt-5") == catalogue_rates("gpt-5")
    rates.save()
    assert KnownRates(tmp_path).rates == rates.rates


def test_a_folder_that_cannot_be_written_keeps_nothing_and_says_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    rates = KnownRates(tmp_path / "file" / "folder")  # under a file: never a folder
    rates("gpt-5")
    rates.save()  # no error: the next run looks it up again
    assert rates.new and sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_catalogue_whose_files_cannot_be_listed_has_no_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file of genai-prices to be seen (a zipped install, a folder it cannot read): no
    identity, so nothing is kept under the folder's name alone, which versions share."""
    import importlib.machinery
    import importlib.util

    spec = importlib.machinery.ModuleSpec("genai_prices", None, is_package=True)
    spec.submodule_search_locations = [str(tmp_path / "genai_prices")]
    (tmp_path / "genai_prices").mkdir()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    assert known_rates.catalogue_id() is None
    (tmp_path / "genai_prices" / "data.py").write_text("")
    assert known_rates.catalogue_id() is not None
