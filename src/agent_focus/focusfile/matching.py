"""Finding the task a user means: exact title, then unique prefix, then one close match."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a runtime import would cycle through the focusfile package
    from agent_focus.focusfile.model import Task

CLOSE_MATCH_CUTOFF = 0.85


def normalise_title(text: str) -> str:
    """Case-folded, whitespace-collapsed form used to compare task titles."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class TaskMatch:
    """The outcome of matching: one task, or the candidates when there is none or many."""

    task: Task | None
    candidates: tuple[Task, ...]
    how: str  # "exact", "prefix", "close", "number", "ambiguous" or "none"


def _pick(found: Sequence[Task], how: str) -> TaskMatch | None:
    """One task from a stage's hits; open tasks win a tie with done ones."""
    if not found:
        return None
    if len(found) == 1:
        return TaskMatch(found[0], tuple(found), how)
    still_open = [task for task in found if not task.done]
    if len(still_open) == 1:
        return TaskMatch(still_open[0], tuple(found), how)
    if not still_open and len({normalise_title(t.title) for t in found}) == 1:
        return TaskMatch(found[0], tuple(found), how)
    return TaskMatch(None, tuple(still_open or found), "ambiguous")


def match_task(tasks: Sequence[Task], query: str) -> TaskMatch:
    """Match ``query`` against ``tasks`` (in file order).

    Stages, first hit wins: exact title (case-insensitive); a number ``N`` for the N-th
    task as ``focus status`` lists it; a unique prefix; a single close match.
    """
    wanted = normalise_title(query)
    if not wanted:
        return TaskMatch(None, (), "none")
    titles = [normalise_title(task.title) for task in tasks]

    exact = _pick([t for t, title in zip(tasks, titles, strict=True) if title == wanted], "exact")
    if exact:
        return exact
    if wanted.isdigit() and 1 <= int(wanted) <= len(tasks):
        return TaskMatch(tasks[int(wanted) - 1], (tasks[int(wanted) - 1],), "number")
    prefix = _pick(
        [t for t, title in zip(tasks, titles, strict=True) if title.startswith(wanted)], "prefix"
    )
    if prefix:
        return prefix
    import difflib  # here, not at the top: reading commands (`focus status`) never match

    scored = sorted(
        (
            (difflib.SequenceMatcher(None, wanted, title).ratio(), index)
            for index, title in enumerate(titles)
        ),
        reverse=True,
    )
    close = [tasks[index] for ratio, index in scored if ratio >= CLOSE_MATCH_CUTOFF]
    picked = _pick(close, "close")
    if picked:
        return picked
    nearest = tuple(tasks[index] for ratio, index in scored[:5] if ratio >= 0.4)
    return TaskMatch(None, nearest, "none")


SIMILAR_CUTOFF = 0.85


def similar_titles(a: str, b: str) -> bool:
    """Whether two task titles say the same thing: equal once normalised, or close enough."""
    x, y = normalise_title(a), normalise_title(b)
    if x == y:
        return True
    import difflib

    return difflib.SequenceMatcher(None, x, y).ratio() >= SIMILAR_CUTOFF


def mentions(title: str, phrase: str) -> bool:
    """Whether ``title`` already names ``phrase`` (a portfolio item's name or path)."""
    return bool(phrase) and normalise_title(phrase) in normalise_title(title)
