"""Reading focus files, and writing them without losing anybody's update.

A write takes an exclusive lock, re-reads the file, applies the edit as an operation on
what is there now, writes a temp file beside the target and swaps it in atomically. Then it
checks that the file it displaced is the one it read, unwritten: a writer that takes no lock
(a human's editor) may have saved meanwhile. If one did, its file is put back and the
operation is applied again to its text. A symlink is written through, to its target.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from agent_focus.errors import ConcurrentEditError, FocusFileError
from agent_focus.focusfile.files import (
    drop_lease,
    exchange,
    hold_read_lease,
    lease_broken,
    open_regular,
    read_fd,
    read_regular_file,
)
from agent_focus.focusfile.lock import file_lock, remove_stale_temp_files
from agent_focus.focusfile.model import FocusDocument
from agent_focus.focusfile.parse import parse_source
from agent_focus.focusfile.source import Source, Splice

T = TypeVar("T")
_RETRY_SECONDS = 10.0


@dataclass(frozen=True)
class Edit(Generic[T]):
    """What an operation wants: the splices to make, and what to tell the caller."""

    splices: list[Splice]
    result: T


_MISSING_FOCUS_FILE = "no such file (run `focus init --agent A1` to create one)"


def read_bytes(path: Path, missing: str = _MISSING_FOCUS_FILE) -> bytes:
    """The bytes of the regular file ``path`` (a symlink is followed), capped; or a one-line
    :class:`FocusFileError` (``missing`` if absent). A save in progress is waited out."""
    return read_regular_file(target_of(path), missing=missing, shown=path)


def read_document(path: Path) -> FocusDocument:
    """Read and parse ``path``. Never writes."""
    return parse_source(Source.from_bytes(read_bytes(path), path), path)


def target_of(path: Path) -> Path:
    """The file ``path`` names: a symlink is followed, so we write its target, not the link."""
    return Path(os.path.realpath(path))


@dataclass
class _Held:
    """The file at the target when we read it: its descriptor (kept open until the edit is
    done), inode, modification time and bytes, and whether we now hold a read lease on it
    (while we do, anyone opening it for writing waits, and we can tell)."""

    fd: int
    ino: int
    mtime_ns: int
    data: bytes
    leased: bool = False

    @classmethod
    def open(cls, target: Path, shown: Path) -> _Held:
        fd = open_regular(target, missing="no such file", shown=shown)
        try:
            if hold_read_lease(fd):  # an editor's save in progress ends first
                drop_lease(fd)
            st = os.fstat(fd)
            return cls(fd, st.st_ino, st.st_mtime_ns, read_fd(fd, shown))
        except BaseException:
            os.close(fd)
            raise

    def close(self) -> None:
        if self.leased:
            drop_lease(self.fd)
        os.close(self.fd)

    def changes_soon(self, target: Path) -> bool:
        """Whether the file at ``target`` changes within a moment: we caught a save midway."""
        for _ in range(5):
            time.sleep(0.02)
            try:
                st = os.stat(target)
            except OSError:
                return True
            if (st.st_ino, st.st_size, st.st_mtime_ns) != (self.ino, len(self.data), self.mtime_ns):
                return True
        return False

    def still_as_read(self, target: Path) -> bool:
        """Lease it (writers finish first, new ones must wait) and check it is still the file
        at ``target`` and nobody wrote it."""
        self.leased = hold_read_lease(self.fd)
        if os.stat(target).st_ino != self.ino:
            return False
        return read_fd(self.fd, target) == self.data

    def is_unchanged_at(self, name: Path) -> bool:
        """Whether ``name`` is still this file, unwritten, with no writer waiting to open it."""
        if os.stat(name).st_ino != self.ino:
            return False  # an editor renamed its own file in
        if self.leased:
            return not lease_broken(self.fd)  # no write got in, and none is waiting
        return read_fd(self.fd, name) == self.data


def edit_document(path: Path, operation: Callable[[FocusDocument], Edit[T]]) -> T:
    """Apply ``operation`` to the current text of ``path`` and write the result safely.

    ``operation`` sees a freshly parsed document each attempt and returns the splices to
    make. When they change nothing the file is not rewritten. Errors raised by the
    operation leave the file untouched. A symlink is written through, to its target.
    """
    target = target_of(path)
    with file_lock(target):
        remove_stale_temp_files(target)
        deadline = time.monotonic() + _RETRY_SECONDS
        pause = 0.001
        while True:
            edit = _edit_once(path, target, operation)
            if edit is not None:
                return edit.result
            # Someone who takes no lock (an editor) saved meanwhile: redo on their text,
            # after a pause that grows so a burst of saves can end.
            if time.monotonic() + pause > deadline:
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
    raise ConcurrentEditError(
        f"kept changing while we edited it (for {_RETRY_SECONDS:.0f} s); nothing written",
        path=path,
    )


def _edit_once(
    path: Path, target: Path, operation: Callable[[FocusDocument], Edit[T]]
) -> Edit[T] | None:
    """One read, operate, swap; None when a save by someone else got in the way."""
    held = _Held.open(target, path)
    try:
        try:
            document = parse_source(Source.from_bytes(held.data, path), path)
            edit = operation(document)
        except FocusFileError:
            if held.changes_soon(target):
                return None  # a half-saved file: read it again once the save is done
            raise
        new_source = document.source.apply(edit.splices)
        if new_source == document.source:
            return edit
        try:
            return edit if _swap_in(target, new_source.to_bytes(), held) else None
        except FileNotFoundError:
            raise FocusFileError("was removed while we edited it", path=path) from None
        except OSError as exc:
            raise FocusFileError(f"cannot write: {exc.strerror or exc}", path=path) from None
    finally:
        held.close()


def _swap_in(target: Path, data: bytes, held: _Held) -> bool:
    """Put ``data`` at ``target`` atomically if the file there is still ``held``; else leave
    the other writer's file in place and return False.

    The new file is swapped in (``RENAME_EXCHANGE``), so the file it displaced is still at
    hand under the temp name: if it is not the one we read, or was written, or a writer
    waits to open it, we swap back. There is no gap between checking and replacing.
    """
    tmp = _write_temp(target, data, os.fstat(held.fd).st_mode & 0o7777)
    try:
        # The lease is held only from here to the swap: an editor never waits on our fsync.
        if not held.still_as_read(target):
            return False
        if not exchange(tmp, target):
            return _replace_if_unchanged(tmp, target, held)
        if not held.is_unchanged_at(tmp):
            exchange(tmp, target)  # their file back at the target, ours out
            return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _sync_folder(target.parent)
    return True


def _replace_if_unchanged(tmp: Path, target: Path, held: _Held) -> bool:
    """Where files cannot be swapped: check, then replace (a writer may slip in between)."""
    if not held.is_unchanged_at(target):
        return False
    os.replace(tmp, target)
    return True


def _write_temp(target: Path, data: bytes, mode: int) -> Path:
    import tempfile  # writing only: `focus status` never loads it

    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    return Path(name)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
