"""The forked log readers' own side (:mod:`agent_focus.ingest.pool` is the parent's): their
lives, and the length-prefixed pickles they and the parent exchange through pipes.

The first reader (:func:`root`) makes its pricer and loads the price catalogue, receives
its batches, forks the other readers (which share the catalogue), reads its own share and
waits for the others. Each reader keeps no file descriptor of the parent's but its own
pipe's end, so a reader's death is seen as the end of its pipe, never hidden by another
process holding it open. SIGTERM stops the first reader, which first kills and reaps the
others: none is left to init. A reader never returns: it ends with ``os._exit`` (no atexit
handler, no stdio flush of the parent's buffers).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import pickle
import signal
import struct
import traceback
from collections.abc import Callable

from agent_focus.ingest.claude import Pricer
from agent_focus.ingest.readers import Found, Todo, read_log
from agent_focus.ingest.report import IngestReport
from agent_focus.journal.pricing import load_catalogue, take_looked_up

PIPE_BYTES = 1024 * 1024  # how far ahead a reader may write (Linux's default limit for a pipe)
_HEADER = struct.Struct("<Q")
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_MAX_FD = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 65536


def pipe() -> tuple[int, int]:
    """A pipe (its read end, its write end) that holds up to :data:`PIPE_BYTES` where the
    system allows it (a smaller one only means less read ahead)."""
    out, into = os.pipe()
    with contextlib.suppress(OSError):
        fcntl.fcntl(into, _F_SETPIPE_SZ, PIPE_BYTES)
    return out, into


def send(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def receive(fd: int) -> bytes | None:
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


def keep_only(*kept: int) -> None:
    """In a reader just forked: every file descriptor closed but stdin, stdout, stderr and
    ``kept`` (no other pipe's end, lock or socket of the parent's held open by a reader)."""
    low = 3
    for fd in sorted(kept):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _MAX_FD)


def _read_batch(batch: Todo, price: Pricer) -> tuple[list[Found], IngestReport]:
    """Logs read in a reader process: what each one held, and the batch's part of the report
    (one for the batch: a report per log would cost the parent as much to unpickle)."""
    part = IngestReport()
    return [read_log(log, mark, part, price) for log, mark, _size in batch], part


def root(inbox: int, outs: list[int], pricing: Callable[[], Pricer]) -> None:
    """The first reader's life: its pricer made and the catalogue loaded, the batches
    received, the other readers forked (each with its own pipe), its own share read, the
    others waited for. Never returns (no atexit, no stdio flush)."""
    code = 1
    gc.disable()  # a reader makes no cycle, and lives seconds (guards.cycles_unchecked)
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # ^C: the parent says so, not 3 tracebacks
        signal.signal(signal.SIGTERM, _stopped)  # the parent's way to stop the readers
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)  # a group of its own: the parent's last resort stops them all
        price = pricing()  # focus.yaml's prices, when it has any
        load_catalogue()  # here, while the parent lists the logs; the others share it
        message = receive(inbox)
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
                    keep_only(outs[index])
                    _read_share(batches[index::count], price, outs[index], [])
                finally:
                    os._exit(1)
            _OTHERS.append(pid)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        for other in outs[1:]:
            os.close(other)
        _read_share(batches[0::count], price, outs[0], _OTHERS)
    except BaseException:  # the parent raises it (with it, a reader's own failure)
        with contextlib.suppress(OSError):
            send(outs[0], pickle.dumps(traceback.format_exc()))
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


def _read_share(batches: list[Todo], price: Pricer, fd: int, others: list[int]) -> None:
    """A reader's batches read and written to ``fd``, as a length and a pickle each (the
    calls, the batch's report and the catalogue's rates it looked up for them; a failure as
    a pickled string); then the ``others`` waited for. Never returns."""
    code = 0
    try:
        for batch in batches:
            results, part = _read_batch(batch, price)
            rates = take_looked_up()  # the rates it looked up: the parent keeps them
            send(fd, pickle.dumps((results, part, rates), pickle.HIGHEST_PROTOCOL))
    except BrokenPipeError:
        code = 1  # the parent stopped reading
    except BaseException:  # the parent raises it
        code = 1
        with contextlib.suppress(OSError):
            send(fd, pickle.dumps(traceback.format_exc()))
    with contextlib.suppress(OSError):
        os.close(fd)
    for pid in others:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    os._exit(code)
