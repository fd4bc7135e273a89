"""Merging a plan into Current Sprint: new tasks after the existing ones, nothing else moves.

An edit operation (run under the file lock on the text as it is at that moment): every
existing line stays byte-identical; a planned task similar to any task already there is
skipped; open tasks never exceed the sprint size. Nothing new means nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agent_focus.focusfile.edits import insert_splice
from agent_focus.focusfile.matching import TitleIndex
from agent_focus.focusfile.model import FocusDocument, SectionKind, require_sprint
from agent_focus.focusfile.parse import ITEM_RE
from agent_focus.focusfile.store import Edit
from agent_focus.planner.schema import PRIORITY_ORDER, PlannedTask

_LEAD_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?:(?P<bullet>[-*+])|(?P<number>\d{1,9})(?P<delim>[.)]))(?P<gap>[ \t]+)$"
)


@dataclass(frozen=True)
class MergeResult:
    added: tuple[PlannedTask, ...]
    duplicates: tuple[tuple[str, str], ...]  # (planned title, the existing task it repeats)
    over_capacity: tuple[str, ...]
    line: int | None  # 1-based line of the first added task


def _leads(last_lead: str | None, count: int) -> list[str]:
    """List markers for new items, continuing the style of the last task (``1.`` counts on)."""
    match = _LEAD_RE.match(last_lead or "")
    if match is None:
        return ["- "] * count
    if match.group("bullet"):
        return [last_lead or "- "] * count
    start = int(match.group("number"))
    indent, delim, gap = match.group("indent"), match.group("delim"), match.group("gap")
    return [f"{indent}{start + i}{delim}{gap}" for i in range(1, count + 1)]


def choose_new_tasks(
    planned: list[PlannedTask], existing: list[str], room: int, limit: int
) -> tuple[list[PlannedTask], list[tuple[str, str]], list[str]]:
    """(new, duplicates, over capacity): most important first, never a repeat."""
    ordered = sorted(planned, key=lambda t: PRIORITY_ORDER[t.priority])
    new: list[PlannedTask] = []
    duplicates: list[tuple[str, str]] = []
    over: list[str] = []
    seen = TitleIndex(existing)  # normalised once: a 100,000-task sprint is one scan a task
    for task in ordered:
        repeat = seen.similar(task.title)
        if repeat is not None:
            duplicates.append((task.title, repeat))
        elif len(new) < min(room, limit):
            new.append(task)
            seen.add(task.title)
        else:
            over.append(task.title)
    return new, duplicates, over


def merge_plan(
    planned: list[PlannedTask], sprint_size: int, max_new: int
) -> Callable[[FocusDocument], Edit[MergeResult]]:
    def operation(document: FocusDocument) -> Edit[MergeResult]:
        require_sprint(document)
        sprint = document.section(SectionKind.SPRINT)
        assert sprint is not None
        lines = document.source.lines
        open_count = sum(not t.done for t in document.tasks)
        new, duplicates, over = choose_new_tasks(
            planned, [t.title for t in document.tasks], max(sprint_size - open_count, 0), max_new
        )
        if not new:
            return Edit([], MergeResult((), tuple(duplicates), tuple(over), None))
        if document.tasks:
            last = document.tasks[-1]
            at = last.end
            while at > last.line + 1 and not lines[at - 1].strip():
                at -= 1
            match = ITEM_RE.match(lines[last.line].rstrip("\r\n"))
            lead = match.group("lead") if match else None
        else:
            at = sprint.end
            while at > sprint.body_start and not lines[at - 1].strip():
                at -= 1
            lead = None
        texts = [
            f"{marker}[ ] {task.title}"
            for marker, task in zip(_leads(lead, len(new)), new, strict=True)
        ]
        splice = insert_splice(lines, at, texts, document.source.newline)
        return Edit([splice], MergeResult(tuple(new), tuple(duplicates), tuple(over), at + 1))

    return operation
