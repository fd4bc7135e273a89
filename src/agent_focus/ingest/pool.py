"""Every log read in the de-duplication's order, by forked reader processes when much is new
(:class:`Readers`, :func:`read_in_order`).

The readers get the logs in batches of about 2 MB (one task per small log would cost the
parent more in bookkeeping than the log's calls), dealt out in turn: reader ``i`` of ``n``
reads batches ``i``, ``i + n``, ... and writes each one's calls (plain tuples,
:mod:`agent_focus.ingest.records`, which pickle in C) into its own pipe, as far ahead as
the pipe holds. The parent reads the pipes in turn, so it gets the batches in order. No
executor: nothing in the parent hands out work or unpickles in a thread of its own, so the
readers never wait for the parent's GIL to be given their next batch.

The first reader is forked ahead of its work: on a first read, before the logs are even
listed, it loads the price catalogue (`genai-prices`, about 0.2 s) while the parent lists
and stats the logs, then waits for the batches, and forks the other readers itself, which
share the catalogue it loaded. A reader keeps no file descriptor of the parent's but its own
pipe's end (so a reader's death is seen as the end of its pipe, never hidden by another
process holding it open). When every batch was read the readers end by themselves and each
is reaped by its parent (the first by this process); when they are not wanted after all (too
little to read) or the parent gives up, the first reader is sent SIGTERM and stops and reaps
the others; only if it does not, within 5 s, is their process group killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import signal
import struct
import traceback
from collections.abc import Callable, Generator, Iterator

from agent_focus.errors import FocusError
from agent_focus.ingest.claude import Pricer
from agent_focus.ingest.readers import Found, Todo, read_log
from agent_focus.ingest.report import IngestReport

BATCH_BYTES = 2 * 1024 * 1024  # logs handed to a reader at once: up to about this much
BATCH_FILES = 64
PIPE_BYTES = 1024 * 1024  # how far ahead a reader may write (Linux's default limit for a pipe)
_HEADER = struct.Struct("<Q")
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_MAX_FD = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 65536


def _batches(todo: Todo) -> Iterator[Todo]:
    """``todo`` cut into runs of logs of about :data:`BATCH_BYTES` together, in order."""
    batch: Todo = []
    size = 0
    for entry in todo:
        batch.append(entry)
        size += entry[2]
        if size >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _read_batch(batch: Todo, price: Pricer) -> tuple[list[Found], IngestReport]:
    """Logs read in a reader process: what each one held, and the batch's part of the report
    (one for the batch: a report per log would cost the parent as much to unpickle)."""
    part = IngestReport()
    return [read_log(log, mark, part, price) for log, mark, _size in batch], part


def _merge(report: IngestReport, part: IngestReport) -> None:
    report.skipped.update(part.skipped)
    report.warnings += part.warnings
    report.bytes_read += part.bytes_read


def _send(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _message(fd: int) -> bytes | None:
    """The next length-prefixed message on ``fd``; None at its end (the writer is gone)."""
    head = _exactly(fd, _HEADER.size)
    return None if head is None else _exactly(fd, _HEADER.unpack(head)[0])


def _exactly(fd: int, size: int) -> bytes | None:
    parts, left = [], size
    while left:
        part = os.read(fd, min(left, PIPE_BYTES))
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _only(*kept: int) -> None:
    """In a reader just forked: every file descriptor closed but stdin, stdout, stderr and
    ``kept`` (no other pipe's end, lock or socket of the parent's held open by a reader)."""
    low = 3
    for fd in sorted(kept):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _MAX_FD)


def _root(inbox: int, outs: list[int], pricing: Callable[[], Pricer]) -> None:
    """The first reader's life: its pricer made and the catalogue loaded, the batches
    received, the other readers forked (each with its own pipe), its own share read, the
    others waited for. Never returns (no atexit, no stdio flush)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # ^C: the parent says so, not 3 tracebacks
        signal.signal(signal.SIGTERM, _stopped)  # the parent's way to stop the readers
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)  # a group of its own: the parent's last resort stops them all
        from agent_focus.journal.pricing import load_catalogue

        price = pricing()  # focus.yaml's prices, when it has any
        load_catalogue()  # here, while the parent lists the logs; the others share it
        message = _message(inbox)
        os.close(inbox)
        if message is None:  # nothing for the readers after all
            os._exit(0)
        batches: list[Todo] = pickle.loads(message)
        count = len(outs)
        for index in range(1, count):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # none between the
            pid = os.fork()  # fork and the note of the pid
            if pid == 0:
                try:
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
                    _only(outs[index])
                    _read_share(batches[index::count], price, outs[index])
                finally:
                    os._exit(1)
            _OTHERS.append(pid)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        for other in outs[1:]:
            os.close(other)
        _read_share(batches[0::count], price, outs[0], _OTHERS)
    except BaseException:  # the parent raises it (with it, a reader's own failure)
        with contextlib.suppress(OSError):
            _send(outs[0], pickle.dumps(traceback.format_exc()))
        _stop_others()
    os._exit(code)


_OTHERS: list[int] = []  # in the first reader: the readers it forked


def _stop_others() -> None:
    """In the first reader: the readers it forked killed and reaped (none left to init)."""
    for pid in _OTHERS:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _stopped(_signal: int, _frame: object) -> None:
    """The first reader's SIGTERM: the others stopped and reaped, then this one ends."""
    _stop_others()
    os._exit(1)


def _read_share(batches: list[Todo], price: Pricer, fd: int, others: list[int] = []) -> None:  # noqa: B006
    """A reader's batches read and written to ``fd``, as a length and a pickle each (a
    failure as a pickled string); then the ``others`` waited for. Never returns."""
    code = 0
    try:
        for batch in batches:
            _send(fd, pickle.dumps(_read_batch(batch, price), pickle.HIGHEST_PROTOCOL))
    except BrokenPipeError:
        code = 1  # the parent stopped reading
    except BaseException:  # the parent raises it
        code = 1
        with contextlib.suppress(OSError):
            _send(fd, pickle.dumps(traceback.format_exc()))
    with contextlib.suppress(OSError):
        os.close(fd)
    for pid in others:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    os._exit(code)


class Readers:
    """``count`` reader processes, forked now (with no journal open: they hold no SQLite
    connection), pricing by what ``pricing`` makes (in the first reader). Call :meth:`start`
    and :meth:`read` once, or :meth:`close` to stop them unused."""

    def __init__(self, count: int, pricing: Callable[[], Pricer]) -> None:
        self.count = count
        self.outs: list[int] = []
        self.batches = 0
        self.done = False  # every batch read: the readers end by themselves
        inbox, self.inbox = os.pipe()
        pipes = [os.pipe() for _ in range(count)]
        for into in [self.inbox, *(into for _out, into in pipes)]:
            with contextlib.suppress(OSError):  # a smaller pipe only means less read ahead
                fcntl.fcntl(into, _F_SETPIPE_SZ, PIPE_BYTES)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                outs = [into for _out, into in pipes]
                _only(inbox, *outs)
                _root(inbox, outs, pricing)
            finally:
                os._exit(1)
        try:
            with contextlib.suppress(OSError):
                os.setpgid(self.pid, self.pid)  # as the reader does itself: whichever is first
            os.close(inbox)
            for out, into in pipes:
                os.close(into)
                self.outs.append(out)
        except BaseException:  # (^C here): the reader is not left behind
            self.close()
            raise

    def start(self, todo: Todo) -> None:
        """Hand the readers ``todo`` (they start as soon as they have loaded the catalogue)."""
        self.batches = len(batches := list(_batches(todo)))
        with contextlib.suppress(BrokenPipeError):  # the reader is gone: read() says why
            _send(self.inbox, pickle.dumps(batches, pickle.HIGHEST_PROTOCOL))
        os.close(self.inbox)
        self.inbox = -1

    def read(self, report: IngestReport) -> Generator[Found, None, None]:
        """Every log of the ``todo`` given to :meth:`start`, in order (see
        :func:`read_in_order`)."""
        for number in range(self.batches):
            message = _message(self.outs[number % self.count])
            if message is None:
                raise FocusError("a log reader stopped before it was done (killed?)")
            got = pickle.loads(message)
            if isinstance(got, str):  # a traceback: its last line (FOCUS_DEBUG=1: all of it)
                said = got if os.environ.get("FOCUS_DEBUG") else got.strip().splitlines()[-1]
                raise FocusError(f"a log reader failed: {said}")
            results, part = got
            _merge(report, part)
            yield from results
        self.done = True

    def close(self) -> None:
        """Reap the first reader, which reaps the others: when every batch was read, as it
        ends by itself (so the CPU time of all of them is counted as this process's
        children's); else stopped first, with the others. Again, nothing (its process id
        may be another's by then)."""
        if self.pid < 0:
            return
        for fd in [self.inbox, *self.outs]:
            if fd >= 0:
                os.close(fd)
        self.inbox, self.outs = -1, []
        if not self.done and not self._ended(signal.SIGTERM):  # it stops and reaps the others
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)  # it did not, in time: all of them
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)  # should its group not be its own yet
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.pid = -1

    def _ended(self, stop: int, wait: float = 5.0) -> bool:
        """Whether the first reader, sent ``stop``, ended within ``wait`` seconds (reaped)."""
        import time

        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, stop)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    return True
            except ChildProcessError:
                return True
            time.sleep(0.005)
        return False


def read_in_order(
    todo: Todo, readers: Readers | None, price: Pricer, report: IngestReport
) -> Generator[Found, None, None]:
    """Every log of ``todo`` read, in ``todo``'s order (the de-duplication's order): by the
    ``readers`` when given (handed ``todo`` now, stopped at the end), else in this process.
    The lines skipped, the warnings and the bytes read go into ``report`` (a batch's as its
    first log comes)."""
    if readers is None:
        return (read_log(log, mark, report, price) for log, mark, _size in todo)
    readers.start(todo)
    return _read_then_close(readers, report)


def _read_then_close(readers: Readers, report: IngestReport) -> Generator[Found, None, None]:
    try:
        yield from readers.read(report)
    finally:
        readers.close()
