"""What an ingest runs under (:func:`ingesting`): one ingester at a time for a journal, a lock
beside it that a second one waits on; Python's cycle collector paused; and the copiers of
earlier first reads (:func:`agent_focus.ingest.bulk.checkpoint_behind`) reaped first."""

from __future__ import annotations

import contextlib
import fcntl
import sys
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def ingesting(
    folder: Path, wait: bool = True, waiting: Callable[[], None] | None = None
) -> Iterator[None]:
    """Run an ingest of the journal in ``folder`` under :func:`lock` and
    :func:`cycles_unchecked`, once the copiers that are done since are reaped (a
    long-lived process, the control room, keeps no zombie)."""
    if (bulk := sys.modules.get("agent_focus.ingest.bulk")) is not None:
        bulk.reap_copiers()
    with lock(folder, wait, waiting), cycles_unchecked():
        yield


@contextlib.contextmanager
def lock(
    folder: Path, wait: bool = True, waiting: Callable[[], None] | None = None
) -> Iterator[None]:
    """The journal's ingest lock, held (a second ingester waits here, then finds nothing
    new: nothing is counted twice), ``waiting`` called first when it must wait (to say
    so). Without ``wait``, another's lock raises :class:`BlockingIOError` at once."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "ingest.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise
            if waiting is not None:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def cycles_unchecked() -> Iterator[None]:
    """Python's cycle collector paused (and resumed after, if it ran before): an ingest makes
    hundreds of thousands of tuples and never a cycle, and a collection every 700 of them
    walks them all again, about 7% of a first read's CPU (docs/performance.md, tenth pass).
    `focus usage` and `focus status` run with it off anyway (cli.quick.run_fast); this is
    for every other caller (the control room, the evening summary, the MCP server). A cycle
    made meanwhile by another thread is collected once it resumes."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
