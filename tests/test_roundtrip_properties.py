"""Hypothesis guards the promises: reading is lossless, complete changes one line, and a plan
merge only adds lines; every other byte (hard breaks, `[X]`, each line's ending) stays."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_focus.errors import FocusError
from agent_focus.focusfile import complete_task, edit_document, read_document
from agent_focus.focusfile.parse import parse_source
from agent_focus.focusfile.source import Source, line_ending, split_lines
from agent_focus.planner.merge import merge_plan
from agent_focus.planner.schema import PlannedTask, printable
from tests.conftest import examples

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


@settings(**examples(300))
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


@settings(**examples(200))
@given(st.binary(max_size=300))
def test_any_bytes_either_round_trip_or_give_a_focus_error(data: bytes) -> None:
    try:
        source = Source.from_bytes(data, PATH)
    except FocusError as error:
        assert error.path == PATH
        return
    assert source.to_bytes() == data


# Line endings: one for the whole file, or a different one drawn for every line.
ENDINGS = ("\n", "\r\n", "\r")
# What may follow a task's text: nothing, a markdown hard break, tabs, odd blanks.
TRAILING = ("", "  ", "   ", "\t", " \t", " ")
HARD_BREAK = "  "


@st.composite
def focus_files(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    r"""A focus file of random tasks (`[ ]`, `[x]`, `[X]`), line endings (uniform or mixed
    ``\n``/``\r\n``/``\r``), hard breaks and trailing blanks on the lines around every task
    (continuation lines, paragraphs, headings), BOM, noise, a final newline or not."""
    names = draw(st.lists(titles, min_size=1, max_size=12, unique_by=lambda t: t.casefold()))
    mixed = draw(st.booleans())
    uniform = draw(st.sampled_from(ENDINGS))
    lines: list[str] = ["# Agent focus" + draw(st.sampled_from(TRAILING)), ""]
    if draw(st.booleans()):  # a paragraph with a hard break just above the sprint
        lines += ["Today's plan" + HARD_BREAK, "comes next" + draw(st.sampled_from(TRAILING)), ""]
    lines.append("## Current Sprint" + draw(st.sampled_from(TRAILING)))
    for name in names:
        marker = draw(st.sampled_from(["-", "*", "+", "1."]))
        box = draw(st.sampled_from([" ", "x", "X"]))
        lines.append(f"{marker} [{box}] {name}{draw(st.sampled_from(TRAILING))}")
        if draw(st.booleans()):  # the task's paragraph goes on after a hard break
            lines.append(" " * (len(marker) + 1) + "continued" + draw(st.sampled_from(TRAILING)))
        if draw(st.booleans()):
            lines.append(" " * (len(marker) + 1) + "- [ ] a nested subtask" + HARD_BREAK)
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "  ", "\t"])))  # a blank line, maybe not empty
    if draw(st.booleans()):  # the sprint may be the last section, its last task the last line
        lines += ["", "## Notes & Learnings" + HARD_BREAK, draw(titles) + HARD_BREAK, "more"]
    final = draw(st.booleans())
    text = ""
    previous = ""
    for index, line in enumerate(lines):
        if index == len(lines) - 1 and not final:
            text += line
            break
        ending = draw(st.sampled_from(ENDINGS)) if mixed else uniform
        if previous == "\r" and not line and ending == "\n":
            ending = "\r"  # "\r" then an empty "\n" line would read as one "\r\n"
        text += line + ending
        previous = ending
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + text).encode("utf-8"), names


def changed_lines(old: tuple[str, ...], new: tuple[str, ...]) -> list[int]:
    assert len(new) == len(old)
    return [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]


@settings(**examples(200), suppress_health_check=[HealthCheck.function_scoped_fixture])
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
    assert changed_lines(old_lines, new_lines) == [task.line]
    old, new = old_lines[task.line], new_lines[task.line]
    # Only the box and the date change: the line keeps its ending and its trailing blanks
    # (a hard break stays a hard break).
    ending = line_ending(old)
    content = old[: len(old) - len(ending)]
    body = content.rstrip(" \t")
    trailing = content[len(body) :]
    assert new == body.replace("[ ]", "[x]", 1) + " ✅ 2026-01-02" + trailing + ending
    assert after.startswith(b"\xef\xbb\xbf") == original.startswith(b"\xef\xbb\xbf")
    reread = read_document(target)
    assert [t.title for t in reread.tasks] == names
    assert reread.tasks[before.tasks.index(task)].done
    assert [t.done for t in reread.tasks] == [
        t.done or t is task for t in before.tasks
    ]  # `[X]` and `[x]` stay done, nothing else moves


def planned_task(title: str) -> PlannedTask:
    return PlannedTask(
        title=title,
        reason="r",
        serves_kind="priority",
        serves="s",
        priority="high",
        estimate_hours=1,
    )


# Titles the plan schema keeps as they are: a model's control or private-use characters are
# stripped before validation (tests/test_rogue_models.py), which could shorten one below 3.
plan_titles = titles.filter(
    lambda t: len(t) >= 3 and printable(t) == t and not t.startswith(("|", "<!--", "["))
)


@settings(**examples(200), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(focus_files(), st.lists(plan_titles, min_size=1, max_size=4))
def test_plan_merge_only_adds_lines_after_the_last_task(
    tmp_path: Path, drawn: tuple[bytes, list[str]], planned_titles: list[str]
) -> None:
    original, names = drawn
    target = tmp_path / "AGENT_FOCUS.md"
    target.write_bytes(original)
    before = read_document(target)
    planned = [planned_task(title) for title in planned_titles]

    result = edit_document(target, merge_plan(planned, sprint_size=100, max_new=10))

    after = target.read_bytes()
    if not result.added:
        assert after == original  # nothing new: not even rewritten
        return
    assert after.startswith(b"\xef\xbb\xbf") == original.startswith(b"\xef\xbb\xbf")
    old = before.source.lines
    new = Source.from_bytes(after, target).lines
    assert result.line is not None
    at, count = result.line - 1, len(result.added)
    assert len(new) == len(old) + count
    newline = before.source.newline
    if at == len(old) and not line_ending(old[-1]):
        # The last line had no ending: it gains the file's, and the new last line has none.
        assert new[: at - 1] == old[: at - 1] and new[at - 1] == old[at - 1] + newline
        assert all(line.endswith(newline) for line in new[at:-1])
        assert not line_ending(new[-1])
    else:
        assert new[:at] == old[:at]
        assert all(line_ending(line) == newline for line in new[at : at + count - 1])
        last_ending = line_ending(new[at + count - 1])
        if newline == "\r" and at < len(old) and old[at].startswith("\n"):
            assert last_ending == "\r\n"  # a lone \r would swallow the empty LF line after it
        else:
            assert last_ending == newline
    assert new[at + count :] == old[at:]
    assert at > before.tasks[-1].line  # after the last task, never between two
    reread = read_document(target)
    assert [t.title for t in reread.tasks] == names + [t.title for t in result.added]
    assert [t.done for t in reread.tasks] == [t.done for t in before.tasks] + [False] * count
