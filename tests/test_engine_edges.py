"""In-process edge cases of the focus-file engine, written to kill the mutants that
`just mutants` found surviving (docs/testing.md). Each test names the behaviour it pins."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agent_focus.errors import FocusFileError, TaskNotFoundError
from agent_focus.focusfile import SectionKind, complete_task, edit_document, read_document
from agent_focus.focusfile.parse import _front_matter_end, normalise_words, section_kind
from agent_focus.focusfile.template import render_focus_file
from agent_focus.planner.merge import merge_plan
from agent_focus.planner.schema import PlannedTask
from agent_focus.readers.strategy import AgentStrategy, PortfolioTarget, read_strategy
from tests.conftest import EXAMPLE_DIR, FIXTURES

DAY = date(2026, 1, 2)

TEMPLATES = FIXTURES / "templates"


def test_a_new_focus_file_from_the_strategy_is_exactly_the_template() -> None:
    agent = read_strategy(EXAMPLE_DIR / "AI_JOB_STRATEGY.md").agents[0]
    text = render_focus_file("A1", agent, lambda p: p == "docs/portfolio/a1-architecture.md")
    assert text == (TEMPLATES / "A1.md").read_text(encoding="utf-8")


def test_an_agent_the_strategy_lacks_gets_the_skeleton() -> None:
    text = render_focus_file("A9", None, lambda p: True)
    assert text == (TEMPLATES / "A9-skeleton.md").read_text(encoding="utf-8")


def test_the_template_skips_agent_and_role_fields_and_takes_the_mission_from_priorities() -> None:
    agent = AgentStrategy(
        id="A4",
        target="",
        line=1,
        fields={"agent": "X", "role": "Y", "services": "a; `b`", "team": "Infra"},
        priorities=["First priority", "Second"],
        portfolio=[PortfolioTarget(name="Talk", path=None), PortfolioTarget("Demo", "d.mp4")],
    )
    seen: list[str] = []
    text = render_focus_file("A4", agent, lambda p: seen.append(p) or True)
    assert seen == ["d.mp4"]  # an item without a path is never looked up
    identity = text.split("## 🎯 Identity & Mission\n", 1)[1].split("\n\n", 1)[0]
    assert identity.splitlines() == [
        "- Agent: A4",
        "- Role: Agent",  # no target: a neutral role, not the `role` field
        "- Team: Infra",
        "- Mission: First priority",
    ]
    assert "\n## 🛠️ Service Ownership\n- a\n- b\n\n" in text
    assert "- [ ] First priority\n- [ ] Second\n\n## 📁" in text
    assert "## 📁 Portfolio Checklist\n- [ ] Talk\n- [x] Demo: `d.mp4`\n\n" in text
    assert text.endswith("## 📝 Notes & Learnings\n")


def test_a_mission_field_wins_over_the_first_priority() -> None:
    agent = AgentStrategy("A5", "Writer", 1, {"mission": "Teach"}, ["Do the thing"])
    text = render_focus_file("A5", agent, lambda p: False)
    assert "- Mission: Teach\n" in text and "- Mission: Do the thing" not in text
    assert text.startswith("# AGENT_FOCUS: A5 · Writer\n\n<!-- ")


def test_the_template_parses_into_the_six_sections(tmp_path: Path) -> None:
    path = tmp_path / "AGENT_FOCUS.md"
    path.write_text((TEMPLATES / "A1.md").read_text(encoding="utf-8"), encoding="utf-8")
    document = read_document(path)
    kinds = [s.kind.value for s in document.sections if s.kind]
    assert kinds == ["identity", "services", "sprint", "portfolio", "metrics", "notes"]
    assert document.tasks[0].title == "Ship an SLO gate that blocks bad deploys"
    assert [p.done for p in document.portfolio] == [True, False, False, False]


# --- complete: what it reports, and its errors ---------------------------------------------

SPRINT = """\
# F
## Identity & Mission
- Agent: A7
## Current Sprint
- [x] Publish the guide ✅ 2025-12-30
- [X] Review the README
- [ ] Write the runbook
- [ ] Write the release notes
"""


def sprint_file(tmp_path: Path, text: str = SPRINT) -> Path:
    path = tmp_path / "AGENT_FOCUS.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_complete_reports_the_task_how_and_the_day(tmp_path: Path) -> None:
    path = sprint_file(tmp_path)
    done = edit_document(path, complete_task("Write the runbook", DAY))
    assert (done.task.title, done.how, done.already_done) == ("Write the runbook", "exact", False)
    assert done.completed_on == DAY  # the agent is the workspace's (readers.agent), not the edit's


def test_complete_on_a_done_task_keeps_its_own_date_or_says_today(tmp_path: Path) -> None:
    path = sprint_file(tmp_path)
    dated = edit_document(path, complete_task("publish the guide", DAY))
    assert (dated.task.title, dated.how, dated.already_done) == ("Publish the guide", "exact", True)
    assert dated.completed_on == date(2025, 12, 30)
    undated = edit_document(path, complete_task("Review the README", DAY))
    assert undated.already_done and undated.completed_on == DAY
    assert path.read_text(encoding="utf-8") == SPRINT


def test_complete_errors_say_what_went_wrong_and_name_the_file(tmp_path: Path) -> None:
    path = sprint_file(tmp_path)
    with pytest.raises(TaskNotFoundError) as ambiguous:
        edit_document(path, complete_task("write the r", DAY))
    assert str(ambiguous.value) == f"{path}: 'write the r' matches 2 tasks; say which"
    assert ambiguous.value.candidates == ["Write the runbook", "Write the release notes"]
    with pytest.raises(TaskNotFoundError) as close:
        edit_document(path, complete_task("Write the runbok notes", DAY))
    assert str(close.value).startswith(f"{path}: no task matches 'Write the runbok notes'; did")
    with pytest.raises(TaskNotFoundError) as none:
        edit_document(path, complete_task("zzzz", DAY))
    assert str(none.value) == f"{path}: no task matches 'zzzz' (4 tasks in the sprint)"
    assert none.value.candidates == []
    assert path.read_text(encoding="utf-8") == SPRINT


def test_a_file_without_a_sprint_is_refused_with_one_line(tmp_path: Path) -> None:
    path = sprint_file(tmp_path, "# F\n## Notes\n- [ ] not a task\n")
    for operation in (complete_task("not a task", DAY), merge_plan([planned("Write it")], 5, 5)):
        with pytest.raises(FocusFileError) as refused:
            edit_document(path, operation)
        assert str(refused.value) == (
            f"{path}: has no sprint section (a '## Current Sprint' heading with a task list)"
        )


# --- merge: capacity, duplicates and where new tasks go ------------------------------------


def planned(title: str, priority: str = "medium") -> PlannedTask:
    return PlannedTask(
        title=title, reason="r", serves_kind="priority", serves="s", priority=priority,  # type: ignore[arg-type]
        estimate_hours=1,
    )  # fmt: skip


def test_merge_counts_only_open_tasks_against_the_sprint_size(tmp_path: Path) -> None:
    path = sprint_file(tmp_path)  # 2 open, 2 done
    result = edit_document(
        path, merge_plan([planned("Add an alert", "high"), planned("Tune the gate")], 3, 5)
    )
    assert [t.title for t in result.added] == ["Add an alert"]
    assert result.over_capacity == ("Tune the gate",) and result.duplicates == ()
    full = edit_document(path, merge_plan([planned("Ship the dashboard")], 3, 5))
    assert full.added == () and full.over_capacity == ("Ship the dashboard",) and full.line is None
    assert full.duplicates == ()


def test_merge_reports_duplicates_and_what_it_added_where(tmp_path: Path) -> None:
    path = sprint_file(tmp_path)
    result = edit_document(
        path,
        merge_plan([planned("write the runbook"), planned("Add an alert"), planned("Big")], 10, 1),
    )
    assert result.duplicates == (("write the runbook", "Write the runbook"),)
    assert [t.title for t in result.added] == ["Add an alert"] and result.over_capacity == ("Big",)
    assert result.line == 9
    assert path.read_text(encoding="utf-8") == SPRINT + "- [ ] Add an alert\n"


@pytest.mark.parametrize(
    ("sprint", "merged"),
    [
        # blank lines inside the last item's range are skipped back over, not written after
        ("- [ ] One\n\n\n## Notes\n", "- [ ] One\n- [ ] New task\n\n\n## Notes\n"),
        ("1. [ ] One\n   more\n\n## Notes\n", "1. [ ] One\n   more\n2. [ ] New task\n\n## Notes\n"),
        # an empty sprint: after its last non-blank line, or right under the heading
        ("intro\n\n\n## Notes\n", "intro\n- [ ] New task\n\n\n## Notes\n"),
        ("\n\n## Notes\n", "- [ ] New task\n\n\n## Notes\n"),
        ("## Notes\n", "- [ ] New task\n## Notes\n"),
    ],
    ids=["blank-after-last", "continuation", "empty-with-text", "empty-blank", "empty-none"],
)
def test_merge_puts_new_tasks_right_after_the_last_task(
    tmp_path: Path, sprint: str, merged: str
) -> None:
    head = "# F\n## Current Sprint\n"
    path = sprint_file(tmp_path, head + sprint)
    edit_document(path, merge_plan([planned("New task")], 10, 5))
    assert path.read_text(encoding="utf-8") == head + merged


# --- sections, front matter, headings ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("---\ntitle: x\n## Current Sprint\n- [ ] hidden\n---\n## Sprint\n- [ ] seen\n", ["seen"]),
        ("---\r\na: 1\r\n...\r\n## Sprint\r\n- [ ] seen\r\n", ["seen"]),
        # no closing line: not front matter, the lines are markdown
        ("---\n## Sprint\n- [ ] seen\n", ["seen"]),
        # front matter only at the very top
        ("# T\n---\n## Sprint\n- [ ] seen\n---\n", ["seen"]),
        ("--- \n## Sprint\n- [ ] seen\n---\n", ["seen"]),
    ],
    ids=["yaml", "crlf-dots", "unclosed", "not-at-top", "dashes-and-space"],
)
def test_front_matter_is_not_parsed_as_markdown(
    tmp_path: Path, text: str, titles: list[str]
) -> None:
    document = read_document(sprint_file(tmp_path, text))
    assert [t.title for t in document.tasks] == titles
    assert [t.line for t in document.tasks] == [text.splitlines().index(f"- [ ] {titles[0]}")]


def test_front_matter_keeps_line_numbers(tmp_path: Path) -> None:
    text = "---\na: 1\n---\n# Title\n## 🏃 Sprint\n- [ ] One\n"
    document = read_document(sprint_file(tmp_path, text))
    assert document.title == "Title" and document.tasks[0].line == 5
    assert _front_matter_end(tuple(text.splitlines(keepends=True))) == 3
    assert _front_matter_end(("---\n", "...\n")) == 2
    assert _front_matter_end(("---\n", "a\n")) == 0
    assert _front_matter_end(()) == 0


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("🎯 IDENTITY & Mission", SectionKind.IDENTITY),
        ("Our mission:", SectionKind.IDENTITY),
        ("🛠️ Service-Ownership", SectionKind.SERVICES),
        ("Ｓｐｒｉｎｔ (current)", SectionKind.SPRINT),  # fullwidth letters, NFKC
        ("📁 Portfolio", SectionKind.PORTFOLIO),
        ("Progress-Metrics", SectionKind.METRICS),
        ("Sprint notes", SectionKind.NOTES),  # the human's Notes win a tie
        ("Learnings", SectionKind.NOTES),
        ("Misc", None),
        ("Misprints", None),  # a keyword must start a word
    ],
)
def test_sections_are_recognised_by_keyword(heading: str, kind: SectionKind | None) -> None:
    assert section_kind(heading) is kind


def test_normalise_words_drops_punctuation_symbols_and_case() -> None:
    assert normalise_words("🎯 Identity&Mission: v2!") == ["identity", "mission", "v2"]
    assert normalise_words("Ｆｕｌｌ—width") == ["full", "width"]
    assert normalise_words("") == []


def test_only_level_two_headings_outside_code_make_sections(tmp_path: Path) -> None:
    text = (
        "# Title\n## Sprint\n- [ ] a\n### Sub\n- [ ] b\n```\n## Notes\n```\n"
        "## Metrics\nx\n# Other\n## Portfolio\n"
    )
    document = read_document(sprint_file(tmp_path, text))
    assert [(s.kind, s.heading_start, s.body_start, s.end) for s in document.sections] == [
        (SectionKind.SPRINT, 1, 2, 8),
        (SectionKind.METRICS, 8, 9, 10),
        (SectionKind.PORTFOLIO, 11, 12, 12),
    ]
    assert [t.title for t in document.tasks] == ["a", "b"]
    assert document.section(SectionKind.NOTES) is None
    assert document.section(SectionKind.SPRINT) is document.sections[0]
