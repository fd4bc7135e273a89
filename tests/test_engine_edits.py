"""In-process tests of the edit operations' corners that `just mutants` found unpinned:
what `update` reports, where a merge inserts and with which marker, a file without a final
newline, portfolio names and paths, containers nested past markdown-it's limit, and the
title comparisons the planner and `evening` use (docs/testing.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest

from agent_focus.focusfile import SectionKind
from agent_focus.focusfile.edits import (
    FocusUpdate,
    ended_lines,
    insert_splice,
    set_box,
    tick_line,
    update_focus_file,
)
from agent_focus.focusfile.matching import (
    TaskMatch,
    match_task,
    mentions,
    normalise_title,
    similar_titles,
)
from agent_focus.focusfile.model import FocusDocument, PortfolioItem, Task
from agent_focus.focusfile.parse import block_parser, parse_source, split_name_and_path
from agent_focus.focusfile.source import Source
from agent_focus.focusfile.store import Edit
from agent_focus.planner.merge import merge_plan
from agent_focus.planner.schema import PlannedTask

T = TypeVar("T")
PATH = Path("AGENT_FOCUS.md")
DAY = date(2026, 1, 2)


def document(text: str) -> FocusDocument:
    return parse_source(Source.from_text(text), PATH)


def apply(text: str, operation: Callable[[FocusDocument], Edit[T]]) -> tuple[str, T]:
    """The text after ``operation``, and what it reported."""
    doc = document(text)
    edit = operation(doc)
    return doc.source.apply(edit.splices).text, edit.result


# --- tick and box -------------------------------------------------------------------------


def test_a_tick_keeps_the_title_exactly_up_to_its_trailing_blanks() -> None:
    assert tick_line("- [ ] Review PR X  \n", DAY) == "- [x] Review PR X ✅ 2026-01-02  \n"
    # only spaces and tabs are trailing blanks; a no-break space is part of the title
    assert tick_line("* [ ] Ship\u00a0\t\r\n", DAY) == "* [x] Ship\u00a0 ✅ 2026-01-02\t\r\n"


def test_a_line_that_is_no_task_is_refused_naming_it() -> None:
    with pytest.raises(ValueError) as ticked:
        tick_line("- no box\n", DAY)
    assert str(ticked.value) == "not a task line: '- no box\\n'"
    with pytest.raises(ValueError) as boxed:
        set_box("plain", True)
    assert str(boxed.value) == "not a task line: 'plain'"


# --- new lines and the ending of the line after them --------------------------------------


def test_a_cr_before_an_empty_lf_line_ends_with_crlf_on_the_last_new_line_only() -> None:
    assert ended_lines(["a", "b", "c"], "\r", "\nnext") == ["a\r", "b\r", "c\r\n"]
    assert ended_lines(["a", "b", "c"], "\r", "next") == ["a\r", "b\r", "c\r"]
    assert ended_lines(["a", "b", "c"], "\n", "\n") == ["a\n", "b\n", "c\n"]
    assert ended_lines([], "\r", "\n") == []


def test_inserting_at_the_end_of_a_file_without_a_final_newline_keeps_it_so() -> None:
    lines = ("a\n", "b")
    splice = insert_splice(lines, 2, ["x", "y", "z"], "\n")
    assert Source(lines).apply([splice]).text == "a\nb\nx\ny\nz"
    inside = insert_splice(lines, 1, ["x", "y", "z"], "\n")
    assert Source(lines).apply([inside]).text == "a\nx\ny\nz\nb"


# --- update: Progress Metrics and the portfolio boxes --------------------------------------

UPDATE = """\
# F
## Portfolio
- [x] Kept: `kept.md`
- [ ] Unknown: `unknown.md`
- [x] Gone: `gone.md`
- [x] Done, unknown: `done-unknown.md`
- [ ] Made: `made.md`
## Progress Metrics
old
"""

ON_DISK = {"kept.md": True, "gone.md": False, "made.md": True}


def exists(item: PortfolioItem) -> bool | None:
    return ON_DISK.get(item.path or "")


def test_update_reports_the_boxes_it_moved_and_whether_metrics_were_there() -> None:
    text, result = apply(UPDATE, update_focus_file(["- m: 1"], exists))
    assert result == FocusUpdate(True, ("Made",), ("Gone",))
    assert text == UPDATE.replace("- [x] Gone", "- [ ] Gone").replace(
        "- [ ] Made", "- [x] Made"
    ).replace("old\n", "- m: 1\n")
    no_metrics = UPDATE.split("## Progress Metrics")[0]
    text, result = apply(no_metrics, update_focus_file(["- m: 1"], exists))
    assert result == FocusUpdate(False, ("Made",), ("Gone",))
    _, nothing = apply(UPDATE, update_focus_file([], lambda item: None))
    assert nothing == FocusUpdate(False, (), ())


def test_metrics_last_in_the_file_keep_its_final_newline_or_its_lack() -> None:
    with_newline = "# F\n## Progress Metrics\nold\n\n"
    assert apply(with_newline, update_focus_file(["a", "b"], exists))[0] == (
        "# F\n## Progress Metrics\na\nb\n\n"
    )
    without = "# F\n## Progress Metrics\nold"
    assert apply(without, update_focus_file(["a", "b"], exists))[0] == (
        "# F\n## Progress Metrics\na\nb"
    )


def test_metrics_before_another_section_in_a_file_without_final_newline() -> None:
    text = "# F\n## Progress Metrics\nold\n\n## Notes\nend"
    assert apply(text, update_focus_file(["a", "b"], exists))[0] == (
        "# F\n## Progress Metrics\na\nb\n\n## Notes\nend"
    )


def test_a_metrics_heading_on_the_last_line_gets_an_ending_before_its_body() -> None:
    text = "# F\n\n## Notes\nx\n## Progress Metrics"
    assert apply(text, update_focus_file(["a", "b"], exists))[0] == (
        "# F\n\n## Notes\nx\n## Progress Metrics\na\nb"
    )


# --- merge: where and how new tasks go -----------------------------------------------------


def planned(*titles: str) -> list[PlannedTask]:
    return [
        PlannedTask(
            title=t,
            reason="because",
            serves_kind="priority",
            serves="the sprint",
            priority="medium",
            estimate_hours=1,
        )
        for t in titles
    ]


def test_new_tasks_take_the_bullet_of_the_last_task() -> None:
    text = "## Current Sprint\n* [ ] One\n+   [x] Two\n\n## Notes\n"
    merged, result = apply(text, merge_plan(planned("Three", "Four"), 9, 9))
    assert merged == (
        "## Current Sprint\n* [ ] One\n+   [x] Two\n+   [ ] Three\n+   [ ] Four\n\n## Notes\n"
    )
    assert result.line == 4


def test_a_sprint_without_tasks_gets_them_after_its_text_before_the_blank_lines() -> None:
    text = "## Current Sprint\nIntro\n\n## Notes\n"
    merged, result = apply(text, merge_plan(planned("One"), 5, 5))
    assert merged == "## Current Sprint\nIntro\n- [ ] One\n\n## Notes\n"
    assert result.line == 3
    bare = "## Current Sprint\n\n\n## Notes\n"
    assert apply(bare, merge_plan(planned("One"), 5, 5))[0] == (
        "## Current Sprint\n- [ ] One\n\n\n## Notes\n"
    )


def test_many_new_tasks_at_the_end_of_a_file_without_a_final_newline() -> None:
    text = "## Current Sprint\n1. [ ] One"
    merged, _ = apply(text, merge_plan(planned("Two", "Three", "Four"), 9, 9))
    assert merged == "## Current Sprint\n1. [ ] One\n2. [ ] Two\n3. [ ] Three\n4. [ ] Four"


# --- portfolio names and paths -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[`Architecture`](docs/a.md)", ("Architecture", "docs/a.md")),
        ("[`Xray`](x.md)", ("Xray", "x.md")),
        ("[](docs/a.md)", ("docs/a.md", "docs/a.md")),
        ("Demo video: [watch](v.mp4)", ("Demo video", "v.mp4")),
        ("`docs/a.md` (architecture)", ("architecture", "docs/a.md")),
        ("`d.md` Xray", ("Xray", "d.md")),
        ("`d.md`", ("d.md", "d.md")),
        ("MLflow screenshot: `m.png`", ("MLflow screenshot", "m.png")),
        ("Talk at a meetup", ("Talk at a meetup", None)),
    ],
)
def test_portfolio_names_and_paths(text: str, expected: tuple[str, str | None]) -> None:
    assert split_name_and_path(text) == expected


def test_portfolio_items_keep_their_text_and_lines() -> None:
    doc = document("## Portfolio\n- [x] Guide: `g.md`\n  more\n- [ ] Talk\n")
    item = doc.portfolio[0]
    assert (item.text, item.done, item.line, item.end) == ("Guide: `g.md`", True, 1, 3)
    assert (item.name, item.path) == ("Guide", "g.md")
    assert (doc.portfolio[1].text, doc.portfolio[1].end) == ("Talk", 4)


# --- containers nested past markdown-it's limit -------------------------------------------


def flat_and_nested(depth: int, nested: list[str]) -> tuple[FocusDocument, FocusDocument]:
    head = "# F\n\n## Current Sprint\n- [ ] One\n"
    tail = "- [ ] Two\n\n## Notes\n- [ ] not a sprint task\n"
    return document(head + tail), document(head + "".join(nested) + tail)


@pytest.mark.parametrize("depth", [25, 60])
def test_deep_sub_tasks_hide_no_later_task_or_heading(depth: int) -> None:
    assert block_parser().options.maxNesting < depth
    nested = ["  " * level + f"- [ ] Level {level}\n" for level in range(1, depth + 1)]
    nested[depth // 2] += "\n" + "  " * (depth // 2 + 1) + "continued after a blank line\n"
    flat, deep = flat_and_nested(depth, nested)
    assert [t.title for t in deep.tasks] == [t.title for t in flat.tasks] == ["One", "Two"]
    assert deep.tasks[1].line == flat.tasks[1].line + len("".join(nested).splitlines())
    assert [s.kind for s in deep.sections] == [SectionKind.SPRINT, SectionKind.NOTES]
    notes = deep.section(SectionKind.NOTES)
    assert notes is not None and notes.heading_start == deep.tasks[1].line + 2


def test_deep_quotes_hide_no_later_task() -> None:
    nested = ["  " + "> " * 40 + "- [ ] quoted\n", "\n"]
    flat, deep = flat_and_nested(40, nested)
    assert [t.title for t in deep.tasks] == [t.title for t in flat.tasks]


# --- comparing titles ----------------------------------------------------------------------


def test_titles_are_compared_case_folded_with_blanks_collapsed() -> None:
    assert normalise_title("  Write   THE\trunbook ") == "write the runbook"
    assert similar_titles("Write the runbook", "write  the RUNBOOK")
    assert similar_titles("Write the runbook", "Write the run book")
    assert not similar_titles("Write the runbook", "Ship the release")
    # exactly at the cutoff (17 of 20 characters in common: 0.85) is similar
    assert similar_titles("abcdefghijklmnopqrst", "abcdefghijklmnopqXYZ")
    assert not similar_titles("abcdefghijklmnopqrst", "abcdefghijklmnopXYZW")


def test_a_title_mentions_a_phrase_it_contains() -> None:
    assert mentions("Record the MLflow  demo video", "mlflow DEMO")
    assert not mentions("Record the video", "mlflow demo")
    assert not mentions("Record the video", "")


# --- which task a query means: the match, its candidates, and how ---------------------------


def sprint(*titles: str, done: tuple[int, ...] = ()) -> list[Task]:
    return [Task(t, i in done, i, i + 1, title=t, completed_on=None) for i, t in enumerate(titles)]


def test_one_hit_is_the_match_and_its_only_candidate() -> None:
    tasks = sprint("Write tests", "Ship it")
    assert match_task(tasks, "ship IT") == TaskMatch(tasks[1], (tasks[1],), "exact")
    assert match_task(tasks, "wri") == TaskMatch(tasks[0], (tasks[0],), "prefix")
    assert match_task(tasks, "   ") == TaskMatch(None, (), "none")


def test_an_open_task_wins_a_tie_with_done_ones_and_all_are_candidates() -> None:
    tasks = sprint("Write tests", "Write docs", done=(0,))
    assert match_task(tasks, "write") == TaskMatch(tasks[1], tuple(tasks), "prefix")


def test_done_tasks_of_one_title_are_one_match_the_first() -> None:
    tasks = sprint("Ship it", "Ship it", done=(0, 1))
    assert match_task(tasks, "ship it") == TaskMatch(tasks[0], tuple(tasks), "exact", count=2)
    different = sprint("Ship it", "Ship docs", done=(0, 1))
    assert match_task(different, "ship") == TaskMatch(None, tuple(different), "ambiguous", count=2)


def test_ambiguity_among_open_tasks_lists_only_the_open_ones() -> None:
    tasks = sprint("Write tests", "Write docs", "Write notes", done=(0,))
    assert match_task(tasks, "write") == TaskMatch(None, (tasks[1], tasks[2]), "ambiguous", count=2)
    same = sprint("Ship it", "Ship it")
    assert match_task(same, "ship it") == TaskMatch(None, tuple(same), "ambiguous", count=2)


def test_a_number_names_the_nth_task_from_one_to_the_last() -> None:
    tasks = sprint("Alpha", "Beta", "Gamma")
    assert match_task(tasks, "1") == TaskMatch(tasks[0], (tasks[0],), "number")
    assert match_task(tasks, "3") == TaskMatch(tasks[2], (tasks[2],), "number")
    assert match_task(tasks, "0").how == "none"
    assert match_task(tasks, "4").how == "none"


def test_a_close_match_counts_from_the_cutoff_and_near_misses_are_listed_best_first() -> None:
    # 17 of 20 characters in common: a ratio of exactly 0.85
    tasks = sprint("abcdefghijklmnopqxyz", "Other")
    assert match_task(tasks, "abcdefghijklmnopqrst") == TaskMatch(tasks[0], (tasks[0],), "close")
    near = sprint("abqrs", "abcrs", "abcds", "zzzzz", "abxzz", "abxyq", "abxyr")
    found = match_task(near, "abxyz")
    # ratios: 0.8 for "abxzz", "abxyq", "abxyr"; 0.4 for "abqrs", "abcrs", "abcds"; 0 for "zzzzz".
    # Best first, a tie to the later task; five at most
    assert (found.task, found.how) == (None, "none")
    assert [t.title for t in found.candidates] == ["abxyr", "abxyq", "abxzz", "abcds", "abcrs"]
    exactly = match_task(sprint("abqrs", "zzzzz"), "abxyz")
    assert [t.title for t in exactly.candidates] == ["abqrs"]  # 0.4 is near enough
