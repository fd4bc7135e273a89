"""usage_hours (what `focus usage` sums) stays equal to the calls it sums: on a first read,
where the sums are made as the calls are written, even when a call written in an earlier
flush is replaced by a better copy; and on later reads, which sum the touched hours again."""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from agent_focus.ingest.dedupe import FLUSH_CALLS
from agent_focus.ingest.run import ingest_logs
from tests.test_agent_usage import assistant


def _hours_from_calls(db: sqlite3.Connection) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, 0, 0, 0, [], 0])
    query = (
        "SELECT substr(at, 1, 13), source, cwd, session, model, input_tokens, output_tokens,"
        " cache_write_tokens + cache_write_1h_tokens, cached_tokens, cost_usd FROM agent_usage"
    )
    for hour, source, cwd, session, model, given, made, written, read, cost in db.execute(query):
        sums = groups[(hour + ":00:00.000+00:00", source, cwd, session, model)]
        sums[0] += given
        sums[1] += made
        sums[2] += written
        sums[3] += read
        if cost is not None:
            sums[4].append(cost)
        sums[5] += 1
    return {
        key: (*s[:4], math.fsum(s[4]) if s[4] else None, len(s[4]), s[5])
        for key, s in groups.items()
    }


def _spread(n: int) -> str:
    """Calls over days and hours."""
    return f"2026-11-{10 + n % 9}T{n % 24:02d}:{n % 60:02d}:00.000Z"


def _hours(db: sqlite3.Connection) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {row[:5]: row[5:] for row in db.execute("SELECT * FROM usage_hours")}


def test_hours_equal_their_calls_on_a_first_read_and_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "claude"
    folder = config / "projects" / "p"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "no-codex"))
    many = FLUSH_CALLS + 50  # call 0 is written by the first flush, then replaced
    (folder / "a.jsonl").write_text(
        assistant("/w", 0, isSidechain=True, out=5)
        + "".join(assistant("/w", n, timestamp=_spread(n)) for n in range(1, many))
    )
    (folder / "b.jsonl").write_text(assistant("/w", 0, out=7))
    state = tmp_path / "state"
    assert ingest_logs(state).calls_added == many
    db = sqlite3.connect(state / "focus.db")
    (out,) = db.execute("SELECT output_tokens FROM agent_usage WHERE offset = 0 AND path LIKE '%b.jsonl'").fetchone()  # fmt: skip
    assert out == 7  # the non-sidechain copy replaced the sidechain one written before
    assert _hours(db) == _hours_from_calls(db)
    with (folder / "a.jsonl").open("a") as log:
        log.write(assistant("/w", many, out=3, timestamp=_spread(many)))  # a new call
        log.write(assistant("/w", 1, out=999, timestamp=_spread(1)))  # a better copy
    assert ingest_logs(state).calls_added == 1
    assert _hours(db) == _hours_from_calls(db)
    assert db.execute("SELECT sum(calls) FROM usage_hours").fetchone()[0] == many + 1
    db.close()


def test_a_log_s_own_infinite_or_nan_cost_neither_breaks_nor_skews_the_hours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record's costUSD may be a number past floats (1e999, -1e999: infinite; NaN and
    Infinity are not JSON to ccusage's serde_json, so their lines are skipped): the hours
    then say what SQLite's sum says of the journal's costs (inf - inf, a NaN, is NULL)."""
    config = tmp_path / "claude"
    folder = config / "projects" / "p"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "no-codex"))
    costs = {"s1": [math.inf, -math.inf], "s2": [math.nan, 0.5], "s3": [1e308, 1e308]}
    n = 0
    lines = []
    for session, pair in costs.items():
        for cost in pair:
            n += 1
            line = assistant("/w", n, sessionId=session, costUSD=cost)
            lines.append(line.replace("-Infinity", "-1e999").replace(":Infinity", ":1e999"))
    log = folder / "a.jsonl"
    log.write_text("".join(lines))
    state = tmp_path / "state"
    assert ingest_logs(state).calls_added == 5  # a first read: summed as written (no NaN)

    def by_session() -> dict[str, tuple[Any, ...]]:
        db = sqlite3.connect(state / "focus.db")
        try:
            query = "SELECT session, cost_usd, priced, calls FROM usage_hours"
            return {row[0]: row[1:] for row in db.execute(query)}
        finally:
            db.close()

    expected = {"s1": (None, 2, 2), "s2": (0.5, 1, 1), "s3": (math.inf, 2, 2)}
    assert by_session() == expected
    with log.open("a") as handle:  # the same hours, summed again from the journal
        handle.write(assistant("/w", 99, sessionId="s9", costUSD=1.0))
    assert ingest_logs(state).calls_added == 1
    assert by_session() == {**expected, "s9": (1.0, 1, 1)}


def test_a_first_read_counts_as_one_change_and_keeps_the_counting_triggers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first read writes its hours with the per-row triggers of m008 set aside; they are
    back after it, as they were, and the change is counted (a cached report is stale)."""
    from agent_focus.journal.db import open_log

    logs = Path(__file__).parent / "fixtures" / "agent_logs"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(logs / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(logs / "codex"))
    triggers = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    db = open_log(tmp_path)
    before, (generation,) = db.execute(triggers).fetchall(), db.execute("SELECT n FROM usage_generation").fetchone()  # fmt: skip
    db.close()
    assert ingest_logs(tmp_path).calls_added > 0
    db = open_log(tmp_path)
    assert db.execute(triggers).fetchall() == before and len(before) == 6
    assert db.execute("SELECT n FROM usage_generation").fetchone()[0] == generation + 1
    assert db.execute("SELECT count(*) FROM usage_hours").fetchone()[0] > 0
    (after,) = db.execute("SELECT n FROM usage_generation").fetchone()
    with db:
        db.execute("DELETE FROM usage_hours WHERE rowid = (SELECT min(rowid) FROM usage_hours)")
    assert db.execute("SELECT n FROM usage_generation").fetchone()[0] == after + 1
    db.close()
