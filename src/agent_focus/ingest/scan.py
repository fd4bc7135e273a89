"""Reading an agent log a few megabytes at a time, and telling its broken lines.

The reader splits each chunk into lines (in C) and looks at each with a substring test for
the markers of the lines that may record a call (a C scan); only the marked lines are
parsed, and only a line that is not ``{...}`` (or a chunk with a NUL byte) is asked
:func:`broken`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

CHUNK = 4 * 1024 * 1024


def chunks(handle: IO[bytes], start: int, end: int) -> Iterator[tuple[bytes, int]]:
    """The complete lines between ``start`` and ``end``, a few megabytes at a time: (the
    lines joined by newlines, without the last one; the file offset of the first). A torn
    tail (no newline yet) is not yielded."""
    handle.seek(start)
    position, carry = start, b""
    while position < end:
        chunk = handle.read(min(CHUNK, end - position))
        if not chunk:
            break
        base = position - len(carry)
        position += len(chunk)
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data
            continue
        carry = data[cut + 1 :]
        yield data[:cut], base


def broken(line: bytes) -> str | None:
    """Why a line that names no usage is still broken (binary, not a JSON object)."""
    if b"\x00" in line:
        return "binary"
    text = line.strip()
    if text and not (text.startswith(b"{") and text.endswith(b"}")):
        return "not JSON"
    return None
