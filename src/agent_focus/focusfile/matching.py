"""Finding the task a user means: exact title, then unique prefix, then one close match."""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a runtime import would cycle through the focusfile package
    from agent_focus.focusfile.model import Task

CLOSE_MATCH_CUTOFF = 0.85


def normalise_title(text: str) -> str:
    """Case-folded, whitespace-collapsed form used to compare task titles."""
    return " ".join(text.casefold().split())


MAX_CANDIDATES = 5  # what an error lists; it says how many more there were


@dataclass(frozen=True)
class TaskMatch:
    """The outcome of matching: one task, or the best few candidates when there is none or
    many (``count`` says how many there were in all)."""

    task: Task | None
    candidates: tuple[Task, ...]
    how: str  # "exact", "prefix", "close", "number", "ambiguous" or "none"
    count: int | None = None  # every candidate, when more than ``candidates`` shows

    @property
    def candidate_count(self) -> int:
        return len(self.candidates) if self.count is None else self.count


def _pick(
    found: Sequence[Task], how: str, closeness: Callable[[Task], float] | None = None
) -> TaskMatch | None:
    """One task from a stage's hits; open tasks win a tie with done ones. Ambiguous: the
    ``MAX_CANDIDATES`` closest (by ``closeness``, lowest first, else file order) and the count."""
    if not found:
        return None
    if len(found) == 1:
        return TaskMatch(found[0], tuple(found), how)
    still_open = [task for task in found if not task.done]
    if len(still_open) == 1:
        return TaskMatch(still_open[0], tuple(found), how)
    if not still_open and len({normalise_title(t.title) for t in found}) == 1:
        return TaskMatch(found[0], tuple(found[:MAX_CANDIDATES]), how, len(found))
    pool = still_open or list(found)
    best = heapq.nsmallest(MAX_CANDIDATES, pool, key=closeness) if closeness else pool
    return TaskMatch(None, tuple(best[:MAX_CANDIDATES]), "ambiguous", len(pool))


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
        [t for t, title in zip(tasks, titles, strict=True) if title.startswith(wanted)],
        "prefix",
        lambda task: len(task.title),  # sharing the prefix, the shortest are the closest
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
    nearest = tuple(tasks[i] for ratio, i in scored[:MAX_CANDIDATES] if ratio >= 0.4)
    return TaskMatch(None, nearest, "none")


SIMILAR_CUTOFF = 0.85


def similar_titles(a: str, b: str) -> bool:
    """Whether two task titles say the same thing: equal once normalised, or close enough."""
    x, y = normalise_title(a), normalise_title(b)
    if x == y:
        return True
    import difflib

    return difflib.SequenceMatcher(None, x, y).ratio() >= SIMILAR_CUTOFF


class TitleIndex:
    """Titles already there, normalised once, to ask many times whether a new title repeats
    one (as :func:`similar_titles` judges). An exact repeat is a dict lookup; otherwise
    difflib's ratio runs only where its cheap upper bounds (lengths, then shared characters)
    allow it, as ``difflib.get_close_matches`` does, so 100,000 titles take a scan, not
    100,000 ratios.
    """

    def __init__(self, titles: Iterable[str] = ()) -> None:
        self._titles: list[str] = []
        self._normal: list[str] = []
        self._exact: dict[str, str] = {}
        self._joined: str | None = None
        for title in titles:
            self.add(title)

    def add(self, title: str) -> None:
        normal = normalise_title(title)
        self._titles.append(title)
        self._normal.append(normal)
        self._exact.setdefault(normal, title)
        self._joined = None

    def similar(self, title: str) -> str | None:
        """The first title like ``title``, or None."""
        x = normalise_title(title)
        if x in self._exact:
            return self._exact[x]
        size = len(x)
        count = {char: x.count(char) for char in set(x)}
        for y, original in zip(self._normal, self._titles, strict=True):
            # Each bound is above difflib's ratio: a title failing one cannot pass it.
            total = size + len(y)
            if 2.0 * min(size, len(y)) / total < SIMILAR_CUTOFF:
                continue
            absent = sum(count[char] for char in count.keys() - set(y))  # set ops run in C
            if 2.0 * (size - absent) / total < SIMILAR_CUTOFF:
                continue
            shared = sum(min(n, y.count(char)) for char, n in count.items())
            if 2.0 * shared / total < SIMILAR_CUTOFF:
                continue
            if difflib.SequenceMatcher(None, x, y).ratio() >= SIMILAR_CUTOFF:
                return original
        return None

    def mentioned(self, phrase: str) -> bool:
        """Whether any title names ``phrase`` (see :func:`mentions`), in one search."""
        wanted = normalise_title(phrase)
        if not wanted:
            return False
        if self._joined is None:
            self._joined = "\n".join(self._normal)  # a normalised title holds no newline
        return wanted in self._joined


def mentions(title: str, phrase: str) -> bool:
    """Whether ``title`` already names ``phrase`` (a portfolio item's name or path)."""
    return bool(phrase) and normalise_title(phrase) in normalise_title(title)
