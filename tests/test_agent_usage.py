"""The agents' own logs into the journal: incremental, idempotent, attributed, priced."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FocusRunner, example_workspace, git


def assistant(
    cwd: Path | str, n: int, *, out: int = 100, day: str = "2026-11-20", **extra: object
) -> str:
    entry = {
        "cwd": str(cwd), "sessionId": "s1", "isSidechain": False, "type": "assistant",
        "timestamp": f"{day}T10:{n // 60:02d}:{n % 60:02d}.000Z", "requestId": f"req_{n}",
        "message": {"id": f"msg_{n}", "model": "claude-sonnet-4-5-20250929", "usage": {
            "input_tokens": 10, "output_tokens": out, "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 1000}},
    }  # fmt: skip
    entry.update(extra)
    return json.dumps(entry, separators=(",", ":")) + "\n"


@pytest.fixture
def clone(repo: Path, focus: FocusRunner, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A clone with agents A1 and A2 in their worktrees, and an empty Claude config dir."""
    example_workspace(repo, focus_file=False)
    for agent in ("A1", "A2"):
        assert focus("agents", "add", agent, cwd=repo).returncode == 0
    config = tmp_path / "claude"
    (config / "projects" / "p").mkdir(parents=True)
    return repo.parent / "wt-a1-mlops", repo.parent / "wt-a2-genai", config


def usage(focus: FocusRunner, cwd: Path, config: Path, *args: str) -> dict:  # type: ignore[type-arg]
    env = {"CLAUDE_CONFIG_DIR": str(config), "CODEX_HOME": str(config.parent / "no-codex")}
    result = focus("usage", "--json", *args, cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_incremental_idempotent_and_attributed(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    a1, a2, config = clone
    log = config / "projects" / "p" / "s1.jsonl"
    log.write_text(assistant(a1, 1) + assistant(a1 / "src", 2) + assistant("/elsewhere", 3))
    first = usage(focus, a1, config)
    assert first["ingest"]["calls_added"] == 3
    assert [(r["agent"], r["calls"]) for r in first["rows"]] == [("A1", 2), ("/elsewhere", 1)]
    trees = usage(focus, a1, config, "--by", "worktree")["rows"]  # the paths elsewhere last
    assert [(r["worktree"], r["calls"]) for r in trees] == [("wt-a1-mlops", 2), ("/elsewhere", 1)]
    again = usage(focus, a2, config)  # from another worktree: the same journal
    assert again["ingest"]["bytes_read"] == 0 and again["total"] == first["total"]
    with log.open("a") as handle:  # one more record, by A2
        handle.write(assistant(a2, 4, out=7))
    grown = usage(focus, a1, config)
    assert grown["ingest"]["calls_added"] == 1 and grown["ingest"]["bytes_read"] == len(
        assistant(a2, 4, out=7)
    )
    assert grown["total"]["calls"] == 4 and grown["total"]["output_tokens"] == 307


def test_copies_of_a_call_count_once_the_largest_wins(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    a1, _a2, config = clone
    folder = config / "projects" / "p"
    # One message written per content block with growing output, resumed sessions' copies
    # in files read later (one smaller), and a sidechain copy read last: one call, with the
    # non-sidechain copy's largest output, whatever order the files are read in.
    (folder / "a.jsonl").write_text(assistant(a1, 1, out=10) + assistant(a1, 1, out=340))
    (folder / "b.jsonl").write_text(assistant(a1, 1, out=340, sessionId="s2"))
    (folder / "c.jsonl").write_text(assistant(a1, 1, out=10, sessionId="s3"))
    (folder / "zz" / "subagents").mkdir(parents=True)
    sidechain = assistant(a1, 1, out=999, isSidechain=True)
    (folder / "zz" / "subagents" / "agent-1.jsonl").write_text(sidechain)
    report = usage(focus, a1, config)
    assert report["total"]["calls"] == 1 and report["total"]["output_tokens"] == 340


def test_torn_lines_rewrites_and_bad_lines(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    a1, _a2, config = clone
    log = config / "projects" / "p" / "s1.jsonl"
    whole = assistant(a1, 1)
    torn = assistant(a1, 2)
    log.write_bytes((whole + "not json\n" + '{"x":\x00}\n').encode() + torn[:40].encode())
    first = usage(focus, a1, config)
    assert first["total"]["calls"] == 1  # the torn last line waits for its end
    assert first["ingest"]["skipped_lines"] == 2
    with log.open("ab") as handle:
        handle.write(torn[40:].encode())
    assert usage(focus, a1, config)["total"]["calls"] == 2
    log.write_text(assistant(a1, 7))  # rewritten (shorter): read whole again
    rewritten = usage(focus, a1, config)
    assert rewritten["total"]["calls"] == 1 and rewritten["ingest"]["files_read"] == 1


def test_nothing_is_written_into_the_agents_logs(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    a1, _a2, config = clone
    log = config / "projects" / "p" / "s1.jsonl"
    log.write_text(assistant(a1, 1) + assistant(a1, 2))
    before = (hashlib.sha256(log.read_bytes()).hexdigest(), log.stat().st_mtime_ns)
    usage(focus, a1, config)
    usage(focus, a1, config, "--by", "task")
    assert (hashlib.sha256(log.read_bytes()).hexdigest(), log.stat().st_mtime_ns) == before
    assert sorted(p.name for p in config.rglob("*")) == ["p", "projects", "s1.jsonl"]


INGESTER = """
import sys
from pathlib import Path
from agent_focus.ingest.run import ingest_logs
print(ingest_logs(Path(sys.argv[1])).calls_added)
"""


def test_two_ingesters_at_once_count_each_call_once(
    clone: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    a1, _a2, config = clone
    folder = config / "projects" / "p"
    for n in range(20):
        (folder / f"s{n}.jsonl").write_text("".join(assistant(a1, n * 100 + k) for k in range(50)))
    state = tmp_path / "state"
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(config), "CODEX_HOME": str(tmp_path / "none")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", INGESTER, str(state)], stdout=subprocess.PIPE, env=env, text=True
        )
        for _ in range(3)
    ]
    added = [int(run.communicate(timeout=120)[0]) for run in runs]
    assert sorted(added) == [0, 0, 1000]


def test_a_second_ingester_says_it_waits(clone: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """`focus usage` waiting for another ingester says so on stderr, then reads (not a
    silent pause of seconds); it waits only while the other holds the journal."""
    import fcntl
    import select

    a1, _a2, config = clone
    (config / "projects" / "p" / "s1.jsonl").write_text(assistant(a1, 1))
    state = tmp_path / "state"
    state.mkdir()
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(config), "CODEX_HOME": str(tmp_path / "none")}
    env["FOCUS_STATE_DIR"] = str(state)
    with (state / "ingest.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # what another ingester holds while it reads
        run = subprocess.Popen(
            [sys.executable, "-m", "agent_focus", "usage", "--json"], cwd=a1, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert run.stderr is not None
        ready, _, _ = select.select([run.stderr], [], [], 60)
        note = run.stderr.readline() if ready else ""
        assert run.poll() is None  # still waiting
        fcntl.flock(held, fcntl.LOCK_UN)
    out, _rest = run.communicate(timeout=60)
    assert "another focus is reading the agents' logs" in note and "waiting" in note
    assert run.returncode == 0 and json.loads(out)["total"]["calls"] == 1


def test_cost_per_task_adds_up_to_the_agent(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    a1, _a2, config = clone
    log = config / "projects" / "p" / "s1.jsonl"
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    log.write_text(assistant(a1, 1, day=yesterday))
    assert focus("complete", "1", cwd=a1).returncode == 0  # the first task: charged call 1
    with log.open("a") as handle:  # after the tick: the next open task's
        handle.write(assistant(a1, 2, day="2999-01-01") + assistant(a1, 3, day="2999-01-01"))
    by_task = usage(focus, a1, config, "--by", "task")
    mine = [r for r in by_task["rows"] if r["agent"] == "A1"]
    assert [r["calls"] for r in mine if r["calls"]] == [1, 2]
    assert mine[0]["timed_by"] == "journal" and mine[-1]["timed_by"] == "open"
    by_agent = usage(focus, a1, config, "--by", "agent")
    a1_total = next(r for r in by_agent["rows"] if r["agent"] == "A1")
    assert sum(r["cost_usd"] or 0 for r in mine) == pytest.approx(a1_total["cost_usd"])
    git(a1, "status")  # the worktree is intact


def test_cost_per_task_is_summed_exactly_as_the_agents_total(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    """Each task's dollars are the exact sum of its calls' costs rounded once, and the total
    of `--by task` is the agent's total of `--by agent` (here to the last digit; in general
    within a unit of the 10th place), not a sum of rounded rows nor of sums rounded at each
    call."""
    import math

    a1, _a2, config = clone
    rng = random.Random(11)
    costs = [rng.random() * 0.37 for _ in range(300)]  # full precision, as records give them
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    log = config / "projects" / "p" / "s1.jsonl"
    log.write_text("".join(assistant(a1, n, day=yesterday, costUSD=costs[n]) for n in range(150)))
    assert focus("complete", "1", cwd=a1).returncode == 0  # task 1: the first 150 calls
    with log.open("a") as handle:  # the next open task's
        handle.write("".join(assistant(a1, n, day="2999-01-01", costUSD=costs[n]) for n in range(150, 300)))  # fmt: skip
    by_task = usage(focus, a1, config, "--by", "task")
    mine = [r for r in by_task["rows"] if r["agent"] == "A1" and r["calls"]]
    assert [r["calls"] for r in mine] == [150, 150]
    assert [r["cost_usd"] for r in mine] == [
        round(math.fsum(costs[:150]), 10),
        round(math.fsum(costs[150:]), 10),
    ]
    by_agent = usage(focus, a1, config, "--by", "agent")
    a1_total = next(r for r in by_agent["rows"] if r["agent"] == "A1")
    assert by_task["total"]["cost_usd"] == a1_total["cost_usd"] == round(math.fsum(costs), 10)


def test_status_brief_and_evening_show_the_agents_spend(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    a1, _a2, config = clone
    env = {"CLAUDE_CONFIG_DIR": str(config)}
    now = datetime.now(UTC)
    earlier = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    log = config / "projects" / "p" / "s1.jsonl"
    line = assistant(a1, 1).replace("2026-11-20T10:00:01.000Z", earlier)
    log.write_text(line)
    assert focus("status", "--json", cwd=a1).returncode == 0  # before any read: no spend
    assert json.loads(focus("status", "--json", cwd=a1).stdout)["spend"] is None
    usage(focus, a1, config)  # reads the logs
    spend = json.loads(focus("status", "--json", cwd=a1).stdout)["spend"]
    one_call = (10 * 3 + 100 * 15 + 1000 * 0.3) / 1e6
    assert spend["calls_today"] == 1 and spend["today_usd"] == pytest.approx(one_call)
    assert spend["task_usd"] == pytest.approx(one_call)
    assert focus("complete", "1", cwd=a1).returncode == 0  # a new task starts at zero
    spend = json.loads(focus("status", "--json", cwd=a1).stdout)["spend"]
    assert spend["task_usd"] == 0.0 and spend["today_usd"] == pytest.approx(one_call)
    assert "Model spend today: $0.0018;" in focus("brief", cwd=a1).stdout
    evening = json.loads(focus("evening", "--no-commit", "--json", cwd=a1, env=env).stdout)
    assert evening["status"]["spend"]["today_usd"] == pytest.approx(one_call)


def test_two_readers_add_what_one_reader_adds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader processes (used when much is new) keep the order, so the journal holds
    the same calls as with one reader: the trap fixtures, in both ways (one log per batch,
    so that both readers read some)."""
    from agent_focus.ingest import pool, run
    from agent_focus.journal.db import open_log

    logs = Path(__file__).parent / "fixtures" / "agent_logs"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(logs / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(logs / "codex"))
    tables = []
    for parallel in (None, 0):
        if parallel is not None:
            monkeypatch.setattr(run, "PARALLEL_BYTES", parallel)
            monkeypatch.setattr(pool, "BATCH_BYTES", 1)
        folder = tmp_path / f"state-{parallel}"
        report = run.ingest_logs(folder)
        db = open_log(folder)
        rows = db.execute("SELECT * FROM agent_usage ORDER BY id").fetchall()
        keys = db.execute("SELECT * FROM call_keys ORDER BY key").fetchall()
        db.close()
        tables.append((rows, keys, report.to_json()))
    assert tables[0] == tables[1] and tables[0][0]


def test_the_status_line_reads_the_same_journal_file() -> None:
    from agent_focus.journal import db, spend

    assert spend.LOG_NAME == db.LOG_NAME  # spend avoids importing SQLite before a journal exists


def test_impossible_dates_and_deep_nesting_are_skipped_lines(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    a1, _a2, config = clone
    log = config / "projects" / "p" / "s1.jsonl"
    bad_day = assistant(a1, 1).replace("2026-11-20T10", "2026-13-01T10")
    deep = '{"x":' + "[" * 5000 + "]" * 5000 + ',"usage":{"input_tokens":1}}\n'
    log.write_text(assistant(a1, 2) + bad_day + deep)
    report = usage(focus, a1, config)
    assert report["total"]["calls"] == 1 and report["ingest"]["skipped_lines"] == 2


def test_a_broken_journal_is_one_line_and_no_data(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    a1, _a2, config = clone
    journal = a1.parent / "repo" / ".git" / "agent-focus" / "focus.db"
    journal.write_bytes(b"this is not a database" * 100)
    for args in (["usage"], ["log"]):
        done = focus(*args, cwd=a1, env={"CLAUDE_CONFIG_DIR": str(config)})
        assert done.returncode == 4 and "Traceback" not in done.stderr, done.stderr
        assert "focus.db" in done.stderr
    assert focus("log", "--since", "99999999d", cwd=a1).returncode == 2


def test_unchanged_directories_are_not_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory whose mtime is as last time is taken from the remembered listing; one
    that changed (a log added or removed), or that was listed in the same clock tick as its
    change, is listed again; a new subdirectory of an unchanged one is still found."""
    from agent_focus.ingest import locate

    projects = tmp_path / "claude" / "projects"
    (projects / "p1").mkdir(parents=True)
    (projects / "p1" / "a.jsonl").write_text("")
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    old = 1_600_000_000

    def age(*folders: Path) -> None:
        for folder in folders:
            os.utime(folder, (old, old))

    def names(known: dict) -> list[str]:  # type: ignore[type-arg]
        return [Path(f.path).relative_to(projects).as_posix() for f in locate.log_files(known)]

    known: dict = {}  # type: ignore[type-arg]
    assert names(known) == ["p1/a.jsonl"]
    assert known[str(projects / "p1")][0] == -1  # just changed: not trusted yet
    age(projects, projects / "p1")
    assert names(known) == ["p1/a.jsonl"]
    assert known[str(projects / "p1")][0] == old * 10**9
    listed = []
    real = locate._list
    monkeypatch.setattr(locate, "_list", lambda folder: listed.append(folder) or real(folder))
    assert names(known) == ["p1/a.jsonl"] and listed == []  # only stat'ed
    (projects / "p1" / "b.jsonl").write_text("")
    (projects / "p1" / "deep").mkdir()
    (projects / "p1" / "deep" / "c.jsonl").write_text("")
    assert names(known) == ["p1/a.jsonl", "p1/b.jsonl", "p1/deep/c.jsonl"]
    (projects / "p1" / "a.jsonl").unlink()
    assert names(known) == ["p1/b.jsonl", "p1/deep/c.jsonl"]
    age(projects / "p1", projects / "p1" / "deep")
    assert names(known) == ["p1/b.jsonl", "p1/deep/c.jsonl"]
    (projects / "p1" / "deep" / "d.jsonl").write_text("")  # below an unchanged p1
    listed.clear()
    assert names(known) == ["p1/b.jsonl", "p1/deep/c.jsonl", "p1/deep/d.jsonl"]
    assert listed == [str(projects / "p1" / "deep")]


def test_hourly_sums_follow_every_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """usage_hours always equals the sums of the calls it is kept for: after a first read,
    an append (a new call, and a larger copy replacing a kept one in another hour), a
    rewritten log (its calls forgotten)."""
    from agent_focus.ingest.run import ingest_logs
    from agent_focus.journal.db import FILL_HOURS, open_log

    folder = tmp_path / "claude" / "projects" / "p"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    state = tmp_path / "state"

    def check() -> list[tuple[object, ...]]:
        ingest_logs(state, {})
        db = open_log(state)
        kept = db.execute("SELECT * FROM usage_hours ORDER BY 1, 2, 3, 4, 5").fetchall()
        db.execute("DELETE FROM usage_hours")
        db.execute(FILL_HOURS, ("", "~"))
        summed = db.execute("SELECT * FROM usage_hours ORDER BY 1, 2, 3, 4, 5").fetchall()
        db.close()
        assert kept == summed
        return kept

    (folder / "a.jsonl").write_text(assistant("/w", 1) + assistant("/w", 2, day="2026-11-21"))
    (folder / "b.jsonl").write_text(assistant("/w", 3, out=5, sessionId="s2"))
    assert sum(row[-1] for row in check()) == 3
    with (folder / "a.jsonl").open("a") as handle:  # a larger copy of call 3, a day later
        handle.write(assistant("/w", 3, out=500, day="2026-11-22") + assistant("/v", 4))
    assert sum(row[-1] for row in check()) == 4
    (folder / "a.jsonl").write_text(assistant("/w", 9))  # rewritten: its calls 1 to 4 go
    rows = check()
    assert sum(row[-1] for row in rows) == 1 and sum(row[6] for row in rows) == 100


def test_an_ingest_pauses_the_cycle_collector_and_resumes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest makes hundreds of thousands of tuples and no cycle: Python's cycle
    collector is off while it runs, and on again after, even after a failure; one that was
    off before stays off."""
    import gc

    from agent_focus.ingest.run import ingest_logs

    folder = tmp_path / "claude" / "projects" / "p"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    state = tmp_path / "state"
    seen: list[bool] = []
    (folder / "a.jsonl").write_text(assistant("/w", 1))
    assert ingest_logs(state, {}, progress=lambda *_: seen.append(gc.isenabled())).calls_added == 1
    assert seen == [False] and gc.isenabled()

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    (folder / "b.jsonl").write_text(assistant("/w", 2))
    with pytest.raises(KeyboardInterrupt):
        ingest_logs(state, {}, progress=interrupted)
    assert gc.isenabled()
    gc.disable()
    try:
        assert ingest_logs(state, {}).calls_added == 1  # b.jsonl, its transaction undone above
        assert not gc.isenabled()
    finally:
        gc.enable()


def _wait_for_copiers() -> None:
    """Every copy of a write-ahead log started in this process done (a command does not
    wait for them: ingest.bulk.checkpoint_behind)."""
    from agent_focus.ingest.bulk import COPIERS

    while COPIERS:
        COPIERS.pop().wait()


def test_a_first_read_leaves_the_copy_of_its_write_ahead_log_to_a_process_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first read commits without SQLite's checkpoint and leaves it to a copier process
    (ingest.bulk.checkpoint_behind), which holds the journal before the read returns, so the
    reader's own close does not copy: the journal is whole and readable meanwhile, and once
    the copier is done nothing is left in the write-ahead log. A later read starts none."""
    import sqlite3

    from agent_focus.ingest import bulk
    from agent_focus.ingest.run import ingest_logs

    folder = tmp_path / "claude" / "projects" / "p"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    state = tmp_path / "state"
    (folder / "a.jsonl").write_text("".join(assistant("/w", n) for n in range(1, 200)))
    _wait_for_copiers()  # those of the tests before, in this process
    assert ingest_logs(state, {}).calls_added == 199
    (copier,) = bulk.COPIERS
    assert copier.args[1:3] == ["-I", "-S"] and copier.returncode is None  # not waited for
    reader = sqlite3.connect(state / "focus.db")  # while it copies, or after
    assert reader.execute("SELECT count(*) FROM agent_usage").fetchone()[0] == 199
    reader.close()
    _wait_for_copiers()
    assert copier.returncode == 0 and bulk.COPIERS == []
    # copied: the journal's file holds the calls without its write-ahead log (which the last
    # close usually removes, but not when this reader's and the copier's closes cross)
    alone = tmp_path / "alone.db"
    shutil.copyfile(state / "focus.db", alone)
    reader = sqlite3.connect(alone)
    assert reader.execute("SELECT count(*) FROM agent_usage").fetchone()[0] == 199
    reader.close()
    reader = sqlite3.connect(state / "focus.db")
    assert reader.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reader.close()
    with (folder / "a.jsonl").open("a") as handle:
        handle.write(assistant("/w", 500))
    assert ingest_logs(state, {}).calls_added == 1
    assert bulk.COPIERS == []


def test_the_ingester_leaves_the_copy_to_the_copier_and_does_not_wait_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copier holds the journal before the read returns: with the copier held at its
    gate, the read returns, and the journal file is as it was, the calls all in the
    write-ahead log (the ingester's close did not copy them); once the gate opens, the
    copier copies them and removes the log."""
    from agent_focus.ingest import bulk
    from agent_focus.ingest.run import ingest_logs

    held = bulk._COPIER.replace(
        '    db.execute("PRAGMA wal_checkpoint(PASSIVE)")',
        "    import os, time\n"
        '    while not os.path.exists(sys.argv[1] + ".gate"): time.sleep(0.01)\n'
        '    db.execute("PRAGMA wal_checkpoint(PASSIVE)")',
    )
    assert held != bulk._COPIER
    monkeypatch.setattr(bulk, "_COPIER", held)
    folder = tmp_path / "claude" / "projects" / "p"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    (folder / "a.jsonl").write_text("".join(assistant("/w", n) for n in range(1, 200)))
    state = tmp_path / "state"
    journal, wal = state / "focus.db", state / "focus.db-wal"
    _wait_for_copiers()
    try:
        assert ingest_logs(state, {}).calls_added == 199
        (copier,) = bulk.COPIERS
        before = journal.stat().st_size
        assert copier.poll() is None and wal.stat().st_size > 0  # not copied, not waited
    finally:
        (state / "focus.db.gate").touch()
    _wait_for_copiers()
    assert copier.returncode == 0 and journal.stat().st_size > before and not wal.exists()


def test_a_first_read_that_adds_no_call_starts_no_copier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing added, next to nothing in the write-ahead log: its close copies it (no
    interpreter started for it), and the journal is still empty of calls for the next read."""
    from agent_focus.ingest import bulk
    from agent_focus.ingest.run import ingest_logs

    folder = tmp_path / "claude" / "projects" / "p"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    (folder / "a.jsonl").write_text('{"type":"user","message":{"role":"user","content":"hi"}}\n')
    _wait_for_copiers()
    report = ingest_logs(tmp_path / "state", {})
    assert report.files_read == 1 and report.calls_added == 0 and bulk.COPIERS == []
    assert not (tmp_path / "state" / "focus.db-wal").exists()


def test_a_copier_that_cannot_start_leaves_the_copy_to_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No interpreter to start the copier with, or one that stops before it holds the journal:
    the first read is whole all the same, and its own close copies the log, as SQLite does."""
    import sqlite3
    import sys

    from agent_focus.ingest import bulk
    from agent_focus.ingest.run import ingest_logs

    folder = tmp_path / "claude" / "projects" / "p"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    (folder / "a.jsonl").write_text("".join(assistant("/w", n) for n in range(1, 20)))
    _wait_for_copiers()
    stops = "import sys; sys.exit(1)"  # a real interpreter, stopped before it reads
    for n, (executable, copier) in enumerate([(str(tmp_path / "none"), bulk._COPIER), (sys.executable, stops)]):  # fmt: skip
        monkeypatch.setattr(sys, "executable", executable)
        monkeypatch.setattr(bulk, "_COPIER", copier)
        state = tmp_path / f"state{n}"
        assert ingest_logs(state, {}).calls_added == 19
        assert bulk.COPIERS == [] and not (state / "focus.db-wal").exists()
        reader = sqlite3.connect(state / "focus.db")
        assert reader.execute("SELECT count(*) FROM agent_usage").fetchone()[0] == 19
        reader.close()


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York"])
def test_days_from_hourly_sums_are_the_calls_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """Local days summed from the UTC hours equal the days of the calls themselves, in a
    zone half or three quarters of an hour from UTC (an hour split by local midnight) and
    across a change of offset, in any window."""
    import time

    from agent_focus.ingest.run import ingest_logs
    from agent_focus.journal.db import open_log
    from agent_focus.journal.usage import read_calls, usage_report

    folder = tmp_path / "claude" / "projects" / "p"
    folder.mkdir(parents=True)
    lines = []
    for n, day in enumerate(["2026-03-07", "2026-03-08", "2026-03-09", "2026-11-01"]):
        for hour in range(24):
            stamp = f"{day}T{hour:02d}:{(n * 7 + hour * 13) % 60:02d}:30.000Z"
            line = json.loads(assistant("/w", n * 100 + hour, out=hour + 1))
            line["timestamp"] = stamp
            lines.append(json.dumps(line, separators=(",", ":")) + "\n")  # as agents write
    (folder / "a.jsonl").write_text("".join(lines))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    state = tmp_path / "state"
    ingest_logs(state, {})
    db = open_log(state)
    windows = [(None, None), (datetime(2026, 3, 8, 5, 40, tzinfo=UTC), None)]
    windows.append(
        (datetime(2026, 3, 8, 18, 10, tzinfo=UTC), datetime(2026, 3, 9, 0, 20, tzinfo=UTC))
    )
    try:
        for since, until in windows:
            low = since.isoformat(timespec="milliseconds") if since else ""
            high = until.isoformat(timespec="milliseconds") if until else "~"
            expected = db.execute(
                "SELECT date(at, 'localtime'), sum(output_tokens), count(*) FROM agent_usage"
                " WHERE at >= ? AND at < ? GROUP BY 1 ORDER BY 1", (low, high),
            ).fetchall()  # fmt: skip
            assert len(expected) >= (3 if since is None or until is None else 1)
            days: dict[str, list[int]] = {}
            for row in read_calls(state, since, until):
                figures = days.setdefault(row[6], [0, 0])
                figures[0] += row[9]
                figures[1] += row[13]
            assert sorted((day, *f) for day, f in days.items()) == expected
            report = usage_report(state, "day", lambda _cwd: (None, None), since, until)
            assert (
                sorted((r["day"], r["output_tokens"], r["calls"]) for r in report.rows) == expected
            )
    finally:
        db.close()
        monkeypatch.delenv("TZ")
        time.tzset()


def _journal_shape(folder: Path) -> tuple[list[str], list[tuple[str, int]]]:
    import sqlite3

    db = sqlite3.connect(folder / "focus.db")
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]
        keys = db.execute("SELECT key, call_id FROM call_keys ORDER BY key").fetchall()
        return sorted(names), keys
    finally:
        db.close()


def test_a_journal_of_before_the_lean_keys_migrates_and_still_dedupes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """m007: a journal written with the keys as a rowid table and the lookup indexes keeps
    every key; a copy read after the migration is still found; forgetting a rewritten log
    builds its lookups for that run only."""
    import sqlite3

    from agent_focus.ingest.run import ingest_logs
    from agent_focus.journal import db as journal_db

    config = tmp_path / "claude"
    (config / "projects" / "p").mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "no-codex"))
    state = tmp_path / "state"
    first = config / "projects" / "p" / "a.jsonl"
    first.write_text(assistant("/w", 1) + assistant("/w", 2))
    names = [m.__name__ for m in journal_db.MIGRATIONS]
    with monkeypatch.context() as before:  # the journal as the code before m007 wrote it
        before.setattr(journal_db, "MIGRATIONS", journal_db.MIGRATIONS[: names.index("m007_lean_call_keys")])  # fmt: skip
        assert ingest_logs(state).calls_added == 2
        old_names, old_keys = _journal_shape(state)
    assert {"agent_usage_path", "call_keys_call"} <= set(old_names)
    assert [k for k, _ in old_keys] == ["r\tmsg_1\ts1", "r\tmsg_2\ts1", "x\tmsg_1\treq_1", "x\tmsg_2\treq_2"]  # fmt: skip
    copy = config / "projects" / "p" / "b.jsonl"  # a resumed session's copy of call 2
    copy.write_text(assistant("/w", 2, sessionId="s2") + assistant("/w", 3))
    assert ingest_logs(state).calls_added == 1  # migrated first: call 2 is found by its key
    names_now, keys = _journal_shape(state)
    assert "agent_usage_path" not in names_now and "call_keys_call" not in names_now
    assert keys[:2] == old_keys[:2] and set(old_keys) <= set(keys)
    db = sqlite3.connect(state / "focus.db")
    (ddl,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'call_keys'").fetchone()
    db.close()
    assert ddl.endswith("WITHOUT ROWID")
    other = config / "projects" / "p" / "c.jsonl"
    other.write_text(assistant("/w", 5) + assistant("/w", 6))
    assert ingest_logs(state).calls_added == 2
    other.write_text(assistant("/w", 7))  # rewritten (shorter): forgotten, read again
    report = ingest_logs(state)
    assert report.files_read == 1 and report.calls_added == -1  # calls 5 and 6 gone, 7 new
    names_after, keys_after = _journal_shape(state)
    assert names_after == names_now  # the forgetting lookups are gone again
    assert "x\tmsg_5\treq_5" not in [k for k, _ in keys_after]
    assert "x\tmsg_7\treq_7" in [k for k, _ in keys_after]


def test_a_report_by_any_key_groups_only_what_that_key_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report by one key has the journal group by that key's columns alone (by day: a
    group a day, not one per source, cwd, model, day and session): the same report as from
    the groups of every key, for every key, with Claude's and Codex's calls and the
    planner's, to the last of the dollars' ten places (summed exactly, rounded once), so
    every key's total is the same."""
    from agent_focus.ingest.run import ingest_logs
    from agent_focus.journal import usage
    from agent_focus.journal.calls import LLMCall, record_calls
    from agent_focus.journal.db import open_log

    logs = Path(__file__).parent / "fixtures" / "agent_logs"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(logs / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(logs / "codex"))
    state = tmp_path / "state"
    ingest_logs(state, {})
    rng = random.Random(1)  # dollars of full precision, over agents, models and days
    for n in range(60):
        calls = [
            LLMCall("anthropic", rng.choice(["m1", "m2", "m3"]), 1.0, True, input_tokens=5,
                    cost_usd=rng.uniform(0.0001, 0.3))
            for _ in range(20)
        ]  # fmt: skip
        record_calls(state, calls, f"A{n % 7}", f"wt-a{n % 5}")
    db = open_log(state)
    db.execute(
        "UPDATE llm_calls SET at = strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01',"
        " '+' || (id % 40) || ' days', '+' || (id % 24) || ' hours')"
    )
    db.close()

    def place(cwd: str | None) -> tuple[str | None, str | None]:
        return ("A1", "wt-a1") if cwd and len(cwd) % 2 else (None, None)

    db = open_log(state)
    try:
        every = usage._calls(db, None, None)
        assert len({row[:8] for row in every}) > 4
        totals = set()
        for by, keep in usage._KEEP.items():
            kept = usage._calls(db, None, None, keep)
            assert len(kept) <= len(every)
            assert usage._fold(by, place, kept) == usage._fold(by, place, every), by
            assert len(kept) == len({tuple(row[i] for i in keep) for row in every}), by
            totals.add(usage._fold(by, place, kept).total["cost_usd"])
        assert len(totals) == 1
    finally:
        db.close()


def test_the_charts_dollars_are_summed_exactly(tmp_path: Path) -> None:
    """The control room's cost per agent per day and per model: each the exact sum of its
    calls' costs, rounded once (not rounded at each addition)."""
    import math

    from agent_focus.journal.calls import LLMCall, record_calls
    from agent_focus.serve.charts import _spend, day_list

    today = datetime.now().astimezone().date()  # the window ends tomorrow: a run at midnight
    rng = random.Random(3)
    costs: dict[str, list[float]] = {"m1": [], "m2": []}
    for _ in range(40):
        calls = []
        for _ in range(10):
            model, cost = rng.choice(["m1", "m2"]), rng.uniform(0.0001, 0.3)
            costs[model].append(cost)
            calls.append(LLMCall("anthropic", model, 1.0, True, input_tokens=5, cost_usd=cost))
        record_calls(tmp_path, calls, "A1", "wt-a1")
    since = datetime.combine(today - timedelta(days=1), datetime.min.time()).astimezone()
    days = day_list(3, today + timedelta(days=1))
    per_agent, models = _spend(tmp_path, lambda cwd: (None, None), since, days)
    every = costs["m1"] + costs["m2"]
    assert list(per_agent) == ["A1"]
    assert [usd for usd in per_agent["A1"] if usd is not None] == [round(math.fsum(every), 10)]
    assert {m["model"]: m["cost_usd"] for m in models} == {
        name: round(math.fsum(spent), 10) for name, spent in costs.items()
    }


def test_a_long_history_totals_the_same_by_every_key(tmp_path: Path) -> None:
    """Every key's total is the exact sum of the calls' dollars rounded to 10 places, to
    within one unit of that place (each group's exact sum is a float before the groups are
    added), however the journal groups them: 8,000 calls of up to $150, whose sum added in
    order in doubles, as SQLite's `sum()` adds before 3.43, is off by 2e-9."""
    import math

    from agent_focus.journal.calls import LLMCall, record_calls
    from agent_focus.journal.db import open_log
    from agent_focus.journal.usage import usage_report

    rng = random.Random(0)
    costs = [rng.uniform(0, 150) for _ in range(8000)]
    for start in range(0, len(costs), 500):
        calls = [
            LLMCall("anthropic", f"m{n % 3}", 1.0, True, input_tokens=5, cost_usd=cost)
            for n, cost in enumerate(costs[start : start + 500])
        ]
        record_calls(tmp_path, calls, "A1", "wt-a1")
    db = open_log(tmp_path)
    db.execute(
        "UPDATE llm_calls SET at = strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01',"
        " '+' || (id % 300) || ' days', '+' || (id % 24) || ' hours')"
    )
    db.close()
    exact = round(math.fsum(costs), 10)
    assert abs(round(sum(costs), 10) - exact) > 1e-9  # added in order: off, as this tests
    for by in ("agent", "model", "day", "source", "worktree"):
        report = usage_report(tmp_path, by, lambda cwd: (None, None))
        assert abs(report.total["cost_usd"] - exact) < 1.5e-10, by


def _on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """The real `focus` run with a terminal as its stdout and stderr: all it wrote there."""
    import pty
    import select

    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "agent_focus", *args], cwd=cwd, env={**os.environ, **env,
        "COLUMNS": "120"}, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    out = b""
    try:
        while select.select([leader], [], [], 60)[0]:
            try:
                part = os.read(leader, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not part:
                break
            out += part
    finally:
        os.close(leader)
        assert child.wait(timeout=60) == 0, out[-2000:]
    return out.decode(errors="replace")


def test_a_long_first_read_shows_its_progress_on_a_terminal_only(
    clone: tuple[Path, Path, Path], focus: FocusRunner
) -> None:
    """Much to read (over 32 MB): a progress bar with the megabytes and the logs read, on a
    terminal; on a pipe, nothing but the answer."""
    a1, _a2, config = clone
    filler = json.dumps({"type": "user", "cwd": str(a1), "message": {"content": "x" * 1000}})
    for n in range(3):  # 40 MB: lines that record no call, and one call each
        with (config / "projects" / "p" / f"s{n}.jsonl").open("w") as handle:
            handle.write((filler + "\n") * 12_000 + assistant(a1, n))
    env = {"CLAUDE_CONFIG_DIR": str(config), "CODEX_HOME": str(config.parent / "no-codex")}
    shown = _on_a_terminal(["usage", "--by", "day"], a1, env | {"FOCUS_STATE_DIR": str(config.parent / "t")})  # fmt: skip
    assert "reading agent logs" in shown and "/3 files" in shown and "MB" in shown
    assert "3/3 files" in shown.replace("\x1b", " ")
    state = {"FOCUS_STATE_DIR": str(config.parent / "p")}
    piped = focus("usage", "--json", cwd=a1, env=env | state)
    assert piped.returncode == 0 and "reading agent logs" not in piped.stderr
    assert json.loads(piped.stdout)["total"]["calls"] == 3


def test_the_usage_table_never_cuts_a_figure_or_a_name() -> None:
    """At any width every figure and every key is whole, on one line (two dated models that
    differ only at their end must not read the same): every column when the keys fit beside
    them, else calls, tokens and dollars, else a block per key. The unpriced calls get a
    column only when there are some."""
    from rich.console import Console

    from agent_focus.journal.usage import Tally, UsageReport, empty
    from agent_focus.views.usage import usage_table

    def row(model: str, scale: int, unpriced: int) -> dict[str, Any]:
        figures = empty() | {
            "input_tokens": 63_338_433 * scale, "output_tokens": 5_334_282 * scale,
            "cache_write_tokens": 48_451_589 * scale, "cached_tokens": 1_049_342_349 * scale,
            "calls": 15_637 * scale, "unpriced_calls": unpriced, "cost_usd": 2208.34 * scale,
        }  # fmt: skip
        figures["total_tokens"] = sum(figures[k] for k in ("input_tokens", "output_tokens", "cache_write_tokens", "cached_tokens"))  # fmt: skip
        return {"model": model, **figures}

    def shown(rows: list[dict[str, Any]], width: int) -> str:
        total = Tally()
        for one in rows:
            other = Tally()
            other.figures = {key: one[key] for key in empty()}
            other.costs = [one["cost_usd"]]
            total.merge(other)
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(usage_table(UsageReport("model", total.usage(), rows)))
        return console.export_text()

    names = ["claude-opus-4-1-20250805", "claude-opus-4-5-20251101"]
    rows = [row(names[0], 1, 0), row(names[1], 3, 7)]
    layouts = set()
    for width in (40, 60, 80, 100, 120, 140, 160):
        text = shown(rows, width)
        lines = text.splitlines()
        assert "…" not in text and all(len(line) <= width for line in lines), width
        for name in names:  # whole, on one line
            assert any(name in line for line in lines), (width, name)
        for figure in ("62,548", "4,665,866,612", "8,833.36", "6,625.02"):  # calls, tokens, $
            assert figure in text, (width, figure)
        assert "unpriced" in text
        layouts.add("full" if "cache write" in text else "compact" if "total tokens" in text else "blocks")  # fmt: skip
    assert layouts == {"full", "compact", "blocks"}
    assert "unpriced" not in shown([row("m", 1, 0)], 160)
