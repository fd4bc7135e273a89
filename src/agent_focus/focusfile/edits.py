"""Edit operations on a focus file. Each takes a freshly parsed document and returns splices.

Operations are pure: they run inside :func:`agent_focus.focusfile.store.edit_document`,
which applies them to whatever the file holds at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from agent_focus.errors import TaskNotFoundError
from agent_focus.focusfile.matching import match_task
from agent_focus.focusfile.model import (
    FocusDocument,
    PortfolioItem,
    SectionKind,
    Task,
    require_sprint,
)
from agent_focus.focusfile.parse import ITEM_RE
from agent_focus.focusfile.source import Splice, line_ending
from agent_focus.focusfile.store import Edit


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


def set_box(line: str, done: bool) -> str:
    """The same task line with its box ticked or cleared; nothing else changes."""
    match = ITEM_RE.match(line)
    if match is None:
        raise ValueError(f"not a task line: {line!r}")
    return f"{match.group('lead')}[{'x' if done else ' '}]{line[match.end('mark') + 1 :]}"


@dataclass(frozen=True)
class FocusUpdate:
    """What ``update`` changed: whether Progress Metrics was there, and which boxes moved."""

    has_metrics_section: bool
    ticked: tuple[str, ...]
    unticked: tuple[str, ...]


def ended_lines(texts: list[str], newline: str, following: str | None) -> list[str]:
    """``texts`` each with ``newline``. A ``\\r`` just before a line that starts with ``\\n``
    (an empty LF line, in a file of mixed endings) would fuse with it into one ``\\r\\n`` and
    swallow that line: the last new line ends with ``\\r\\n`` there instead."""
    out = [text + newline for text in texts]
    if out and newline == "\r" and following is not None and following.startswith("\n"):
        out[-1] = texts[-1] + "\r\n"
    return out


def _body_splice(document: FocusDocument, kind: SectionKind, new_lines: list[str]) -> Splice | None:
    """Replace a section's body, keeping the blank lines that separate it from the next."""
    section = document.section(kind)
    if section is None or not new_lines:
        return None
    lines = document.source.lines
    newline = document.source.newline
    end = section.end
    while end > section.body_start and not lines[end - 1].strip():
        end -= 1
    out = ended_lines(new_lines, newline, lines[end] if end < len(lines) else None)
    if end == len(lines) and lines and not line_ending(lines[-1]):
        out[-1] = new_lines[-1]  # the file had no final newline: it still has none
        if section.body_start == len(lines):
            # The heading itself is the last line: it needs an ending before the body.
            return Splice(len(lines) - 1, len(lines), (lines[-1] + newline, *out))
    return Splice(section.body_start, end, tuple(out))


def update_focus_file(
    metrics_lines: list[str], exists: Callable[[PortfolioItem], bool | None]
) -> Callable[[FocusDocument], Edit[FocusUpdate]]:
    """Write Progress Metrics' body and set each portfolio box to whether its file exists."""

    def operation(document: FocusDocument) -> Edit[FocusUpdate]:
        splices: list[Splice] = []
        body = _body_splice(document, SectionKind.METRICS, metrics_lines)
        if body is not None:
            splices.append(body)
        ticked: list[str] = []
        unticked: list[str] = []
        for item in document.portfolio:
            present = exists(item)
            if present is None or present == item.done:
                continue
            line = document.source.lines[item.line]
            splices.append(Splice(item.line, item.line + 1, (set_box(line, present),)))
            (ticked if present else unticked).append(item.name)
        return Edit(splices, FocusUpdate(body is not None, tuple(ticked), tuple(unticked)))

    return operation


def insert_splice(lines: tuple[str, ...], at: int, new_lines: list[str], newline: str) -> Splice:
    """Insert ``new_lines`` (no endings) before line ``at``; a file without a final newline
    keeps having none (the line before gets an ending, the new last line none)."""
    out = ended_lines(new_lines, newline, lines[at] if at < len(lines) else None)
    if at == len(lines) and lines and not line_ending(lines[-1]):
        out[-1] = new_lines[-1]
        return Splice(at - 1, at, (lines[-1] + newline, *out))
    return Splice(at, at, tuple(out))


def complete_task(query: str, on: date) -> Callable[[FocusDocument], Edit[Completion]]:
    """An operation that ticks the one sprint task matching ``query``."""

    def operation(document: FocusDocument) -> Edit[Completion]:
        require_sprint(document)
        found = match_task(document.tasks, query)
        if found.task is None:
            titles = [task.title for task in found.candidates]
            count = found.candidate_count
            if found.how == "ambiguous":
                best = f" (the closest {len(titles)} below)" if count > len(titles) else ""
                message = f"{query!r} matches {count:,} tasks; say which{best}"
            elif titles:
                message = f"no task matches {query!r}; did you mean one of these?"
            else:
                message = f"no task matches {query!r} ({len(document.tasks)} tasks in the sprint)"
            raise TaskNotFoundError(message, path=document.path, candidates=titles, count=count)
        task = found.task
        if task.done:
            return Edit([], Completion(task, found.how, True, task.completed_on or on))
        new_line = tick_line(document.source.lines[task.line], on)
        splice = Splice(task.line, task.line + 1, (new_line,))
        return Edit([splice], Completion(task, found.how, False, on))

    return operation
