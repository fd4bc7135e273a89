"""Values in the agents' logs that SQLite cannot store as they are: a token count past 2**63
(or past any real call's, MAX_COUNT), a lone surrogate in a string (JSON's "\\ud800"), a log
whose file name is not UTF-8. Each used to stop every later `focus usage` with a traceback;
now a line is skipped and counted (one ccusage cannot read, as ccusage), a string ccusage
does not read kept with U+FFFD, a file skipped with a warning, and the rest read, run after
run."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from agent_focus.ingest.records import MAX_COUNT
from tests.conftest import FocusRunner

REPLACED = "\ufffd"


def claude(n: int, cwd: str = "/w", **usage: int) -> str:
    counts = {"input_tokens": 10, "output_tokens": 5, **usage}
    entry = {
        "type": "assistant", "sessionId": "s1", "cwd": cwd, "isSidechain": False,
        "timestamp": f"2026-11-20T10:00:{n:02d}.000Z", "requestId": f"req_{n}",
        "message": {"id": f"msg_{n}", "model": "claude-sonnet-4-5-20250929", "usage": counts},
    }  # fmt: skip
    return json.dumps(entry, separators=(",", ":")) + "\n"  # ensure_ascii: "\ud800" escaped


def codex(kind: str, payload: dict[str, object], n: int = 0) -> str:
    entry = {"timestamp": f"2026-11-20T11:00:{n:02d}.000Z", "type": kind, "payload": payload}
    return json.dumps(entry, separators=(",", ":")) + "\n"


def turn(n: int, given: int) -> str:
    counts = {"input_tokens": given, "cached_input_tokens": 0, "output_tokens": 7}
    info = {"last_token_usage": counts}
    return codex("event_msg", {"type": "token_count", "info": info}, n)


def run(focus: FocusRunner, home: Path, journal: str, *args: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    """``focus usage --json`` with the journal ``journal``, then the same for people with a
    journal of its own (each a first read, so each reads and reports every line)."""
    env = {"CLAUDE_CONFIG_DIR": str(home / "claude"), "CODEX_HOME": str(home / "codex")}
    done = focus("usage", "--json", *args, cwd=home, env={**env, "FOCUS_STATE_DIR": str(home / journal)})  # fmt: skip
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    human_journal = str(home / f"{journal}-human")
    human = focus("usage", *args, cwd=home, env={**env, "FOCUS_STATE_DIR": human_journal})
    assert human.returncode == 0 and "Traceback" not in human.stderr, human.stderr
    return json.loads(done.stdout), human.stdout + human.stderr


def logs(home: Path) -> tuple[Path, Path]:
    projects = home / "claude" / "projects" / "p"
    sessions = home / "codex" / "sessions" / "2026" / "11" / "20"
    projects.mkdir(parents=True)
    sessions.mkdir(parents=True)
    return projects, sessions


def test_counts_past_the_bound_are_skipped_and_counted(tmp_path: Path, focus: FocusRunner) -> None:
    projects, sessions = logs(tmp_path)
    (projects / "s1.jsonl").write_text(
        claude(1)
        + claude(2, input_tokens=2**64)  # past SQLite's integers
        + claude(3, output_tokens=2**63)
        + claude(4, cache_read_input_tokens=MAX_COUNT + 1)
        + claude(5, input_tokens=MAX_COUNT)  # the bound itself is a count
    )
    (sessions / "rollout-1.jsonl").write_text(
        codex("session_meta", {"id": "c1", "cwd": "/c"})
        + turn(1, 2**64)  # json.loads' reading: an int; orjson's: a float, read again
        + turn(2, 20)
    )
    first, shown = run(focus, tmp_path, "journal", "--by", "source")
    assert first["ingest"]["skipped_by_reason"] == {"token count too large": 4}
    assert "4 token count too large" in shown
    again, _ = run(focus, tmp_path, "journal", "--by", "source")  # nothing new, nothing twice
    for report in (first, again):
        assert report["total"]["calls"] == 3
        assert report["total"]["input_tokens"] == 10 + MAX_COUNT + 20
    assert again["ingest"]["skipped_lines"] == 0


def test_a_lone_surrogate_skips_a_line_ccusage_refuses_else_reads_as_a_replacement_character(
    tmp_path: Path, focus: FocusRunner
) -> None:
    """ccusage refuses a Claude Code line with a lone surrogate anywhere, and a Codex line
    with one in a string it reads (a model): skipped as not JSON. One in a string ccusage
    does not read (a Codex session's id and cwd) is kept with U+FFFD."""
    projects, sessions = logs(tmp_path)
    (projects / "s1.jsonl").write_text(claude(1, cwd="/w\ud800") + claude(2))
    (sessions / "rollout-1.jsonl").write_text(
        codex("session_meta", {"id": "c\udc00", "cwd": "/c\udfff"})
        + codex("turn_context", {"model": "gpt-5-mini\ud800"})  # ignored: gpt-5 by default
        + turn(1, 20)
    )
    for _ in range(2):  # the second time from the journal: the same strings
        report, shown = run(focus, tmp_path, "journal")
        assert report["total"]["calls"] == 2
        agents = {row["agent"] for row in report["rows"]}
        assert agents == {"/w", f"/c{REPLACED}"}
        assert f"/c{REPLACED}" in shown
    first, _ = run(focus, tmp_path, "other")
    assert first["ingest"]["skipped_by_reason"] == {"not JSON": 2}
    sessions_seen, _ = run(focus, tmp_path, "journal", "--by", "session")
    assert f"c{REPLACED}" in {row["session"] for row in sessions_seen["rows"]}
    models, _ = run(focus, tmp_path, "journal", "--by", "model")
    assert {row["model"] for row in models["rows"]} == {"claude-sonnet-4-5-20250929", "gpt-5"}


def test_a_log_whose_name_is_not_utf8_is_skipped_with_a_warning(
    tmp_path: Path, focus: FocusRunner
) -> None:
    projects, _sessions = logs(tmp_path)
    (projects / "s1.jsonl").write_text(claude(1))
    odd = os.path.join(os.fsencode(projects), b"s2-\xff.jsonl")
    with open(odd, "w") as handle:
        handle.write(claude(2))
    for _ in range(2):  # said each time, never read, the other log counted once
        report, shown = run(focus, tmp_path, "journal")
        assert report["total"]["calls"] == 1
        (warning,) = report["ingest"]["warnings"]
        assert warning.endswith("s2-\\xff.jsonl: skipped: its name is not UTF-8")
        assert "s2-\\xff.jsonl: skipped: its name is not UTF-8" in shown


def test_a_time_past_the_calendar_and_a_cost_past_floats(
    tmp_path: Path, focus: FocusRunner
) -> None:
    """9999-12-31T23:59:59-01:00 is in the year 10000: a skipped line. A costUSD of 401
    digits is the infinity 1e999 reads as, and `--json` stays JSON (null, not Infinity)."""
    projects, _sessions = logs(tmp_path)
    late = claude(2).replace("2026-11-20T10:00:02.000Z", "9999-12-31T23:59:59.999-01:00")
    huge = claude(3).replace('"isSidechain":false', '"isSidechain":false,"costUSD":' + "9" * 401)
    (projects / "s1.jsonl").write_text(claude(1) + late + huge)
    for _ in range(2):
        report, shown = run(focus, tmp_path, "journal", "--by", "session")
        assert report["total"]["calls"] == 2
        assert report["total"]["cost_usd"] is None  # infinite: no JSON number says it
        assert "inf" in shown.lower()
    first, _ = run(focus, tmp_path, "other")
    assert first["ingest"]["skipped_by_reason"] == {
        "usage without whole token counts or a timestamp": 1
    }


def test_a_codex_state_saved_with_a_lone_surrogate_is_read_clean(
    tmp_path: Path, focus: FocusRunner
) -> None:
    """A journal of before the strings were cleaned may hold a Codex session's cwd with a
    lone surrogate in its mark (json.dumps escapes it): read back, it is cleaned too."""
    _projects, sessions = logs(tmp_path)
    rollout = sessions / "rollout-1.jsonl"
    rollout.write_text(codex("session_meta", {"id": "c1", "cwd": "/c"}))
    run(focus, tmp_path, "journal")
    db = sqlite3.connect(tmp_path / "journal" / "focus.db")
    with db:
        state = json.dumps({"session": "c1", "cwd": "/c\udfff", "model": None, "totals": None})
        assert db.execute("UPDATE log_files SET state = ?", (state,)).rowcount == 1
    db.close()
    with rollout.open("a") as handle:
        handle.write(turn(1, 20))
    for _ in range(2):
        report, _shown = run(focus, tmp_path, "journal")
        assert [row["agent"] for row in report["rows"]] == [f"/c{REPLACED}"]
