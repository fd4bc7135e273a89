"""One writer at a time per focus file, across processes: a lock file beside it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from contextvars import ContextVar
from glob import escape as glob_escape
from pathlib import Path

from agent_focus.errors import FocusFileError, FocusFileLockedError

# How long a writer waits for another's lock: None (the CLI) waits as long as it takes; the
# web server sets a few seconds per request, and answers 409 when they pass.
LOCK_WAIT: ContextVar[float | None] = ContextVar("LOCK_WAIT", default=None)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` across processes.

    The lock lives in ``.<name>.lock`` beside it and is removed on release. After locking,
    we check the lock file is still the one at that path (another holder may have removed
    it just before we got it) and retry if not.
    """
    lock_path = path.with_name(f".{path.name}.lock")
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise FocusFileError(f"cannot lock: {exc.strerror}", path=path) from None
        try:
            _take(fd, path)
            try:
                same = os.fstat(fd).st_ino == os.stat(lock_path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock_path)
        os.close(fd)


def _take(fd: int, path: Path) -> None:
    """``flock`` the lock file, waiting at most :data:`LOCK_WAIT` seconds when it is set."""
    wait = LOCK_WAIT.get()
    if wait is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise FocusFileLockedError(
                    f"is being edited by another writer (waited {wait:g} s); try again", path=path
                ) from None
            time.sleep(0.02)


def remove_stale_temp_files(path: Path) -> None:
    """Temp files are only made under the lock, so one found while holding it is stale:
    a writer was killed before its ``os.replace``."""
    for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
