"""Edit operations on a focus file. Each takes a freshly parsed document and returns splices.

Operations are pure: they run inside :func:`agent_focus.focusfile.store.edit_document`,
which applies them to whatever the file holds at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from agent_focus.errors import FocusFileError, TaskNotFoundError
from agent_focus.focusfile.model import FocusDocument, SectionKind, Task
from agent_focus.focusfile.parse import ITEM_RE
from agent_focus.focusfile.source import Splice, line_ending
from agent_focus.focusfile.store import Edit
from agent_focus.matching import match_task


@dataclass(frozen=True)
class Completion:
    """What ``complete`` did: the task it matched, how, and whether it was already done."""

    task: Task
    how: str
    already_done: bool
    completed_on: date


def tick_line(line: str, on: date) -> str:
    """``- [ ] x`` becomes ``- [x] x ✅ YYYY-MM-DD``; trailing spaces and the ending stay."""
    ending = line_ending(line)
    content = line[: len(line) - len(ending)]
    match = ITEM_RE.match(content)
    if match is None:
        raise ValueError(f"not a task line: {line!r}")
    rest = match.group("rest")
    trailing = rest[len(rest.rstrip(" \t")) :]
    body = rest.rstrip(" \t")
    return f"{match.group('lead')}[x]{body} ✅ {on.isoformat()}{trailing}{ending}"


def require_sprint(document: FocusDocument) -> None:
    """Raise a one-line error when the document has no Current Sprint section."""
    if document.section(SectionKind.SPRINT) is None:
        raise FocusFileError(
            "has no sprint section (a '## Current Sprint' heading with a task list)",
            path=document.path,
        )


def complete_task(query: str, on: date) -> Callable[[FocusDocument], Edit[Completion]]:
    """An operation that ticks the one sprint task matching ``query``."""

    def operation(document: FocusDocument) -> Edit[Completion]:
        require_sprint(document)
        found = match_task(document.tasks, query)
        if found.task is None:
            titles = [task.title for task in found.candidates]
            if found.how == "ambiguous":
                message = f"{query!r} matches {len(titles)} tasks; say which"
            elif titles:
                message = f"no task matches {query!r}; did you mean one of these?"
            else:
                message = f"no task matches {query!r} ({len(document.tasks)} tasks in the sprint)"
            raise TaskNotFoundError(message, path=document.path, candidates=titles)
        task = found.task
        if task.done:
            return Edit([], Completion(task, found.how, True, task.completed_on or on))
        new_line = tick_line(document.source.lines[task.line], on)
        splice = Splice(task.line, task.line + 1, (new_line,))
        return Edit([splice], Completion(task, found.how, False, on))

    return operation
