"""How `complete` finds the task a user means."""

from __future__ import annotations

from datetime import date

import pytest

from agent_focus.focusfile.matching import match_task
from agent_focus.focusfile.model import Task


def tasks(*titles: str, done: tuple[int, ...] = ()) -> list[Task]:
    return [
        Task(
            title,
            i in done,
            i,
            i + 1,
            title=title,
            completed_on=date(2026, 1, 1) if i in done else None,
        )
        for i, title in enumerate(titles)
    ]


def test_exact_match_wins_over_a_longer_prefix_match() -> None:
    found = match_task(tasks("Write tests", "Write tests for the parser"), "write TESTS")
    assert found.how == "exact" and found.task and found.task.title == "Write tests"


def test_unique_prefix() -> None:
    found = match_task(tasks("Deploy staging", "Write docs"), "depl")
    assert found.how == "prefix" and found.task and found.task.title == "Deploy staging"


def test_ambiguous_prefix_lists_every_candidate() -> None:
    found = match_task(tasks("Deploy staging", "Deploy production", "Docs"), "deploy")
    assert found.task is None and found.how == "ambiguous"
    assert [t.title for t in found.candidates] == ["Deploy staging", "Deploy production"]


def test_an_open_task_wins_a_tie_with_done_ones() -> None:
    found = match_task(tasks("Deploy staging", "Deploy production", done=(0,)), "deploy")
    assert found.task and found.task.title == "Deploy production"


def test_single_close_match_forgives_a_typo() -> None:
    found = match_task(
        tasks("Set up MLflow tracking", "Record the demo video"), "set up mlfow tracking"
    )
    assert found.how == "close" and found.task and found.task.title == "Set up MLflow tracking"


def test_unknown_task_suggests_the_nearest_titles() -> None:
    found = match_task(tasks("Set up MLflow", "Record video"), "set up mlops")
    assert found.task is None and found.how == "none"
    assert found.candidates and found.candidates[0].title == "Set up MLflow"


def test_a_number_picks_the_task_as_status_lists_it() -> None:
    found = match_task(tasks("First", "Second", "Third"), "2")
    assert found.how == "number" and found.task and found.task.title == "Second"


def test_a_numeric_title_is_matched_as_a_title_first() -> None:
    found = match_task(tasks("First", "3", "Third"), "3")
    assert found.how == "exact" and found.task and found.task.line == 1


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_matches_nothing(query: str) -> None:
    assert match_task(tasks("First"), query).task is None
