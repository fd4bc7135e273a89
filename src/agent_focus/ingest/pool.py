"""Every log read in the de-duplication's order, by forked reader processes when much is new
(:class:`Readers`, :func:`read_in_order`).

The readers get the logs in batches of about 2 MB (one task per small log would cost the
parent more in bookkeeping than the log's calls), dealt out in turn: reader ``i`` of ``n``
reads batches ``i``, ``i + n``, ... and writes each one's calls (plain tuples,
:mod:`agent_focus.ingest.records`, which pickle in C) into its own pipe, as far ahead as
the pipe holds. The parent reads the pipes in turn, so it gets the batches in order. No
executor: nothing in the parent hands out work or unpickles in a thread of its own, so the
readers never wait for the parent's GIL to be given their next batch.

The first reader is forked ahead of its work (:mod:`agent_focus.ingest.forked` is the
readers' side): on a first read, before the logs are even listed, it loads the price
catalogue (`genai-prices`, about 0.2 s) while the parent lists and stats the logs, then
waits for the batches and forks the other readers itself, which share the catalogue. When
every batch was read the readers end by themselves and each is reaped by its parent (the
first by this process); when they are not wanted after all (too little to read) or the
parent gives up, the first reader is sent SIGTERM and stops and reaps the others; only if it
does not within :data:`STOP_SECONDS` is their process group killed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Generator, Iterator

from agent_focus.errors import FocusError
from agent_focus.ingest import forked
from agent_focus.ingest.claude import Pricer
from agent_focus.ingest.readers import Found, Todo, read_log
from agent_focus.ingest.report import IngestReport
from agent_focus.journal.pricing import CatalogueRates

# what the parent does with the catalogue's rates a reader looked up (KnownRates.learn)
Learn = Callable[[str | None, dict[str, CatalogueRates]], None]
BATCH_BYTES = 2 * 1024 * 1024  # logs handed to a reader at once: up to about this much
BATCH_FILES = 64
STOP_SECONDS = 5.0  # for the first reader to stop the others and end, sent SIGTERM


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


def _merge(report: IngestReport, part: IngestReport) -> None:
    report.skipped.update(part.skipped)
    report.warnings += part.warnings
    report.bytes_read += part.bytes_read


class Readers:
    """``count`` reader processes, forked now (with no journal open: they hold no SQLite
    connection), pricing by what ``pricing`` makes (in the first reader). Call :meth:`start`
    and :meth:`read` once, or :meth:`close` to stop them unused."""

    def __init__(self, count: int, pricing: Callable[[], Pricer]) -> None:
        self.count = count
        self.outs: list[int] = []
        self.batches = 0
        self.done = False  # every batch read: the readers end by themselves
        inbox, self.inbox = forked.pipe()
        pipes = [forked.pipe() for _ in range(count)]
        self.pid = os.fork()
        if self.pid == 0:
            try:
                outs = [into for _out, into in pipes]
                forked.keep_only(inbox, *outs)
                forked.root(inbox, outs, pricing)
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
            forked.send(self.inbox, pickle.dumps(batches, pickle.HIGHEST_PROTOCOL))
        os.close(self.inbox)
        self.inbox = -1

    def read(
        self, report: IngestReport, learn: Learn | None = None
    ) -> Generator[Found, None, None]:
        """Every log of the ``todo`` given to :meth:`start`, in order (see
        :func:`read_in_order`)."""
        for number in range(self.batches):
            message = forked.receive(self.outs[number % self.count])
            if message is None:
                raise FocusError("a log reader stopped before it was done (killed?)")
            got = pickle.loads(message)
            if isinstance(got, str):  # a traceback: its last line (FOCUS_DEBUG=1: all of it)
                said = got if os.environ.get("FOCUS_DEBUG") else got.strip().splitlines()[-1]
                raise FocusError(f"a log reader failed: {said}")
            results, part, rates = got
            _merge(report, part)
            if rates is not None and learn is not None:
                learn(*rates)
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
        if not self.done and not self._stopped():  # it stops and reaps the others
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)  # it did not, in time: all of them
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)  # should its group not be its own yet
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.pid = -1

    def _stopped(self) -> bool:
        """Whether the first reader, sent SIGTERM, ended within :data:`STOP_SECONDS` (and
        was reaped)."""
        import time

        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline:
            try:
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    return True
            except ChildProcessError:
                return True
            time.sleep(0.005)
        return False


def read_in_order(
    todo: Todo,
    readers: Readers | None,
    price: Pricer,
    report: IngestReport,
    learn: Learn | None = None,
) -> Generator[Found, None, None]:
    """Every log of ``todo`` read, in ``todo``'s order (the de-duplication's order): by the
    ``readers`` when given (handed ``todo`` now, stopped at the end), else in this process.
    The lines skipped, the warnings and the bytes read go into ``report`` (a batch's as its
    first log comes), the catalogue's rates the readers looked up to ``learn``
    (:meth:`~agent_focus.journal.known_rates.KnownRates.learn`)."""
    if readers is None:
        return (read_log(log, mark, report, price) for log, mark, _size in todo)
    readers.start(todo)
    return _read_then_close(readers, report, learn)


def _read_then_close(
    readers: Readers, report: IngestReport, learn: Learn | None
) -> Generator[Found, None, None]:
    try:
        yield from readers.read(report, learn)
    finally:
        readers.close()
