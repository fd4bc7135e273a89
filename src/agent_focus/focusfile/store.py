"""Reading focus files, and writing them without losing anybody's update.

A write takes an exclusive lock, re-reads the file, applies the edit as an operation on
what is there now, writes a temp file beside the target and ``os.replace``-s it. Just before
the replace it checks the file was not changed by a writer that takes no lock (a human's
editor); if it was, the operation is applied again to the new text.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from agent_focus.errors import ConcurrentEditError, FocusFileError
from agent_focus.focusfile.model import FocusDocument
from agent_focus.focusfile.parse import parse_source
from agent_focus.focusfile.source import Source, Splice

T = TypeVar("T")
_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Edit(Generic[T]):
    """What an operation wants: the splices to make, and what to tell the caller."""

    splices: list[Splice]
    result: T


_MISSING_FOCUS_FILE = "no such file (run `focus init --agent A1` to create one)"


def read_bytes(path: Path, missing: str = _MISSING_FOCUS_FILE) -> bytes:
    """The bytes of ``path``, or a one-line :class:`FocusFileError` (``missing`` if absent)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FocusFileError(missing, path=path) from None
    except IsADirectoryError:
        raise FocusFileError("is a directory, not a focus file", path=path) from None
    except PermissionError:
        raise FocusFileError("permission denied", path=path) from None
    except OSError as exc:
        raise FocusFileError(exc.strerror or str(exc), path=path) from None


def read_document(path: Path) -> FocusDocument:
    """Read and parse ``path``. Never writes."""
    return parse_source(Source.from_bytes(read_bytes(path), path), path)


def _fingerprint(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


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


def _remove_stale_temp_files(path: Path) -> None:
    """Temp files are only made under the lock, so one found while holding it is stale:
    a writer was killed before its ``os.replace``."""
    from glob import escape as glob_escape  # writing only: `focus status` never loads it

    for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _write_atomically(path: Path, data: bytes, expected: tuple[int, int, int]) -> bool:
    """Write ``data`` over ``path`` through a temp file; False if ``path`` changed meanwhile."""
    import tempfile  # writing only: it pulls in shutil, random and the compressors

    mode = os.stat(path).st_mode & 0o7777
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        if _fingerprint(path) != expected:
            os.unlink(tmp_name)
            return False
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return True


def edit_document(path: Path, operation: Callable[[FocusDocument], Edit[T]]) -> T:
    """Apply ``operation`` to the current text of ``path`` and write the result safely.

    ``operation`` sees a freshly parsed document each attempt and returns the splices to
    make. When they change nothing the file is not rewritten. Errors raised by the
    operation leave the file untouched.
    """
    with file_lock(path):
        _remove_stale_temp_files(path)
        for _attempt in range(_MAX_ATTEMPTS):
            before = _fingerprint_or_error(path)
            document = read_document(path)
            edit = operation(document)
            new_source = document.source.apply(edit.splices)
            if new_source == document.source:
                return edit.result
            try:
                written = _write_atomically(path, new_source.to_bytes(), before)
            except FileNotFoundError:
                raise FocusFileError("was removed while we edited it", path=path) from None
            except OSError as exc:
                raise FocusFileError(f"cannot write: {exc.strerror or exc}", path=path) from None
            if written:
                return edit.result
            # Someone who takes no lock (an editor) saved meanwhile: redo on their text.
    raise ConcurrentEditError(
        f"kept changing while we edited it ({_MAX_ATTEMPTS} tries); nothing written", path=path
    )


def _fingerprint_or_error(path: Path) -> tuple[int, int, int]:
    try:
        return _fingerprint(path)
    except FileNotFoundError:
        raise FocusFileError("no such file", path=path) from None
