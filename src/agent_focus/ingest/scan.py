"""Finding the lines of an agent log that matter, with C-speed scans of whole chunks: the
other lines are never looked at one by one."""

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


def marked(data: bytes, markers: tuple[bytes, ...]) -> Iterator[tuple[int, int]]:
    """(start, end) of every line of ``data`` that holds one of ``markers``, in order: the
    scans run in C, so the lines that record no call are never looked at one by one."""
    find, rfind, size = data.find, data.rfind, len(data)
    upcoming = [find(marker) for marker in markers]
    while True:
        at = min((p for p in upcoming if p >= 0), default=-1)
        if at < 0:
            return
        end = find(b"\n", at)
        end = size if end < 0 else end
        yield rfind(b"\n", 0, at) + 1, end
        upcoming = [
            p if p < 0 or p > end else find(marker, end + 1)
            for p, marker in zip(upcoming, markers, strict=True)
        ]


def all_objects(data: bytes) -> bool:
    """Whether every line of ``data`` looks like a JSON object (so none is :func:`broken`):
    every newline sits between a ``}`` and a ``{``, counted in C; only a chunk where this
    fails is looked at line by line."""
    return (
        data.startswith(b"{")
        and data.endswith(b"}")
        and data.count(b"}\n{") == data.count(b"\n")
        and b"\x00" not in data
    )


def broken(line: bytes) -> str | None:
    """Why a line that names no usage is still broken (binary, not a JSON object)."""
    if b"\x00" in line:
        return "binary"
    text = line.strip()
    if text and not (text.startswith(b"{") and text.endswith(b"}")):
        return "not JSON"
    return None
