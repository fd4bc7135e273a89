"""Hypothesis guards the two promises: reading is lossless, and complete changes one line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_focus.errors import FocusError
from agent_focus.focusfile import complete_task, edit_document, read_document
from agent_focus.focusfile.parse import parse_source
from agent_focus.focusfile.source import Source, split_lines

PATH = Path("AGENT_FOCUS.md")
endings = st.sampled_from(["\n", "\r\n", "\r"])
# Titles avoid line breaks and leading/trailing blanks; anything else, unicode included.
titles = (
    st.text(
        st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="`<>[]\\"
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(lambda t: t and not t.startswith(("#", "-", "*", "+", "=", ">")))
)


@settings(max_examples=300)
@given(st.text())
def test_any_text_reads_and_writes_back_byte_identical(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    try:
        source = Source.from_bytes(data, PATH)
    except FocusError:
        return  # binary or invalid UTF-8: refused, nothing to write back
    assert source.to_bytes() == data
    parse_source(source, PATH)  # never raises on any text
    assert "".join(split_lines(source.body)) == source.body


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_any_bytes_either_round_trip_or_give_a_focus_error(data: bytes) -> None:
    try:
        source = Source.from_bytes(data, PATH)
    except FocusError as error:
        assert error.path == PATH
        return
    assert source.to_bytes() == data


@st.composite
def focus_files(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """A focus file of random tasks, line endings, BOM, noise and a final newline or not."""
    names = draw(st.lists(titles, min_size=1, max_size=12, unique_by=lambda t: t.casefold()))
    eol = draw(endings)
    pieces = ["# Agent focus", "", "## Current Sprint"]
    for name in names:
        marker = draw(st.sampled_from(["-", "*", "+", "1."]))
        box = draw(st.sampled_from([" ", "x"]))
        trailing = draw(st.sampled_from(["", "  ", "\t"]))
        pieces.append(f"{marker} [{box}] {name}{trailing}")
        if draw(st.booleans()):
            pieces.append(" " * (len(marker) + 1) + "- [ ] a nested subtask")
        pieces.append("")
    pieces += ["## Notes & Learnings", draw(titles)]
    text = eol.join(pieces) + (eol if draw(st.booleans()) else "")
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + text).encode("utf-8"), names


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(focus_files(), st.data())
def test_complete_changes_exactly_one_line(
    tmp_path: Path, drawn: tuple[bytes, list[str]], data: st.DataObject
) -> None:
    original, names = drawn
    target = tmp_path / "AGENT_FOCUS.md"
    target.write_bytes(original)
    before = read_document(target)
    assert [t.title for t in before.tasks] == names
    task = data.draw(st.sampled_from(before.tasks))

    done = edit_document(target, complete_task(task.title, date(2026, 1, 2)))

    after = target.read_bytes()
    if task.done:
        assert done.already_done and after == original
        return
    old_lines = before.source.lines
    new_lines = Source.from_bytes(after, target).lines
    assert len(new_lines) == len(old_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert changed == [task.line]
    assert after.startswith(b"\xef\xbb\xbf") == original.startswith(b"\xef\xbb\xbf")
    reread = read_document(target)
    assert [t.title for t in reread.tasks] == names
    assert reread.tasks[before.tasks.index(task)].done
