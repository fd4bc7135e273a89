"""Every trap of the focus-file format as a `.md` fixture with expectations beside it.

``case.md`` is the input, ``case.json`` what parsing must find and which task to complete,
``case.completed.md`` the exact bytes after completing it on 2026-01-02.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from agent_focus.errors import TaskNotFoundError
from agent_focus.focusfile import complete_task, edit_document, read_document
from agent_focus.focusfile.source import Source
from agent_focus.readers.agent import identify_agent
from tests.conftest import FOCUS_FIXTURES

CASES = sorted(p for p in FOCUS_FIXTURES.glob("*.md") if not p.name.endswith(".completed.md"))
DAY = date(2026, 1, 2)


def expectations(case: Path) -> dict[str, Any]:
    return json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_parse_finds_exactly_the_tasks_and_portfolio(case: Path) -> None:
    expect = expectations(case)
    document = read_document(case)
    if "tasks" in expect:
        assert [[t.title, t.done] for t in document.tasks] == expect["tasks"]
    else:
        assert len(document.tasks) == expect["task_count"]
        assert sum(t.done for t in document.tasks) == expect["done_count"]
    assert [[p.name, p.path] for p in document.portfolio] == expect["portfolio"]
    if "title" in expect:
        assert document.title == expect["title"]
    if "sections" in expect:
        kinds = [s.kind.value for s in document.sections if s.kind]
        assert kinds == expect["sections"]
    if "agent" in expect:
        agent = identify_agent(document, case.parent)
        assert [agent.id, agent.role] == expect["agent"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_reading_is_lossless(case: Path) -> None:
    data = case.read_bytes()
    assert Source.from_bytes(data, case).to_bytes() == data


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_complete_changes_exactly_the_expected_line(case: Path, tmp_path: Path) -> None:
    expect = expectations(case)
    target = tmp_path / case.name
    target.write_bytes(case.read_bytes())

    done = edit_document(target, complete_task(expect["complete"], DAY))

    assert not done.already_done
    assert done.task.line + 1 == expect["completed_line"]
    after = target.read_bytes()
    assert after == case.with_name(case.stem + ".completed.md").read_bytes()
    before_lines = Source.from_bytes(case.read_bytes(), case).lines
    after_lines = Source.from_bytes(after, target).lines
    assert len(before_lines) == len(after_lines)
    changed = [i for i, (a, b) in enumerate(zip(before_lines, after_lines, strict=True)) if a != b]
    assert changed == [expect["completed_line"] - 1]

    # A second run is a no-op that does not even rewrite the file.
    stamp = target.stat().st_mtime_ns, target.stat().st_ino
    again = edit_document(target, complete_task(expect["complete"], DAY))
    assert again.already_done
    assert (target.stat().st_mtime_ns, target.stat().st_ino) == stamp


@pytest.mark.parametrize(
    "case", [c for c in CASES if "ambiguous" in expectations(c)], ids=lambda p: p.stem
)
def test_ambiguous_queries_list_candidates_and_leave_the_file(case: Path, tmp_path: Path) -> None:
    target = tmp_path / case.name
    target.write_bytes(case.read_bytes())
    for query in expectations(case)["ambiguous"]:
        with pytest.raises(TaskNotFoundError) as caught:
            edit_document(target, complete_task(query, DAY))
        assert len(caught.value.candidates) >= 2
        assert target.read_bytes() == case.read_bytes()
