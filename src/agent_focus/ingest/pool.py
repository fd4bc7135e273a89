"""Every log read in the de-duplication's order, by forked reader processes when much is new
(:func:`read_in_order`).

The readers get the logs in batches of about 2 MB (one task per small log would cost the
parent more in bookkeeping than the log's calls), dealt out in turn before they fork: reader
``i`` of ``n`` reads batches ``i``, ``i + n``, ... and writes each one's calls (plain tuples,
:mod:`agent_focus.ingest.records`, which pickle in C) into its own pipe, as far ahead as
the pipe holds. The parent reads the pipes in turn, so it gets the batches in order. No
executor: nothing in the parent hands out work or unpickles in a thread of its own, so the
readers never wait for the parent's GIL to be given their next batch.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import signal
import struct
import traceback
from collections.abc import Generator, Iterator

from agent_focus.errors import FocusError
from agent_focus.ingest.claude import Pricer
from agent_focus.ingest.readers import Found, Todo, read_log
from agent_focus.ingest.report import IngestReport

BATCH_BYTES = 2 * 1024 * 1024  # logs handed to a reader at once: up to about this much
BATCH_FILES = 64
PIPE_BYTES = 1024 * 1024  # how far ahead a reader may write (Linux's default limit for a pipe)
_HEADER = struct.Struct("<Q")
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


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


def _reader(batches: list[Todo], price: Pricer, fd: int) -> None:
    """A reader process's life: its batches read, each written to ``fd`` as a length and a
    pickle; a failure as a pickled string. Never returns (no atexit, no stdio flush)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # ^C: the parent says so, not 2 tracebacks
        for batch in batches:
            _send(fd, pickle.dumps(_read_batch(batch, price), pickle.HIGHEST_PROTOCOL))
    except BrokenPipeError:
        code = 1  # the parent stopped reading
    except BaseException:  # the parent raises it
        code = 1
        with contextlib.suppress(OSError):
            _send(fd, pickle.dumps(traceback.format_exc()))
    os._exit(code)


def _send(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int) -> tuple[list[Found], IngestReport]:
    size = _HEADER.unpack(_exactly(fd, _HEADER.size))[0]
    got = pickle.loads(_exactly(fd, size))
    if isinstance(got, str):
        raise FocusError(f"a log reader failed:\n{got}")
    return got  # type: ignore[no-any-return]


def _exactly(fd: int, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = os.read(fd, min(left, PIPE_BYTES))
        if not part:
            raise FocusError("a log reader stopped before it was done (killed?)")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def read_in_order(
    todo: Todo, readers: int, price: Pricer, report: IngestReport
) -> Generator[Found, None, None]:
    """Every log of ``todo`` read, in ``todo``'s order (the de-duplication's order): by
    ``readers`` forked processes when there are more than one. The lines skipped, the
    warnings and the bytes read go into ``report`` (a batch's as its first log comes)."""
    if readers < 2:
        for log, mark, _size in todo:
            yield read_log(log, mark, report, price)
        return
    from agent_focus.journal.pricing import load_catalogue

    load_catalogue()  # once, here, rather than once in each reader
    batches = list(_batches(todo))
    readers = min(readers, len(batches))
    pipes = [os.pipe() for _ in range(readers)]
    children: list[int] = []
    try:
        for index, (_out, into) in enumerate(pipes):
            with contextlib.suppress(OSError):  # a smaller pipe only means less read ahead
                fcntl.fcntl(into, _F_SETPIPE_SZ, PIPE_BYTES)
            pid = os.fork()
            if pid == 0:  # the reader: only its own pipe's end stays open
                for out, other in pipes:
                    os.close(out)
                    if other != into:
                        os.close(other)
                _reader(batches[index::readers], price, into)
            children.append(pid)
        for _out, into in pipes:
            os.close(into)
        pipes = [(out, -1) for out, _into in pipes]
        for number in range(len(batches)):
            results, part = _receive(pipes[number % readers][0])
            _merge(report, part)
            yield from results
    finally:
        for out, into in pipes:
            os.close(out)
            if into >= 0:
                os.close(into)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # done already, or no longer wanted
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
