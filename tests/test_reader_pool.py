"""The forked log readers (ingest.pool): the batches come back in order, whichever reader
read them; a reader that fails or dies is an error, never a hang, and leaves no process
and no change behind."""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_focus.errors import FocusError
from agent_focus.ingest import bulk, forked, pending, pool, readers, run
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
    found = pending.find_logs(tmp_path / "state")
    assert len(found) > 40
    return found


_BEFORE: set[int] = set()  # the children the test process had before the test (servers...)


@pytest.fixture(autouse=True)
def _others() -> None:
    _BEFORE.clear()
    _BEFORE.update(_all_children())


@pytest.fixture(autouse=True)
def _no_reader_left_and_no_hang() -> Iterator[None]:
    """Each test: a hang is a failure after 60 s, and after the test no process is left in
    any readers' group (the second reader is the first's child, not this process's)."""
    groups: list[int] = []
    original = pool.Readers.__init__

    def recorded(self: pool.Readers, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        groups.append(self.pid)

    def hung(*_: object) -> None:
        raise TimeoutError("hung for 60 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    pool.Readers.__init__ = recorded  # type: ignore[method-assign]
    try:
        yield
    finally:
        pool.Readers.__init__ = original  # type: ignore[method-assign]
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    for group in groups:  # (a reader orphaned by a killed first reader is init's zombie)
        deadline = time.monotonic() + 10
        while _living(group) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not _living(group)


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _living(group: int) -> set[int]:
    """The processes of a process group that are not zombies."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                found.add(int(entry))
    return found


def _children() -> set[int]:
    """The children this process has now and did not have before the test, but a first
    read's copier of the write-ahead log (ingest.bulk.checkpoint_behind), a child by design."""
    return _all_children() - _BEFORE - {copier.pid for copier in bulk.COPIERS}


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
    killpg = os.killpg
    monkeypatch.setattr(os, "killpg", lambda pid, _signal: kills.append(pid))
    price = pricer_for({})
    todo = [(log, None, os.stat(log.path).st_size) for log in logs]
    alone, together = IngestReport(), IngestReport()
    one = list(pool.read_in_order(todo, None, price, alone))
    both = pool.Readers(2, lambda: price)
    group = both.pid
    two = list(pool.read_in_order(todo, both, price, together))
    with pytest.raises(ProcessLookupError):  # not even a zombie: each reaped by its parent
        killpg(group, 0)
    assert [found[0].path for found in two if found] == [log.path for log in logs]
    assert two == one and together == alone
    assert sum(len(found[1]) for found in two if found) > 100
    assert not _children() and not kills


def test_readers_run_without_the_cycle_collector(logs: list[LogFile]) -> None:
    """A reader makes no reference cycle: it runs with Python's cycle collector off (a tenth
    of its time), whether or not the process that forked it had it on. Each reader prices
    the calls it reads, here at 1 dollar when it has the collector off."""
    import gc

    from agent_focus.ingest.records import COST

    class ByCollector:  # a Pricer
        def __call__(self, *_call: object) -> float:
            return 0.0 if gc.isenabled() else 1.0

        def same(self, _model: str | None, _at: str, _other: str) -> bool:
            return True

    def pricing() -> pool.Pricer:
        return ByCollector()

    assert gc.isenabled()
    todo = [(log, None, os.stat(log.path).st_size) for log in logs]
    found = list(pool.read_in_order(todo, pool.Readers(2, pricing), pricing(), IngestReport()))
    costs = {call[COST] for item in found if item for call in item[1]}
    assert 1.0 in costs and 0.0 not in costs and gc.isenabled()


def test_a_reader_that_fails_is_a_one_line_error_saying_why(
    logs: list[LogFile], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    original = readers.read_log
    bad = logs[7].path  # read by the second reader

    def failing(log: LogFile, *args: object) -> readers.Found:
        if log.path == bad:
            raise RuntimeError(f"cannot read {log.path}")
        return original(log, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(forked, "read_log", failing)
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

    monkeypatch.setattr(forked, "read_log", dying)
    monkeypatch.setattr(run, "PARALLEL_BYTES", 0)
    with pytest.raises(FocusError, match="stopped before it was done"):
        run.ingest_logs(tmp_path / "state")
    assert not _children()
    monkeypatch.setattr(forked, "read_log", original)  # and the next run reads everything
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


@pytest.mark.parametrize("case", ["first read", "later read", "first read, threads"])
def test_readers_forked_ahead_or_not_add_what_one_reader_adds(
    logs: list[LogFile], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: str
) -> None:
    """A first read forks its first reader before it lists the logs; a later read, or a
    first read in a process that runs another thread (whose imports the fork could catch
    half done), forks the readers once it knows there is much to read; either way the
    journal holds what one reader makes of the same logs. (A later read: one log read
    before all the others.)"""
    import threading

    ahead = case == "first read"
    stop = threading.Event()
    if case.endswith("threads"):
        threading.Thread(target=stop.wait, daemon=True).start()
    else:  # as alone as in `focus usage`, whatever threads earlier tests left in pytest
        monkeypatch.setattr(threading, "active_count", lambda: 1)
    one = tmp_path / "one" / "projects" / "p"
    one.mkdir(parents=True)
    shutil.copy(logs[0].path, one)

    def ingest(state: Path) -> run.IngestReport:
        if case == "later read":  # the journal knows one log already
            monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(one.parent.parent))
            monkeypatch.setenv("CODEX_HOME", str(tmp_path / "none"))
            run.ingest_logs(state)
            monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
            monkeypatch.setenv("CODEX_HOME", str(FIXTURES / "codex"))
        return run.ingest_logs(state)

    alone = ingest(tmp_path / "alone")
    monkeypatch.setattr(run, "PARALLEL_BYTES", 0)
    events = []
    original, listing = pool.Readers.__init__, run.find_paths

    def counted(self: pool.Readers, *args: object) -> None:
        events.append("fork")
        original(self, *args)  # type: ignore[arg-type]

    def listed(*args: object) -> object:
        events.append("list")
        return listing(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pool.Readers, "__init__", counted)
    monkeypatch.setattr(run, "find_paths", listed)
    together = ingest(tmp_path / "together")
    stop.set()
    assert events[-2:] == (["fork", "list"] if ahead else ["list", "fork"])
    assert together == alone and together.calls_read > (0 if case == "later read" else 100)
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
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 1)  # (see above)
    monkeypatch.setattr(pool.Readers, "read", lambda *_: pytest.fail("read by the readers"))
    forked = []
    monkeypatch.setattr(pool.Readers, "start", lambda *_: pytest.fail("given the logs"))
    original = pool.Readers.close
    monkeypatch.setattr(
        pool.Readers, "close", lambda self: forked.append(self.pid) or original(self)
    )
    report = run.ingest_logs(tmp_path / "state")
    assert forked  # they were forked ahead, and stopped
    assert report.calls_read > 100 and report.calls_added > 0 and not _children()


def _many_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[LogFile]:
    """Ten logs of 3,000 calls each: a reader's results fill its pipe (1 MiB) before it is
    done, so a reader blocked on a full pipe is part of the test."""
    from tests.test_agent_usage import assistant

    folder = tmp_path / "big" / "projects" / "p"
    folder.mkdir(parents=True)
    for log in range(10):
        lines = (assistant("/w", n, requestId=f"req_{log}_{n}", message={"id": f"msg_{log}_{n}", "model": "claude-sonnet-4-5-20250929", "usage": {"input_tokens": 10, "output_tokens": n}}) for n in range(3000))  # fmt: skip
        (folder / f"s{log}.jsonl").write_text("".join(lines))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "big"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "none"))
    monkeypatch.setattr(pool, "BATCH_BYTES", 1)
    monkeypatch.setattr(run, "PARALLEL_BYTES", 0)
    return pending.find_logs(tmp_path / "state")


@pytest.mark.parametrize("dying", [0, 1])
def test_either_reader_dying_while_the_other_is_blocked_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dying: int
) -> None:
    """The second reader dies at its first log while the first fills its pipe (or the other
    way round): the parent sees the dead reader's pipe end, since no other process holds
    it open, and says so; every reader is gone after."""
    big = _many_calls(tmp_path, monkeypatch)
    original = readers.read_log

    def dies(log: LogFile, *args: object) -> readers.Found:
        if log.path == big[dying].path:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(log, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(forked, "read_log", dies)
    with pytest.raises(FocusError, match="stopped before it was done"):
        run.ingest_logs(tmp_path / "state")
    assert not _children()
    monkeypatch.setattr(forked, "read_log", original)
    assert run.ingest_logs(tmp_path / "state").calls_added == 30000


def test_a_reader_gone_before_its_logs_came_is_an_error(
    logs: list[LogFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed before it was handed the logs (the parent's write meets a closed pipe), or
    failing to make its pricer: an error saying so, in one line, not a broken pipe."""
    todo = [(log, None, os.stat(log.path).st_size) for log in logs]
    price = pricer_for({})
    killed = pool.Readers(2, lambda: price)
    os.kill(killed.pid, signal.SIGKILL)
    while _state(killed.pid) != "Z":  # dead (its end of the pipe closed), not yet reaped
        time.sleep(0.005)
    with pytest.raises(FocusError, match="stopped before it was done"):
        list(pool.read_in_order(todo, killed, price, IngestReport()))

    def no_prices() -> readers.Pricer:
        raise RuntimeError("no prices today")

    with pytest.raises(FocusError) as raised:
        list(pool.read_in_order(todo, pool.Readers(2, no_prices), price, IngestReport()))
    assert str(raised.value) == "a log reader failed: RuntimeError: no prices today"
    assert not _children()
