"""`focus usage --reread`: every log read again whole and priced anew (after a change of
focus.yaml's prices), by the real `focus` process; nothing counted twice, the planner's
calls kept, and an interrupted re-read leaves the journal as it was."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from agent_focus.config import Price
from agent_focus.errors import NoDataError
from agent_focus.ingest import dedupe
from agent_focus.ingest.run import ingest_logs
from agent_focus.journal.db import open_log
from tests.conftest import FocusRunner, example_workspace

MODEL = "claude-sonnet-4-5-20250929"


def _call(n: int, hour: int = 10) -> str:
    entry = {
        "type": "assistant", "sessionId": "s1", "cwd": "/elsewhere", "requestId": f"req_{n}",
        "timestamp": f"2026-11-20T{hour:02d}:00:0{n}.000Z", "version": "2.0.55",
        "message": {"id": f"msg_{n}", "model": MODEL, "content": [],
                    "usage": {"input_tokens": 1_000_000, "output_tokens": 1_000_000}},
    }  # fmt: skip
    return json.dumps(entry, separators=(",", ":")) + "\n"


def _prices(root: Path, base: str, given: float, made: float) -> None:
    (root / "focus.yaml").write_text(
        base
        + f"planner:\n  prices:\n    claude-sonnet:\n      input: {given}\n      output: {made}\n"
    )


def _usage(focus: FocusRunner, root: Path, env: dict[str, str], *more: str) -> dict:
    done = focus("usage", "--by", "model", "--json", *more, cwd=root, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_reread_prices_every_call_anew_and_counts_it_once(
    repo: Path, tmp_path: Path, focus: FocusRunner
) -> None:
    example_workspace(repo, focus_file=False)  # its services dead
    base = (repo / "focus.yaml").read_text()
    logs = tmp_path / "claude" / "projects" / "p"
    logs.mkdir(parents=True)
    (logs / "s.jsonl").write_text(_call(1) + _call(2))
    env = {"CLAUDE_CONFIG_DIR": str(tmp_path / "claude"), "CODEX_HOME": str(tmp_path / "none")}
    _prices(repo, base, 1.0, 2.0)
    first = _usage(focus, repo, env)
    assert first["total"]["cost_usd"] == 6.0 and first["total"]["calls"] == 2

    _prices(repo, base, 10.0, 20.0)  # the calls read before keep their price...
    with (logs / "s.jsonl").open("a") as log:
        log.write(_call(3))
    later = _usage(focus, repo, env)
    assert later["total"]["cost_usd"] == 6.0 + 30.0 and later["total"]["calls"] == 3

    again = _usage(focus, repo, env, "--reread")  # ...until they are read again
    assert again["total"]["cost_usd"] == 90.0 and again["total"]["calls"] == 3
    assert again["ingest"]["calls_added"] == 3 and again["ingest"]["files_read"] == 1
    assert _usage(focus, repo, env)["total"] == again["total"]  # nothing new after it

    refused = focus("usage", "--reread", "--no-read-logs", cwd=repo, env=env)
    assert refused.returncode == 2 and "--reread" in refused.stderr


def test_an_interrupted_reread_leaves_the_journal_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = tmp_path / "claude" / "projects" / "p"
    logs.mkdir(parents=True)
    (logs / "s.jsonl").write_text(_call(1) + _call(2))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "none"))
    state = tmp_path / "state"
    assert ingest_logs(state, {}).calls_added == 2

    def journal() -> list[tuple[object, ...]]:
        db = open_log(state)
        try:
            return [
                db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("agent_usage", "call_keys", "log_files", "usage_hours")
            ]
        finally:
            db.close()

    before = journal()
    assert all(before)

    def broken(self: dedupe.Deduper, calls: list[object]) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(dedupe.Deduper, "add_all", broken)
    with pytest.raises(sqlite3.OperationalError):
        ingest_logs(state, {}, again=True)
    assert journal() == before


def _journal(state: Path) -> list[list[tuple[object, ...]]]:
    db = open_log(state)
    try:
        return [
            db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("agent_usage", "call_keys", "log_files", "usage_hours", "llm_calls")
        ]
    finally:
        db.close()


def test_a_reread_keeps_the_calls_of_logs_gone_from_disk_and_the_planners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claude Code deletes old transcripts: the journal is then their calls' only copy, and
    a re-read keeps them as they were priced (with a warning), and the planner's own."""
    from agent_focus.journal.calls import LLMCall, record_calls

    logs = tmp_path / "claude" / "projects" / "p"
    logs.mkdir(parents=True)
    (logs / "old.jsonl").write_text(_call(1))
    (logs / "new.jsonl").write_text(_call(2))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "none"))
    state = tmp_path / "state"
    cheap = {"claude-sonnet": Price(input=1.0, output=1.0)}
    assert ingest_logs(state, cheap).calls_added == 2
    planned = LLMCall("anthropic", "m1", 1.0, True, input_tokens=5, cost_usd=0.5)
    assert record_calls(state, [planned], "A1", "wt-a1")
    (logs / "old.jsonl").unlink()
    dear = {"claude-sonnet": Price(input=5.0, output=5.0)}
    report = ingest_logs(state, dear, again=True)
    assert report.calls_added == 1 and report.files_read == 1  # one forgotten, read again
    assert report.warnings == [
        "kept 1 call of logs no longer read (gone from disk?), as priced when they were read"
    ]
    calls, _keys, marks, hours, planner = _journal(state)
    assert sorted((row[2], row[11]) for row in calls) == [
        ("2026-11-20T10:00:01.000+00:00", 2.0),  # as it was
        ("2026-11-20T10:00:02.000+00:00", 10.0),  # priced anew
    ]
    assert [mark[0] for mark in marks] == [str(logs / n) for n in ("new.jsonl", "old.jsonl")]
    assert len(planner) == 1
    assert sum(hour[9] for hour in hours) == 12.0  # the hourly sums follow

    (logs / "new.jsonl").unlink()  # no log left at all: nothing read, nothing forgotten
    assert ingest_logs(state, cheap, again=True).warnings == [
        "kept 2 calls of logs no longer read (gone from disk?), as priced when they were read"
    ]
    assert _journal(state)[0] == calls


def test_a_log_that_cannot_be_read_again_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its calls are forgotten before it is read: if it cannot be, the re-read stops whole."""
    logs = tmp_path / "claude" / "projects" / "p"
    logs.mkdir(parents=True)
    (tmp_path / "real.jsonl").write_text(_call(1))
    (logs / "a.jsonl").write_text(_call(2))
    (logs / "b.jsonl").symlink_to(tmp_path / "real.jsonl")
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "none"))
    state = tmp_path / "state"
    assert ingest_logs(state, {}).calls_added == 2
    before = _journal(state)
    (logs / "caf\xe9.jsonl".encode("latin-1").decode("utf-8", "surrogateescape")).write_text(
        _call(3)
    )  # a name that is not UTF-8: never read (a warning), and not in the re-read's way
    (tmp_path / "real.jsonl").unlink()  # b.jsonl is listed, and cannot be opened
    with pytest.raises(NoDataError, match=r"b\.jsonl: skipped: .*nothing read again"):
        ingest_logs(state, {}, again=True)
    assert _journal(state) == before


def _reread_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    logs = tmp_path / "claude" / "projects" / "p"
    logs.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "none"))
    return logs


def test_a_copy_on_disk_of_a_kept_call_is_priced_anew_even_when_cheaper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resumed session's log holds a copy of a call whose first log is gone: ccusage's
    order keeps the dearer of two copies, but the kept one's price is of before. The copy
    read now replaces it, as a read of what is on disk would keep it."""
    logs = _reread_env(tmp_path, monkeypatch)
    (logs / "a_old.jsonl").write_text(_call(1) + _call(2))
    (logs / "b_resumed.jsonl").write_text(_call(1) + _call(3))
    state = tmp_path / "state"
    assert ingest_logs(state, {"claude-sonnet": Price(input=5.0, output=5.0)}).calls_added == 3
    (logs / "a_old.jsonl").unlink()
    cheaper = {"claude-sonnet": Price(input=1.0, output=1.0)}
    ingest_logs(state, cheaper, again=True)
    calls = _journal(state)[0]
    assert sorted((row[2][17:19], row[11], Path(row[13]).name) for row in calls) == [
        ("01", 2.0, "b_resumed.jsonl"),  # priced anew, from the copy on disk
        ("02", 10.0, "a_old.jsonl"),  # gone from disk: as it was
        ("03", 2.0, "b_resumed.jsonl"),
    ]
    fresh = tmp_path / "fresh"  # what a first read of what is on disk keeps of those two
    ingest_logs(fresh, cheaper)
    assert sorted(row[2:] for row in _journal(fresh)[0]) == sorted(
        row[2:] for row in calls if Path(row[13]).name == "b_resumed.jsonl"
    )


def test_the_hourly_sums_follow_a_reread_that_keeps_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-read log whose calls moved to another hour, beside a log gone from disk: every
    hour's sums are those of its calls (the forgotten calls' hours summed again)."""
    logs = _reread_env(tmp_path, monkeypatch)
    (logs / "gone.jsonl").write_text(_call(1, hour=10))
    (logs / "moved.jsonl").write_text(_call(2, hour=11))
    state = tmp_path / "state"
    ingest_logs(state, {})
    (logs / "gone.jsonl").unlink()
    (logs / "moved.jsonl").write_text(_call(3, hour=12) + "\n")  # rewritten: another call
    ingest_logs(state, {}, again=True)
    db = open_log(state)
    try:
        hours = db.execute(
            "SELECT slot, calls, input_tokens, cost_usd FROM usage_hours ORDER BY slot"
        ).fetchall()
        calls = db.execute(
            "SELECT substr(at, 1, 13) || ':00:00.000+00:00', count(*), sum(input_tokens),"
            " sum(cost_usd) FROM agent_usage GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        db.close()
    assert hours == calls and [slot[11:13] for slot, *_ in hours] == ["10", "12"]
