"""The forked log readers (ingest.pool): the batches come back in order, whichever reader
read them; a reader that fails or dies is an error, never a hang, and leaves no process
and no change behind."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from agent_focus.errors import FocusError
from agent_focus.ingest import pool, readers, run
from agent_focus.ingest.dedupe import pricer_for
from agent_focus.ingest.locate import LogFile
from agent_focus.ingest.report import IngestReport
from agent_focus.journal.db import open_log

FIXTURES = Path(__file__).parent / "fixtures" / "agent_logs"


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[LogFile]:
    """Twelve copies of the fixture logs (each log its own batch), found as the ingester
    finds them."""
    for copy in range(12):
        shutil.copytree(FIXTURES / "claude", tmp_path / "claude" / "projects" / f"copy{copy}" / "x", dirs_exist_ok=True)  # fmt: skip
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(FIXTURES / "codex"))
    monkeypatch.setattr(pool, "BATCH_BYTES", 1)
    found = run.find_logs(tmp_path / "state")
    assert len(found) > 40
    return found


_BEFORE: set[int] = set()  # the children the test process had before the test (servers...)


@pytest.fixture(autouse=True)
def _others() -> None:
    _BEFORE.clear()
    _BEFORE.update(_all_children())


def _children() -> set[int]:
    """The children this process has now and did not have before the test."""
    return _all_children() - _BEFORE


def _all_children() -> set[int]:
    """This process's children, zombies too (from /proc: no waiting on them)."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.add(int(entry))
    return found


def test_batches_come_back_in_order_from_both_readers(
    logs: list[LogFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    """...and the readers, done, end by themselves: not killed, so that the first reader
    reaps the second and their CPU time counts as this process's children's."""
    kills: list[int] = []
    monkeypatch.setattr(os, "killpg", lambda pid, _signal: kills.append(pid))
    price = pricer_for({})
    todo = [(log, None, os.stat(log.path).st_size) for log in logs]
    alone, together = IngestReport(), IngestReport()
    one = list(pool.read_in_order(todo, None, price, alone))
    two = list(pool.read_in_order(todo, pool.Readers(2, lambda: price), price, together))
    assert [found[0].path for found in two if found] == [log.path for log in logs]
    assert two == one and together == alone
    assert sum(len(found[1]) for found in two if found) > 100
    assert not _children() and not kills


def test_a_reader_that_fails_is_an_error_with_its_traceback(
    logs: list[LogFile], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    original = readers.read_log
    bad = logs[7].path  # read by the second reader

    def failing(log: LogFile, *args: object) -> readers.Found:
        if log.path == bad:
            raise RuntimeError(f"cannot read {log.path}")
        return original(log, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pool, "read_log", failing)
    monkeypatch.setattr(run, "PARALLEL_BYTES", 0)
    with pytest.raises(FocusError, match="a log reader failed") as raised:
        run.ingest_logs(tmp_path / "state")
    assert f"RuntimeError: cannot read {bad}" in str(raised.value)
    db = open_log(tmp_path / "state")
    assert db.execute("SELECT count(*) FROM agent_usage").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM log_files").fetchone() == (0,)
    db.close()
    assert not _children()


def test_a_reader_that_dies_is_an_error_not_a_hang(
    logs: list[LogFile], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    original = readers.read_log

    def dying(log: LogFile, *args: object) -> readers.Found:
        if log.path == logs[4].path:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(log, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pool, "read_log", dying)
    monkeypatch.setattr(run, "PARALLEL_BYTES", 0)
    with pytest.raises(FocusError, match="stopped before it was done"):
        run.ingest_logs(tmp_path / "state")
    assert not _children()
    monkeypatch.setattr(pool, "read_log", original)  # and the next run reads everything
    assert run.ingest_logs(tmp_path / "state").files_read == len(logs)


def test_a_consumer_that_stops_early_leaves_no_reader_behind(logs: list[LogFile]) -> None:
    todo = [(log, None, os.stat(log.path).st_size) for log in logs]
    price = pricer_for({})
    reading = pool.read_in_order(todo, pool.Readers(2, lambda: price), price, IngestReport())
    assert next(reading) is not None
    reading.close()
    assert not _children()
    pool.Readers(2, lambda: price).close()  # and readers never given their logs
    assert not _children()


@pytest.mark.parametrize("ahead", [True, False])
def test_readers_forked_ahead_or_not_add_what_one_reader_adds(
    logs: list[LogFile], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ahead: bool
) -> None:
    """A first read forks its first reader before it lists the logs; a later read forks the
    readers once it knows there is much to read; either way the journal holds what one
    reader makes of the same logs. (A later read: one log read before all the others.)"""
    one = tmp_path / "one" / "projects" / "p"
    one.mkdir(parents=True)
    shutil.copy(logs[0].path, one)

    def ingest(state: Path) -> run.IngestReport:
        if not ahead:  # the journal knows one log already
            monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(one.parent.parent))
            monkeypatch.setenv("CODEX_HOME", str(tmp_path / "none"))
            run.ingest_logs(state)
            monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
            monkeypatch.setenv("CODEX_HOME", str(FIXTURES / "codex"))
        return run.ingest_logs(state)

    alone = ingest(tmp_path / "alone")
    monkeypatch.setattr(run, "PARALLEL_BYTES", 0)
    events = []
    original, listing = pool.Readers.__init__, run._find_paths

    def counted(self: pool.Readers, *args: object) -> None:
        events.append("fork")
        original(self, *args)  # type: ignore[arg-type]

    def listed(*args: object) -> object:
        events.append("list")
        return listing(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pool.Readers, "__init__", counted)
    monkeypatch.setattr(run, "_find_paths", listed)
    together = ingest(tmp_path / "together")
    assert events[-2:] == (["fork", "list"] if ahead else ["list", "fork"])
    assert together == alone and together.calls_read > (100 if ahead else 0)
    tables = []
    for state in ("alone", "together"):
        db = open_log(tmp_path / state)
        tables.append(db.execute("SELECT * FROM agent_usage ORDER BY id").fetchall())
        db.close()
    assert tables[0] == tables[1]
    assert not _children()


def test_readers_forked_ahead_for_too_little_are_stopped(
    logs: list[LogFile], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A first read of logs that hold too little for the readers to help is read in this
    process; the readers forked ahead are stopped."""
    monkeypatch.setattr(pool.Readers, "read", lambda *_: pytest.fail("read by the readers"))
    report = run.ingest_logs(tmp_path / "state")
    assert report.calls_read > 100 and report.calls_added > 0 and not _children()
