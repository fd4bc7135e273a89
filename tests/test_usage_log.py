"""The shared SQLite log: migrations, many writers at once, and figures checked by hand."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agent_focus.errors import NoDataError
from agent_focus.journal.calls import LLMCall, record_calls, usage_summary
from agent_focus.journal.db import MIGRATIONS, PAGE_SIZE, _into_wal, open_log

WRITER = """
import sys
from pathlib import Path
from agent_focus.journal.calls import LLMCall, record_calls
folder, agent = Path(sys.argv[1]), sys.argv[2]
for i in range(25):
    record_calls(folder, [LLMCall("anthropic", "m", 10.0 + i, True, input_tokens=1)], agent, "wt")
"""


def test_many_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), f"A{n}"]) for n in range(8)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0] * 8
    rows = usage_summary(tmp_path, "agent")
    assert [(r["agent"], r["calls"]) for r in rows] == [(f"A{n}", 25) for n in range(8)]


def _writer_holding(path: Path, made: bool) -> sqlite3.Connection:
    """Another process's connection in the middle of a write to the journal, still in
    rollback mode: on an empty file, or on one it made a table in."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    if made:
        other.execute("CREATE TABLE mine (x)")
    other.execute("BEGIN IMMEDIATE")
    if made:
        other.execute("INSERT INTO mine VALUES (1)")
    return other


@pytest.mark.parametrize("made", [False, True], ids=["empty", "with-a-table"])
def test_a_new_journal_locked_by_another_writer_is_waited_for(tmp_path: Path, made: bool) -> None:
    # Two processes making a new journal at once: the second's switch to WAL met the first's
    # write lock and SQLite said "database is locked" at once, ignoring busy_timeout, so a
    # hook's or planner's records were silently lost (CI caught it in the test above).
    other = _writer_holding(tmp_path / "focus.db", made)
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    db = open_log(tmp_path, wait=10)
    release.join()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000  # the caller's, again
    db.close()
    other.close()


def test_a_journal_locked_for_longer_than_the_wait_is_an_error_after_the_wait(
    tmp_path: Path,
) -> None:
    other = _writer_holding(tmp_path / "focus.db", made=False)
    started = time.monotonic()
    with pytest.raises(NoDataError, match="database is locked"):
        open_log(tmp_path, wait=0.4)
    assert time.monotonic() - started >= 0.35  # it waited, as long as it was told, not less
    other.execute("ROLLBACK")
    other.close()


def test_a_journal_that_cannot_be_switched_to_wal_for_another_reason_fails_at_once(
    tmp_path: Path,
) -> None:
    # Only "locked" is waited out: a read-only journal (here, opened read-only) is said at once.
    made = sqlite3.connect(tmp_path / "focus.db")
    made.execute("CREATE TABLE mine (x)")
    made.commit()
    made.close()
    read_only = sqlite3.connect(f"file:{tmp_path / 'focus.db'}?mode=ro", uri=True)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        _into_wal(read_only, started + 60)
    assert time.monotonic() - started < 30  # not retried until the deadline
    read_only.close()


def test_the_log_migrates_itself_once(tmp_path: Path) -> None:
    open_log(tmp_path).close()
    db = open_log(tmp_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 16384  # a new journal
    db.close()


def test_a_journal_made_with_small_pages_keeps_them(tmp_path: Path) -> None:
    import sqlite3

    old = sqlite3.connect(tmp_path / "focus.db")
    old.execute("CREATE TABLE before (x)")  # pages of 4 KiB, SQLite's default
    old.close()
    db = open_log(tmp_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA page_size").fetchone()[0] == 4096
    db.close()


def test_summary_figures_match_a_known_log(tmp_path: Path) -> None:
    calls = [
        LLMCall(
            "openai",
            "gpt-4.1-mini",
            float(ms),
            True,
            input_tokens=100,
            output_tokens=10,
            cached_tokens=5,
            cost_usd=0.001,
        )
        for ms in range(1, 21)
    ]
    calls.append(LLMCall("openai", "llama3.1", 500.0, False, cost_usd=None, error="HTTP 500"))
    record_calls(tmp_path, calls, "A2", "wt-a2")
    (row,) = usage_summary(tmp_path, "provider")
    assert row == {
        "provider": "openai",
        "calls": 21,
        "errors": 1,
        "input_tokens": 2000,
        "output_tokens": 200,
        "cached_tokens": 100,
        "cache_write_tokens": 0,
        "cost_usd": pytest.approx(0.02),
        "unpriced_calls": 1,
        "p50_latency_ms": 11.0,  # median of 1..20 and 500
        "p95_latency_ms": 20.0,  # nearest rank: the 20th of 21
    }
    by_model = {r["model"]: r["calls"] for r in usage_summary(tmp_path, "model")}
    assert by_model == {"openai gpt-4.1-mini": 20, "openai llama3.1": 1}


def test_no_prompt_or_key_column_exists(tmp_path: Path) -> None:
    record_calls(tmp_path, [LLMCall("anthropic", "m", 1.0, True)], None, None)
    columns = {
        r[1] for r in sqlite3.connect(tmp_path / "focus.db").execute("PRAGMA table_info(llm_calls)")
    }
    assert not columns & {"prompt", "response", "api_key", "key", "messages"}
