"""An agent's spend in `focus status`, `status --all`, `focus brief` and the dashboard is of
now: what the agents did since the last `focus usage` is read first (never a first read,
never waiting for another ingester), and "this task" is the open task's row of `focus
usage --by task`, hand-ticked tasks included."""

from __future__ import annotations

import fcntl
import json
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FocusRunner
from tests.test_agent_usage import assistant, clone, usage  # noqa: F401  (clone: a fixture)

ONE_CALL = (10 * 3 + 100 * 15 + 1000 * 0.3) / 1e6  # Sonnet 4.5: 10 in, 100 out, 1000 read


def call_at(cwd: Path, n: int, moment: datetime) -> str:
    return assistant(cwd, n, timestamp=moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"))


def status(focus: FocusRunner, cwd: Path, env: dict[str, str]) -> dict:  # type: ignore[type-arg]
    done = focus("status", "--json", cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def logs_of(made: tuple[Path, Path, Path]) -> tuple[Path, Path, dict[str, str], Path]:
    """A1's worktree, the Claude config dir, the environment that reads it, and a log."""
    a1, _a2, config = made
    env = {"CLAUDE_CONFIG_DIR": str(config), "CODEX_HOME": str(config.parent / "no-codex")}
    return a1, config, env, config / "projects" / "p" / "s1.jsonl"


def test_status_brief_and_all_read_what_the_agents_did_since(
    clone: tuple[Path, Path, Path],  # noqa: F811
    focus: FocusRunner,
) -> None:
    a1, config, env, log = logs_of(clone)
    now = datetime.now(UTC)
    log.write_text(call_at(a1, 1, now - timedelta(minutes=3)))
    assert status(focus, a1, env)["spend"] is None  # never read: status does no first read
    usage(focus, a1, config)
    assert status(focus, a1, env)["spend"]["calls_today"] == 1
    with log.open("a") as handle:  # the agent goes on; nobody runs `focus usage`
        handle.write(call_at(a1, 2, now - timedelta(minutes=2)))
    spend = status(focus, a1, env)["spend"]
    assert spend["calls_today"] == 2 and spend["today_usd"] == pytest.approx(2 * ONE_CALL)
    with log.open("a") as handle:
        handle.write(call_at(a1, 3, now - timedelta(minutes=1)))
    assert "Model spend today: $0.0055" in focus("brief", cwd=a1, env=env).stdout
    seats = json.loads(focus("status", "--all", "--json", cwd=a1, env=env).stdout)
    assert next(s for s in seats if s["agent"]["id"] == "A1")["spend"]["calls_today"] == 3
    # another ingester at work: status does not wait for it, and shows the journal's figures
    with log.open("a") as handle:
        handle.write(call_at(a1, 4, now))
    from agent_focus.readers.workspace import state_dir

    with (state_dir(a1) / "ingest.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            spend = status(focus, a1, env)["spend"]
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    assert spend["calls_today"] == 3
    assert status(focus, a1, env)["spend"]["calls_today"] == 4  # free again: read


def test_this_task_is_the_open_tasks_row_of_by_task(
    clone: tuple[Path, Path, Path],  # noqa: F811
    focus: FocusRunner,
) -> None:
    a1, config, env, log = logs_of(clone)
    now = datetime.now(UTC)
    two_days_ago = now - timedelta(days=2)
    log.write_text(call_at(a1, 1, two_days_ago) + call_at(a1, 2, now - timedelta(minutes=5)))
    usage(focus, a1, config)
    focus_file = a1 / "AGENT_FOCUS.md"
    text = focus_file.read_text()
    first_open = re.search(r"^- \[ \] (.+)$", text, re.M)
    assert first_open is not None
    # ticked by hand two days ago: its share ends at the end of that (local) day
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    focus_file.write_text(
        text.replace(f"- [ ] {first_open[1]}", f"- [x] {first_open[1]} ✅ {yesterday}", 1)
    )
    spend = status(focus, a1, env)["spend"]
    by_task = usage(focus, a1, config, "--by", "task")
    rows = {r["task"]: r for r in by_task["rows"] if r["agent"] == "A1"}
    hand = rows[first_open[1]]
    assert hand["timed_by"] == "date" and hand["calls"] == 1
    open_row = next(r for r in by_task["rows"] if r["timed_by"] == "open" and r["agent"] == "A1")
    assert open_row["calls"] == 1
    assert spend["task_usd"] == pytest.approx(open_row["cost_usd"]) == pytest.approx(ONE_CALL)
    assert spend["task_since"] is not None  # the end of the hand-ticked day
    human = focus("status", cwd=a1, env=env | {"COLUMNS": "200"}).stdout
    assert "the last task done" in human
    # ticked by hand today: today's calls are its own until midnight, as --by task says
    today = date.today().isoformat()
    second = re.search(r"^- \[ \] (.+)$", focus_file.read_text(), re.M)
    assert second is not None
    focus_file.write_text(
        focus_file.read_text().replace(f"- [ ] {second[1]}", f"- [x] {second[1]} ✅ {today}", 1)
    )
    spend = status(focus, a1, env)["spend"]
    by_task = usage(focus, a1, config, "--by", "task")
    open_row = next(r for r in by_task["rows"] if r["timed_by"] == "open" and r["agent"] == "A1")
    assert open_row["calls"] == 0 and open_row["cost_usd"] == 0.0  # no call: $0, not unknown
    assert spend["task_usd"] == 0.0
    human = focus("status", cwd=a1, env=env | {"COLUMNS": "200"}).stdout
    assert "ticked by hand today" in human


def test_what_reads_no_logs_reads_none(
    clone: tuple[Path, Path, Path],  # noqa: F811
    focus: FocusRunner,
) -> None:
    """`--no-read-logs` (any key: --by agent finds the agents through their status too) and
    the SessionStart hook (a fraction of a second inside the agent's loop) leave the new
    lines for later; `focus usage` then reads them."""
    import subprocess
    import sys

    a1, config, env, log = logs_of(clone)
    now = datetime.now(UTC)
    log.write_text(call_at(a1, 1, now - timedelta(minutes=3)))
    usage(focus, a1, config)
    with log.open("a") as handle:
        handle.write(call_at(a1, 2, now - timedelta(minutes=2)))
    for by in ("agent", "worktree", "task", "day"):
        report = usage(focus, a1, config, "--no-read-logs", "--by", by)
        assert report["total"]["calls"] == 1 and report["ingest"] is None, by
    event = {
        "session_id": "s", "transcript_path": "/tmp/s.jsonl", "cwd": str(a1),
        "hook_event_name": "SessionStart", "source": "startup",
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "agent_focus", "hook", "claude"], input=json.dumps(event),
        capture_output=True, text=True, timeout=20, cwd=a1, env={**os.environ, **env},
    )  # fmt: skip
    assert done.returncode == 0 and "Model spend today" in done.stdout
    assert usage(focus, a1, config, "--no-read-logs")["total"]["calls"] == 1
    assert usage(focus, a1, config)["total"]["calls"] == 2


def test_the_spend_since_a_moment_is_the_sum_of_its_calls(
    clone: tuple[Path, Path, Path],  # noqa: F811
    focus: FocusRunner,
) -> None:
    """Status sums the whole hours from the hourly sums and the hour before them call by
    call: the same dollars and calls as every call since then, from any moment."""
    import random
    import sqlite3

    from agent_focus.journal.spend import _sum, stamp
    from agent_focus.readers.workspace import state_dir

    a1, config, _env, log = logs_of(clone)
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    rng = random.Random(7)
    moments = sorted(start + timedelta(minutes=rng.randrange(3 * 24 * 60)) for _ in range(60))
    where = [a1, a1 / "src", Path("/elsewhere")]
    log.write_text("".join(call_at(rng.choice(where), n, m) for n, m in enumerate(moments)))
    assert usage(focus, a1, config)["total"]["calls"] == 60
    db = sqlite3.connect(state_dir(a1) / "focus.db")
    tree = str(a1.resolve())
    for _ in range(40):
        since = start + timedelta(seconds=rng.randrange(4 * 24 * 3600))
        cost, calls, unpriced = db.execute(
            "SELECT sum(cost_usd), count(*), count(*) - count(cost_usd) FROM agent_usage"
            " WHERE at >= ? AND (cwd = ? OR cwd LIKE ?)",
            (stamp(since), tree, tree + "/%"),
        ).fetchone()
        summed = _sum(db, a1, "A1", since)
        assert summed[1:] == (calls, unpriced), since
        assert summed[0] == pytest.approx(cost or 0.0, abs=1e-6), since
    db.close()


def test_a_backlog_is_left_to_focus_usage(
    clone: tuple[Path, Path, Path],  # noqa: F811
    focus: FocusRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More new lines than status may read at a glance (a night's work) are left to `focus
    usage`, which shows its progress; under that budget they are read."""
    from agent_focus.actions import catch_up
    from agent_focus.readers.workspace import state_dir

    a1, config, env, log = logs_of(clone)
    now = datetime.now(UTC)
    log.write_text(call_at(a1, 1, now - timedelta(minutes=3)))
    usage(focus, a1, config)
    with log.open("a") as handle:
        handle.write(call_at(a1, 2, now - timedelta(minutes=2)))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    folder = state_dir(a1)
    monkeypatch.setattr(catch_up, "CATCH_UP_EVERY", 0.0)
    monkeypatch.setattr(catch_up, "CATCH_UP_BYTES", 100)  # less than the new line
    catch_up.catch_up(a1, folder)
    assert usage(focus, a1, config, "--no-read-logs")["total"]["calls"] == 1
    monkeypatch.setattr(catch_up, "CATCH_UP_BYTES", 10_000)
    catch_up.catch_up(a1, folder)
    assert usage(focus, a1, config, "--no-read-logs")["total"]["calls"] == 2
