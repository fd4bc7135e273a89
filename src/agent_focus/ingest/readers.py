"""Reading what is new in one agent log (:func:`read_log`; :mod:`agent_focus.ingest.pool`
reads every log, by forked reader processes when much is new).

A log is read a few megabytes at a time (:func:`chunks`). A chunk is searched whole for
the markers of the lines that may record a call (a SIMD scan, :mod:`.search`), and its
lines found by their ends (``memchr``), not split; only the marked lines are sliced out and
parsed, and only a line that is not ``{...}`` is asked why it is :func:`broken`. A chunk with a NUL byte
anywhere is read line by line as a whole, every line asked (:func:`_lines`): the same
answers, the rare way.

A log's copies of one call written one after the other (one per content block of the
message) are resolved in the reader: of consecutive calls with the same exact and replay
keys only the best goes on, and only it is priced (:class:`~agent_focus.ingest.copies.LogCalls`).
"""

from __future__ import annotations

import collections
import errno
import os
import stat
from collections.abc import Callable, Iterator

from agent_focus.ingest.claude import MARKER, Pricer, claude_call, parse_claude_line
from agent_focus.ingest.codex import MARKERS, CodexState, codex_call, parse_codex_line
from agent_focus.ingest.copies import Copy, LogCalls
from agent_focus.ingest.locate import LogFile
from agent_focus.ingest.records import Call
from agent_focus.ingest.report import IngestReport
from agent_focus.ingest.search import Markers, find
from agent_focus.ingest.store import HEAD_BYTES, FileMark, head_digest

Found = tuple[FileMark, list[Call], bool, int] | None  # mark, calls, reset?, calls read
Todo = list[tuple[LogFile, FileMark | None, int]]  # a log, its mark, the bytes to read
SESSION, CONTEXT, TOKENS = MARKERS
Search = Callable[[bytes, int, int], int]  # the next marker in data[start:end], else -1
LineCall = Callable[[bytes, str, CodexState, int, Pricer, bool], "Call | Copy | str | None"]
CHUNK = 4 * 1024 * 1024


def _claude_marker(data: bytes, start: int, end: int) -> int:
    return find(data, MARKER, start, end)


def chunks(fd: int, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """The complete lines of file ``fd`` between ``start`` and ``end``, a few megabytes at a
    time: (a buffer, the length of its lines joined by newlines without the last one, the
    file offset of the first). The buffer's bytes after them are not lines yet (not copied
    out: the lines are ``buffer[:length]``). A torn tail (no newline yet) is not yielded."""
    position, carry = start, b""
    while position < end:
        chunk = os.pread(fd, min(CHUNK, end - position), position)
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
        yield data, cut, base


def broken(line: bytes) -> str | None:
    """Why a line that names no usage is still broken (binary, not a JSON object)."""
    if b"\x00" in line:
        return "binary"
    text = line.strip()
    if text and not (text.startswith(b"{") and text.endswith(b"}")):
        return "not JSON"
    return None


def read_log(log: LogFile, mark: FileMark | None, report: IngestReport, price: Pricer) -> Found:
    """What is new in one log: its mark, its calls (their cost their own, else priced by
    ``price``; consecutive copies resolved), whether it was reset, how many calls it read."""
    path = log.path
    try:  # the file itself, no Python file object: a log is read in a few system calls
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        report.warnings.append(f"{path}: skipped: {exc.strerror or exc}")
        return None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):  # as open() refuses it
            report.warnings.append(f"{path}: skipped: {os.strerror(errno.EISDIR)}")
            return None
        same = mark is not None and (mark.device, mark.inode) == (info.st_dev, info.st_ino)
        if same and mark is not None and info.st_size == mark.size:
            return None  # nothing new
        start, reset = 0, mark is not None
        appended = same and mark is not None and info.st_size >= mark.offset
        if appended and head_digest(os.pread(fd, min(HEAD_BYTES, mark.offset), 0)) == mark.head:  # type: ignore[union-attr]
            start, reset = mark.offset, False  # type: ignore[union-attr]
        # The head's bytes, when this read has them anyway: its first chunk read from 0, or
        # (an append) the head just checked, when it was whole. Else read again at the end.
        head: str | None = mark.head if start >= HEAD_BYTES and mark is not None else None
        first: bytes | None = None
        state = CodexState.from_json(mark.state if mark and not reset and start else {})
        records = LogCalls(path, price)
        read = 0
        offset = start
        skipped = report.skipped
        claude = log.source == "claude"
        search, call = (_claude_marker, claude_call) if claude else (Markers(MARKERS), codex_call)
        for data, size, base in chunks(fd, start, info.st_size):
            offset = base + size + 1
            if first is None and base == 0:
                first = data[:HEAD_BYTES]
            if data.find(b"\x00", 0, size) >= 0:  # a binary line: every line asked what it is
                read += _lines(data[:size], base, path, state, price, records, skipped, claude)
            else:
                read += _marked_lines(
                    data, size, base, search, call, path, state, price, records, skipped
                )
        if head is None:
            length = min(HEAD_BYTES, offset)
            if first is None or len(first) < length:
                first = os.pread(fd, length, 0)
            head = head_digest(first[:length])
    finally:
        os.close(fd)
    report.bytes_read += info.st_size - start
    new_mark = FileMark(
        path, log.source, info.st_dev, info.st_ino, info.st_size, offset, head,
        state.to_json() if log.source == "codex" else {},
    )  # fmt: skip
    return new_mark, records.done(), reset, read


def _lines(
    data: bytes, base: int, path: str, state: CodexState, price: Pricer, records: LogCalls,
    skipped: collections.Counter[str], claude: bool,
) -> int:  # fmt: skip
    """The calls of a chunk that holds a NUL byte, line by line: each marked line parsed,
    every other one asked whether it is :func:`broken`. Returns how many calls it read."""
    read = 0
    at = base  # of the line in the file
    for line in data.split(b"\n"):
        if MARKER in line if claude else SESSION in line or CONTEXT in line or TOKENS in line:
            parsed = (
                parse_claude_line(line, path, at, price)
                if claude
                else parse_codex_line(line, path, state, at, price)
            )
            if type(parsed) is tuple:
                read += 1
                records.add(parsed)
            elif parsed is not None:
                skipped[parsed] += 1  # type: ignore[index]
            elif problem := broken(line):
                skipped[problem] += 1
        elif problem := broken(line):
            skipped[problem] += 1
        at += len(line) + 1
    return read


def _marked_lines(
    data: bytes, size: int, base: int, search: Search, call: LineCall, path: str,
    state: CodexState, price: Pricer, records: LogCalls, skipped: collections.Counter[str],
) -> int:  # fmt: skip
    """:func:`_lines` for the lines ``data[:size]``, without a NUL byte: found by their ends
    (``memchr``), the marked ones by ``search`` over the whole chunk (Claude's marker by
    :func:`~agent_focus.ingest.search.find`, Codex's three by a
    :class:`~agent_focus.ingest.search.Markers`); a line without a marker is only looked
    at when it is not ``{...}``."""
    read = 0
    ascii = data.isascii()  # then every line is (the buffer's tail too: else fits() asks)
    line_end = data.find
    marker = search(data, 0, size)
    if marker < 0:
        marker = size
    start = 0
    while True:
        end = line_end(b"\n", start, size)
        if end < 0:
            end = size
        if marker < end:  # the next marker is in this line
            line = data[start:end]
            parsed = call(line, path, state, base + start, price, ascii)
            if (kind := type(parsed)) is tuple or kind is list:  # a Call or a Copy
                read += 1
                records.add(parsed)  # type: ignore[arg-type]
            elif parsed is not None:
                skipped[parsed] += 1  # type: ignore[index]
            elif problem := broken(line):
                skipped[problem] += 1
            marker = search(data, end, size)
            if marker < 0:
                marker = size
        elif (start == end or data[start] != 123 or data[end - 1] != 125) and (
            problem := broken(data[start:end])
        ):  # not {...}
            skipped[problem] += 1
        if end == size:
            return read
        start = end + 1
