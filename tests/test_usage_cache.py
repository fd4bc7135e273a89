"""`focus usage` keeps the reports it sums by day, model, session, source or provider in the
journal with the count of changes to the calls (journal.usage): read back while nothing
changed, never once something did."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from agent_focus.journal.calls import LLMCall, record_calls
from tests.conftest import FocusRunner
from tests.test_agent_usage import assistant


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "claude" / "projects" / "p"
    folder.mkdir(parents=True)
    return folder


def journal_of(repo: Path) -> Path:
    return repo / ".git" / "agent-focus" / "focus.db"


def report(focus: FocusRunner, repo: Path, logs: Path, *args: str, tz: str = "UTC") -> Any:
    env = {
        "CLAUDE_CONFIG_DIR": str(logs.parent.parent),
        "CODEX_HOME": str(logs.parent.parent.parent / "no-codex"),
        "TZ": tz,
    }
    done = focus("usage", "--json", *args, cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    found.pop("ingest")
    return found


def summed_again(focus: FocusRunner, repo: Path, logs: Path, *args: str, tz: str = "UTC") -> Any:
    """The report with no cached one to read back: summed from the calls."""
    db = sqlite3.connect(journal_of(repo))
    with db:
        db.execute("DELETE FROM usage_cache")
    db.close()
    return report(focus, repo, logs, *args, tz=tz)


def cached_rows(repo: Path) -> list[tuple[str, int]]:
    db = sqlite3.connect(journal_of(repo))
    try:
        return db.execute("SELECT key, generation FROM usage_cache").fetchall()
    finally:
        db.close()


def test_a_report_is_read_back_until_the_calls_change(
    repo: Path, focus: FocusRunner, logs: Path
) -> None:
    log = logs / "s1.jsonl"
    log.write_text(assistant(repo, 1) + assistant(repo, 2, day="2026-11-21"))
    first = report(focus, repo, logs, "--by", "day")
    assert [row["calls"] for row in first["rows"]] == [1, 1]
    assert len(cached_rows(repo)) == 1
    # Read back, not summed: a report planted under the same count is what comes out.
    db = sqlite3.connect(journal_of(repo))
    with db:
        planted = [dict(first["total"], calls=99), first["rows"]]
        db.execute("UPDATE usage_cache SET report = ?", (json.dumps(planted),))
    db.close()
    assert report(focus, repo, logs, "--by", "day")["total"]["calls"] == 99
    # A call appended to a log: the ingester counts its change, the report is summed again.
    with log.open("a") as handle:
        handle.write(assistant(repo, 3, out=7, day="2026-11-22"))
    grown = report(focus, repo, logs, "--by", "day")
    assert grown["total"]["calls"] == 3 and len(grown["rows"]) == 3
    assert grown == summed_again(focus, repo, logs, "--by", "day")
    assert report(focus, repo, logs, "--by", "day") == grown  # and read back again


def test_every_writer_of_the_summed_tables_is_counted(
    repo: Path, focus: FocusRunner, logs: Path
) -> None:
    """A planner call recorded, and usage_hours written by anyone (here by hand), change the
    count: the next report is summed again."""
    (logs / "s1.jsonl").write_text(assistant(repo, 1) + assistant(repo, 2))
    for by in ("day", "model", "session", "source", "provider"):
        report(focus, repo, logs, "--by", by)
    assert len(cached_rows(repo)) == 5
    record_calls(journal_of(repo).parent, [LLMCall("anthropic", "m", 1.0, True, input_tokens=5)], "A1", "wt")  # fmt: skip
    for by in ("day", "model", "session", "source", "provider"):
        now = report(focus, repo, logs, "--by", by)
        assert now["total"]["calls"] == 3 and now["total"]["input_tokens"] == 25
        assert now == summed_again(focus, repo, logs, "--by", by)
    db = sqlite3.connect(journal_of(repo))
    with db:
        db.execute("UPDATE usage_hours SET output_tokens = output_tokens + 1000")
    db.close()
    assert report(focus, repo, logs, "--by", "day")["total"]["output_tokens"] == 1200


def test_each_zone_and_window_has_its_own_report(
    repo: Path, focus: FocusRunner, logs: Path
) -> None:
    """A call at 22:00 UTC falls on the next day in Tokyo; a window is a report of its own.
    Nothing summed under one zone or window is read back under another."""
    late = assistant(repo, 1, day="2026-11-20").replace("T10:00:01", "T22:00:01")
    (logs / "s1.jsonl").write_text(late + assistant(repo, 2, day="2026-11-21"))
    days = {}
    for tz in ("UTC", "Asia/Tokyo", "UTC", "Asia/Tokyo"):
        found = report(focus, repo, logs, "--by", "day", tz=tz)
        days.setdefault(tz, []).append([(row["day"], row["calls"]) for row in found["rows"]])
    assert days["UTC"] == [[("2026-11-20", 1), ("2026-11-21", 1)]] * 2
    assert days["Asia/Tokyo"] == [[("2026-11-21", 2)]] * 2
    window = ("--by", "day", "--since", "2026-11-21")
    assert report(focus, repo, logs, *window)["total"]["calls"] == 1
    assert report(focus, repo, logs, "--by", "day")["total"]["calls"] == 2
    assert report(focus, repo, logs, *window) == summed_again(focus, repo, logs, *window)
    assert report(focus, repo, logs, "--by", "agent")["total"]["calls"] == 2  # not cached
    assert all(json.loads(key)[0] != "agent" for key, _count in cached_rows(repo))
