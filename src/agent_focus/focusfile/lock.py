"""One writer at a time per focus file, across processes: a lock file beside it."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from glob import escape as glob_escape
from pathlib import Path

from agent_focus.errors import FocusFileError


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
            fcntl.flock(fd, fcntl.LOCK_EX)
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


def remove_stale_temp_files(path: Path) -> None:
    """Temp files are only made under the lock, so one found while holding it is stale:
    a writer was killed before its ``os.replace``."""
    for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
