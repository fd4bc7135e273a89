"""Regular files only: open without hanging, read with a cap, wait out a writer, swap atomically.

Every file a user owns (focus files, the strategy, focus.yaml) is read through
:func:`read_regular_file`: a FIFO, a device, a socket or a directory is refused before a
byte is read, and no more than :data:`MAX_FILE_BYTES` is ever read, so a link to
``/dev/zero`` or a pipe cannot hang the command or eat the machine.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import stat
import time
from pathlib import Path
from typing import Any

from agent_focus.errors import FocusError, FocusFileError
from agent_focus.focusfile.source import line_number_at

MAX_FILE_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_F_SETLEASE = getattr(fcntl, "F_SETLEASE", None)
_F_SETSIG = getattr(fcntl, "F_SETSIG", None)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def open_regular(
    path: Path,
    *,
    missing: str,
    error: type[FocusError] = FocusFileError,
    shown: Path | None = None,
) -> int:
    """A read-only descriptor of ``path``, which must be a regular file; else a one-line error
    naming ``shown`` (default ``path``).

    ``O_NONBLOCK`` makes opening a FIFO return at once instead of waiting for a writer.
    """
    name = path if shown is None else shown
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(missing, path=name) from None
    except PermissionError:
        raise error("permission denied", path=name) from None
    except OSError as exc:
        raise error(f"cannot open: {exc.strerror or exc}", path=name) from None
    mode = os.fstat(fd).st_mode
    for test, kind in _KINDS:
        if test(mode):
            os.close(fd)
            raise error(f"is {kind}, not a regular file; refusing to read it", path=name)
    return fd


def read_fd(fd: int, path: Path, error: type[FocusError] = FocusFileError) -> bytes:
    """All of the file behind ``fd`` from offset 0, at most :data:`MAX_FILE_BYTES`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = os.pread(fd, _CHUNK, size)
        except OSError as exc:
            raise error(f"cannot read: {exc.strerror or exc}", path=path) from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise error(
                f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; refusing to read it",
                path=path,
            )


def read_regular_file(
    path: Path,
    *,
    missing: str,
    error: type[FocusError] = FocusFileError,
    shown: Path | None = None,
) -> bytes:
    """The bytes of the regular file ``path`` (capped, a save in progress waited out), or a
    one-line ``error`` naming ``shown``. A NUL byte anywhere means binary: refused too."""
    name = path if shown is None else shown
    fd = open_regular(path, missing=missing, error=error, shown=name)
    try:
        if hold_read_lease(fd):
            drop_lease(fd)
        data = read_fd(fd, name, error)
    finally:
        os.close(fd)
    if b"\x00" in data:
        line = line_number_at(data, data.index(b"\x00"))
        raise error("is a binary file (NUL byte), not text", path=name, line=line)
    return data


def _try_lease(fd: int) -> bool | None:
    """Take a read lease: True held, False refused (someone has the file open for writing),
    None when this system or file cannot have one (not Linux, not the file's owner, NFS)."""
    if _F_SETLEASE is None:
        return None
    try:
        if _F_SETSIG is not None:
            # A lease break is signalled to the holder; SIGURG is ignored by default, so an
            # editor opening the file while we hold the lease cannot kill us (SIGIO would).
            fcntl.fcntl(fd, _F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, _F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        return False if exc.errno == errno.EAGAIN else None
    return True


def hold_read_lease(fd: int, timeout: float = 2.0) -> bool:
    """Wait (bounded) until nobody has the file open for writing, then hold a read lease:
    until :func:`drop_lease`, anyone opening it for writing waits, and we can tell
    (:func:`lease_broken`). False when no lease could be had."""
    deadline = time.monotonic() + timeout
    while True:
        held = _try_lease(fd)
        if held is not False:
            return bool(held)
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


def lease_broken(fd: int) -> bool:
    """Whether someone tried to open the leased file for writing since we took the lease."""
    try:
        return bool(fcntl.fcntl(fd, fcntl.F_GETLEASE) != fcntl.F_RDLCK)
    except OSError:
        return True


def drop_lease(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, _F_SETLEASE or 0, fcntl.F_UNLCK)


_libc: Any = None


def exchange(first: Path, second: Path) -> bool:
    """Atomically swap the two names (Linux ``renameat2(RENAME_EXCHANGE)``).

    False when this system or file system cannot; an OSError for any other failure.
    """
    import ctypes  # here, not at the top: `focus status` never swaps

    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))
