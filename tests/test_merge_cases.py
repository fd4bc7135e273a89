"""Merging a plan into `.md` fixtures with hard breaks, `[X]` and mixed line endings.

``case.md`` is the input and ``case.merged.md`` the exact bytes after merging the two tasks
of :data:`PLANNED`: every line of the input is kept byte for byte (trailing spaces, `[X]`,
its own ending), and the added lines take the file's dominant ending.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_focus.focusfile import edit_document, read_document
from agent_focus.focusfile.source import Source, line_ending
from agent_focus.planner.merge import merge_plan
from agent_focus.planner.schema import PlannedTask
from tests.conftest import FIXTURES

MERGE_FIXTURES = FIXTURES / "merges"
CASES = sorted(p for p in MERGE_FIXTURES.glob("*.md") if not p.name.endswith(".merged.md"))


def planned(title: str, priority: str = "medium") -> PlannedTask:
    return PlannedTask(
        title=title,
        reason="a fixture",
        serves_kind="priority",
        serves="the fixture",
        priority=priority,  # type: ignore[arg-type]
        estimate_hours=1,
    )


PLANNED = [planned("Write the runbook", "high"), planned("Add a latency alert")]


def test_there_are_cases() -> None:
    assert len(CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_merge_writes_exactly_the_expected_bytes(case: Path, tmp_path: Path) -> None:
    target = tmp_path / case.name
    target.write_bytes(case.read_bytes())

    result = edit_document(target, merge_plan(PLANNED, sprint_size=10, max_new=5))

    assert [t.title for t in result.added] == ["Write the runbook", "Add a latency alert"]
    after = target.read_bytes()
    assert after == case.with_name(case.stem + ".merged.md").read_bytes()

    # Every original line is still there, in order, byte for byte; only two were added.
    old = Source.from_bytes(case.read_bytes(), case).lines
    new = Source.from_bytes(after, target).lines
    assert result.line is not None
    at = result.line - 1
    assert len(new) == len(old) + 2
    newline = Source.from_bytes(case.read_bytes(), case).newline
    if at == len(old) and not line_ending(old[-1]):
        # No final newline: the old last line gains one, the new last line has none.
        assert new[: at - 1] == old[: at - 1] and new[at - 1] == old[at - 1] + newline
        assert new[at].endswith(newline)
        assert line_ending(new[-1]) == ""
    else:
        assert new[:at] == old[:at]
        assert line_ending(new[at]) == newline
        # A lone \r before an empty LF line would fuse with it: \r\n keeps that line.
        fused = newline == "\r" and old[at].startswith("\n")
        assert line_ending(new[at + 1]) == ("\r\n" if fused else newline)
    assert new[at + 2 :] == old[at:]
    titles = [t.title for t in read_document(target).tasks]
    assert titles[-2:] == ["Write the runbook", "Add a latency alert"]

    # A second merge of the same plan finds only duplicates and does not rewrite the file.
    stamp = target.stat().st_mtime_ns, target.stat().st_ino
    again = edit_document(target, merge_plan(PLANNED, sprint_size=10, max_new=5))
    assert again.added == () and len(again.duplicates) == 2
    assert (target.stat().st_mtime_ns, target.stat().st_ino) == stamp
