"""What the readers make of odd lines, read from real files: the same whichever way a chunk
is read (searched for its markers when it holds no NUL byte, else line by line), with each
call at its line's offset and each broken line counted once, for its reason."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from agent_focus.ingest.dedupe import pricer_for
from agent_focus.ingest.locate import LogFile
from agent_focus.ingest.readers import read_log
from agent_focus.ingest.records import OFFSET, Call
from agent_focus.ingest.report import IngestReport

STAMP = "2026-11-20T10:00:0{}.000Z"


def claude_line(n: int, **extra: object) -> bytes:
    entry = {
        "type": "assistant", "sessionId": "s1", "cwd": "/w", "timestamp": STAMP.format(n),
        "requestId": f"req_{n}", "version": "2.0.55",
        "message": {"id": f"msg_{n}", "model": "claude-sonnet-4-5-20250929", "content": [],
                    "usage": {"input_tokens": 10, "output_tokens": 5}},
    }  # fmt: skip
    entry.update(extra)
    return json.dumps(entry, separators=(",", ":")).encode()


def codex_line(kind: str, payload: dict[str, object], n: int = 0) -> bytes:
    entry = {"timestamp": STAMP.format(n), "type": kind, "payload": payload}
    return json.dumps(entry, separators=(",", ":")).encode()


def token_count(n: int) -> bytes:
    usage = {"input_tokens": 100 * n, "cached_input_tokens": 10, "output_tokens": 7 * n}
    info = {"total_token_usage": usage, "last_token_usage": usage}
    return codex_line("event_msg", {"type": "token_count", "info": info}, n)


CLAUDE = [
    b"",  # the file starts with an empty line
    claude_line(1),
    b"not json",
    b"{",
    b"",
    b"   ",
    claude_line(2) + b"  ",  # trailing spaces: still a call
    claude_line(3) + b"\r",  # a CRLF line end: still a call
    claude_line(4).replace(b'"usage":{', b'"usage": {'),  # no marker: a line like any other
    b'{"x":1,"usage":{"input_tokens":1}} and more',  # marked, not JSON
    claude_line(5, extra={"input": {"requestId": None}}),  # a refused null, anywhere
    b'}{"usage":{}',
    claude_line(6).replace(b'"output_tokens":5', b'"output_tokens":5.0'),  # not a whole count
    claude_line(7, cwd="/w/caf\u00e9"),  # not ASCII: the chunk's lines checked one by one
    claude_line(8)[:-1] + b',"junk":"\xff"}',  # not UTF-8: not JSON
    b"{}",
    b"",  # an empty last line
]
CODEX = [
    codex_line("session_meta", {"id": "sess", "cwd": "/w"}),
    codex_line("turn_context", {"model": "gpt-5-codex"}),
    b"",
    token_count(1),
    b"not json",
    b"{",
    token_count(2) + b"\r",
    codex_line("event_msg", {"type": "token_count", "info": None}),  # no usage: no call
    token_count(3) + b' "turn_context"',  # marked, not JSON
    b'{"note":"token_count and session_meta, \xc3\xa9"}',  # marked twice, no call
    codex_line("event_msg", {"type": "token_count", "info": {}}, 4).replace(b'"timestamp"', b'"t"'),
    token_count(5),
    token_count(6)[:-1] + b',"junk":"\xff"}',  # not UTF-8 where ccusage does not read: a call
    b"  {}  ",
]


def read(folder: Path, source: str, lines: list[bytes]) -> tuple[list[Call], Counter[str]]:
    path = folder / f"{source}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = IngestReport()
    found = read_log(LogFile(str(path), source), None, report, pricer_for({}))
    assert found is not None
    mark, calls, _reset, read_calls = found
    assert mark.offset == path.stat().st_size and read_calls == len(calls)
    return [(*call[:-2], call[OFFSET]) for call in calls], report.skipped  # not the path


@pytest.mark.parametrize(
    ("source", "lines", "calls", "skipped"),
    [
        (
            "claude",
            CLAUDE,
            4,
            {"not JSON": 5, "null field": 1, "usage without whole token counts or a timestamp": 1},
        ),
        ("codex", CODEX, 4, {"not JSON": 3, "token_count without a timestamp": 1}),
    ],
)
def test_odd_lines_read_alike_with_or_without_a_nul_byte(
    tmp_path: Path, source: str, lines: list[bytes], calls: int, skipped: dict[str, int]
) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "binary").mkdir()
    plain_calls, plain_skipped = read(tmp_path / "plain", source, lines)
    assert len(plain_calls) == calls and plain_skipped == skipped
    offsets = [sum(len(line) + 1 for line in lines[:i]) for i in range(len(lines))]
    assert {call[-1] for call in plain_calls} <= set(offsets)
    # A NUL byte in the last line: its chunk is read line by line, every line asked.
    binary_calls, binary_skipped = read(tmp_path / "binary", source, [*lines, b'{"\x00"}'])
    assert binary_calls == plain_calls
    assert binary_skipped == Counter(skipped) + Counter(binary=1)


PROGRESS = (
    b'{"type":"progress","sessionId":"s1","cwd":"/w","version":"2.0.55","isSidechain":false,'
    b'"timestamp":"2026-11-20T10:00:09.000Z","data":{"message":{"type":"assistant",'
    b'"requestId":"req_9","timestamp":"2026-11-20T10:00:08.000Z","message":{"id":"msg_9",'
    b'"model":"claude-haiku-4-5-20251001","content":[],"usage":{"input_tokens":3,'
    b'"output_tokens":4}}},"type":"agent_progress"}}'
)
INNER = b'"data":{"message":{'


@pytest.mark.parametrize(
    "line",
    [
        PROGRESS,
        *(
            PROGRESS.replace(INNER, INNER + field)
            for field in (
                b'"sessionId":"s2",',
                b'"cwd":"/w/sub",',
                b'"isSidechain":true,',
                b'"isSidechain":null,',
                b'"costUSD":0.25,',
                b'"costUSD":"1",',
                b'"version":"x",',
                b'"timestamp":null,',
                b'"sessionId":5,',
            )
        ),
        PROGRESS.replace(b'"requestId":"req_9"', b'"requestId":""'),
        PROGRESS.replace(b'"timestamp":"2026-11-20T10:00:08.000Z",', b""),  # the record's time
        PROGRESS.replace(b'"timestamp":"2026-11-20T10:00:09.000Z",', b""),  # the call's time
        PROGRESS.replace(b'"timestamp":"', b'"time":"'),  # none
        PROGRESS.replace(b'{"type":"progress",', b'{"message":null,"type":"progress",'),
        PROGRESS.replace(b'"input_tokens":3', b'"input_tokens":-3'),
    ],
)
def test_agent_progress_lines_read_as_the_general_way_reads_them(line: bytes) -> None:
    """An agent_progress line of the usual shape is decoded into Structs (its call's fields
    over the record's); the answer is the general way's (the whole line as json reads it).
    (No refused field is null here: such a line is refused before either way.)"""
    from agent_focus.ingest.claude import _parse, parse_claude_line

    price = pricer_for({})
    assert parse_claude_line(line, "p", 7, price) == _parse(line, "p", 7, price)


USER = (
    b'{"type":"user","sessionId":"s1","cwd":"/w","version":"2.0.55","requestId":"req_10",'
    b'"timestamp":"2026-11-20T10:00:10.000Z","message":{"role":"user","content":[{"type":'
    b'"tool_result","content":"done","usage":{"input_tokens":1,"output_tokens":2}}]}}'
)


@pytest.mark.parametrize(
    ("line", "usual"),
    [
        (USER, True),  # a Task's result: the usage is in its text, not the message's
        (USER.replace(b'"role":"user",', b'"usage":null,'), True),
        (USER.replace(b'"role":"user",', b'"usage":[1],'), False),  # the general way decides
        (PROGRESS.replace(b'"content":[],"usage":', b'"content":[],"result":'), True),
    ],
)
def test_a_message_without_usage_records_no_call(
    line: bytes, usual: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line whose message has no usage of its own records no call, and is not broken: the
    general way's answer, which the usual shapes give at once (a tool result holding a usage
    in its text is decoded once, not twice by msgspec and a third time whole)."""
    from agent_focus.ingest import claude

    price = pricer_for({})
    assert claude.parse_claude_line(line, "p", 7, price) is None
    assert claude._parse(line, "p", 7, price) is None
    monkeypatch.setattr(claude, "_parse", lambda *_: "the general way")
    assert claude.claude_call(line, "p", None, 7, price, True) == (
        None if usual else "the general way"
    )


def test_a_logs_head_is_the_digest_of_its_first_bytes_however_it_was_read(
    tmp_path: Path,
) -> None:
    """The mark's head is the digest of the log's first min(4096, offset) bytes: read whole
    (the head taken from the first chunk), small with a torn tail, and appended to (the head
    kept from the check that found the log only appended). A head rewritten in place is then
    still told from an append."""
    from agent_focus.ingest.store import HEAD_BYTES, head_digest

    price = pricer_for({})

    def read(path: Path, mark: object = None) -> tuple[object, list[Call], bool]:
        found = read_log(LogFile(str(path), "claude"), mark, IngestReport(), price)  # type: ignore[arg-type]
        assert found is not None
        return found[0], found[1], found[2]

    def expected(path: Path, offset: int) -> str:
        return head_digest(path.read_bytes()[: min(HEAD_BYTES, offset)])

    def _line(n: int) -> bytes:  # a call a second, past STAMP's nine
        return claude_line(n, timestamp=f"2026-11-20T10:00:{n:02d}.000Z") + b"\n"

    small = tmp_path / "small.jsonl"
    small.write_bytes(_line(1) + _line(2) + _line(3)[:50])  # a torn last line
    mark, calls, _reset = read(small)
    assert len(calls) == 2 and mark.offset == len(_line(1) + _line(2))  # type: ignore[attr-defined]
    assert mark.head == expected(small, mark.offset)  # type: ignore[attr-defined]
    for n in (3, 4):  # appended while under 4096 bytes: its head grows with it
        small.write_bytes(b"".join(_line(k) for k in range(1, n + 1)))
        mark, calls, reset = read(small, mark)
        assert not reset and len(calls) == 1 and mark.head == expected(small, mark.offset)  # type: ignore[attr-defined]
    assert small.stat().st_size < HEAD_BYTES

    big = tmp_path / "big.jsonl"
    big.write_bytes(b"".join(_line(n) for n in range(40)))
    assert big.stat().st_size > HEAD_BYTES
    mark, calls, _reset = read(big)
    assert len(calls) == 40 and mark.head == expected(big, mark.offset)  # type: ignore[attr-defined]
    with big.open("ab") as handle:
        handle.write(_line(40))
    mark, calls, reset = read(big, mark)
    assert not reset and [c[OFFSET] for c in calls] == [big.stat().st_size - len(_line(40))]
    assert mark.head == expected(big, mark.offset)  # type: ignore[attr-defined]
    with big.open("r+b") as handle:  # the first call rewritten in place, then one more line
        handle.write(_line(0).replace(b"req_0", b"req_Z"))
        handle.seek(0, 2)
        handle.write(_line(41))
    mark, calls, reset = read(big, mark)
    assert reset and len(calls) == 42 and mark.head == expected(big, mark.offset)  # type: ignore[attr-defined]
