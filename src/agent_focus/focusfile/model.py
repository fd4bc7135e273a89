"""What a focus file holds, as plain frozen dataclasses: sections, tasks, portfolio items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path

from agent_focus.errors import FocusFileError
from agent_focus.focusfile.source import Source


class SectionKind(Enum):
    """The six sections of AGENT_FOCUS.md that the tool recognises by keyword."""

    IDENTITY = "identity"
    SERVICES = "services"
    SPRINT = "sprint"
    PORTFOLIO = "portfolio"
    METRICS = "metrics"
    NOTES = "notes"


@dataclass(frozen=True)
class Section:
    """A ``##`` section: its heading lines and its body, as 0-based line ranges.

    ``body_start``..``end`` (end exclusive) runs to the next ``#`` or ``##`` heading.
    """

    kind: SectionKind | None
    title: str
    heading_start: int
    body_start: int
    end: int


@dataclass(frozen=True)
class ChecklistItem:
    """A top-level GFM task item: ``- [ ] text``. ``line`` is its first line (0-based)."""

    text: str
    done: bool
    line: int
    end: int


@dataclass(frozen=True)
class Task(ChecklistItem):
    """A task of Current Sprint. ``title`` drops the ``✅ YYYY-MM-DD`` completion marker."""

    title: str
    completed_on: date | None


@dataclass(frozen=True)
class PortfolioItem(ChecklistItem):
    """A portfolio checklist item naming a file or glob, in backticks or as a link."""

    name: str
    path: str | None


@dataclass(frozen=True)
class FocusDocument:
    """A parsed AGENT_FOCUS.md. Parsing never changes :attr:`source`."""

    path: Path
    source: Source
    title: str | None
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]
    portfolio: tuple[PortfolioItem, ...]

    def section(self, kind: SectionKind) -> Section | None:
        """The first section of this kind, or None."""
        return next((s for s in self.sections if s.kind is kind), None)


def require_sprint(document: FocusDocument) -> None:
    """Raise a one-line error when the document has no Current Sprint section."""
    if document.section(SectionKind.SPRINT) is None:
        raise FocusFileError(
            "has no sprint section (a '## Current Sprint' heading with a task list)",
            path=document.path,
        )
