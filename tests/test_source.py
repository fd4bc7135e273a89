"""The byte layer: lines split as the parser splits them, errors that name the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_focus.errors import FocusFileError
from agent_focus.focusfile.source import Source, Splice, line_ending, split_lines

PATH = Path("f.md")


def test_lines_keep_their_own_endings() -> None:
    assert split_lines("a\r\nb\rc\nd") == ["a\r\n", "b\r", "c\n", "d"]
    assert [line_ending(x) for x in ("a\r\n", "b\r", "c\n", "d")] == ["\r\n", "\r", "\n", ""]
    assert split_lines("") == []


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"a\nb\n\xff", 3),
        (b"a\rb\r\xff", 3),  # classic Mac endings count as line breaks, as the parser counts them
        (b"a\r\nb\r\n\xff", 3),
        (b"\xef\xbb\xbfa\n\xc3", 2),  # truncated multi-byte character after a BOM
    ],
)
def test_invalid_utf8_names_the_line(data: bytes, line: int) -> None:
    with pytest.raises(FocusFileError) as caught:
        Source.from_bytes(data, PATH)
    assert caught.value.line == line


def test_the_dominant_ending_is_used_for_new_lines() -> None:
    assert Source.from_text("a\r\nb\r\nc\n").newline == "\r\n"
    assert Source.from_text("no ending").newline == "\n"


def test_a_splice_replaces_only_its_lines_and_keeps_the_bom() -> None:
    source = Source.from_text("\ufeffa\nb\r\nc")
    changed = source.apply([Splice(1, 2, ("B\r\n",))])
    assert changed.text == "\ufeffa\nB\r\nc"
    inserted = source.apply([Splice(3, 3, ("\n", "d"))])
    assert inserted.lines == ("a\n", "b\r\n", "c", "\n", "d")


@pytest.mark.parametrize(
    "splices", [[Splice(0, 2, ()), Splice(1, 2, ())], [Splice(2, 9, ())], [Splice(2, 1, ())]]
)
def test_overlapping_or_out_of_range_splices_are_refused(splices: list[Splice]) -> None:
    with pytest.raises(ValueError):
        Source.from_text("a\nb\nc\n").apply(splices)
