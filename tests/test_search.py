"""The SIMD search the readers use (ingest/search.py) gives ``bytes.find``'s answers, and the
null-field check built on it refuses exactly the lines ccusage refuses: ``"<field>":null``
for one of its field names, anywhere in the line, and nothing else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_focus.ingest.claude import NULL, NULL_NAMES, parse_claude_line, refused_null
from agent_focus.ingest.codex import MARKERS
from agent_focus.ingest.dedupe import pricer_for
from agent_focus.ingest.search import Markers, find

# JSON-ish bytes: quotes, colons, braces and the markers' own letters, so that near misses
# (a marker cut short, one inside another) are common
PIECES = [b'"', b":", b"{", b"}", b"null", b"id", b"cwd", b"_", b"x", b"\n", b"\x00", b"\xc3\xa9"]
PIECES += [*MARKERS, b'"usage":{', b'"token', b'_count"', *NULL_NAMES, NULL]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(TEXT, st.sampled_from([*MARKERS, b'"usage":{', NULL, b"\n", b'"']), st.data())
def test_find_gives_what_bytes_find_gives(text: bytes, needle: bytes, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) + 2))
    end = data.draw(st.integers(0, len(text) + 2))
    assert find(text, needle, start, end) == text.find(needle, start, end)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=4), st.data())
def test_markers_gives_the_first_of_any_marker_going_forward(
    buffers: list[bytes], data: st.DataObject
) -> None:
    search = Markers(MARKERS)
    for text in buffers:  # a new buffer starts afresh
        end = data.draw(st.integers(0, len(text)))
        start = 0
        while start <= end:
            places = [p for p in (text.find(m, start, end) for m in MARKERS) if p >= 0]
            assert search(text, start, end) == (min(places) if places else -1)
            start += data.draw(st.integers(1, 8))


def test_markers_start_afresh_from_zero_even_on_the_same_buffer() -> None:
    search = Markers(MARKERS)
    text = MARKERS[0]  # one object, searched first to 0, then to its end
    assert search(text, 0, 0) == -1
    assert search(text, 0, len(text)) == 0


# What the readers used before (a regex with one lookbehind per name): the reference
REFUSED = re.compile(
    re.escape(NULL)
    + b"(?:"
    + b"|".join(b"(?<=" + re.escape(name + NULL) + b")" for name in NULL_NAMES)
    + b")"
)


@settings(max_examples=600, deadline=None)
@given(TEXT)
def test_the_null_check_refuses_what_the_regex_refused(line: bytes) -> None:
    assert refused_null(line) == (REFUSED.search(line) is not None)


LINE = (
    b'{"type":"assistant","sessionId":"s1","cwd":"/w","timestamp":"2026-11-20T10:00:00.000Z",'
    b'"requestId":"req_1","version":"2.0.55","message":{"id":"msg_1","model":"claude-sonnet-4-5",'
    b'"stop_sequence":null,"content":[{"input":{"FIELD":null}}],'
    b'"usage":{"input_tokens":10,"output_tokens":5}}}'
)


@pytest.mark.parametrize("name", [name[1:].decode() for name in NULL_NAMES])
def test_each_refused_field_drops_its_line_even_inside_the_content(name: str) -> None:
    line = LINE.replace(b"FIELD", name.encode())
    assert parse_claude_line(line, "a.jsonl", 0, pricer_for({})) == "null field"


@pytest.mark.parametrize("name", ["stop_sequence", "session_id", "xid", "cwd2", "Model"])
def test_other_nulls_keep_their_line(name: str) -> None:
    line = LINE.replace(b"FIELD", name.encode())
    call = parse_claude_line(line, "a.jsonl", 0, pricer_for({}))
    assert type(call) is tuple and call[7:9] == (10, 5)
