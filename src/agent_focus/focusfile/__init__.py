"""The focus-file engine: lossless reading and splice-only, lock-protected editing.

The names below load their module on first use (PEP 562), so a command that only reads
(`focus status`) never imports the edit operations or the task matcher.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_focus.focusfile.edits import Completion, complete_task
    from agent_focus.focusfile.model import (
        FocusDocument,
        PortfolioItem,
        Section,
        SectionKind,
        Task,
        require_sprint,
    )
    from agent_focus.focusfile.store import edit_document, read_document

_HOMES = {
    "Completion": "edits",
    "complete_task": "edits",
    "FocusDocument": "model",
    "PortfolioItem": "model",
    "Section": "model",
    "SectionKind": "model",
    "Task": "model",
    "require_sprint": "model",
    "edit_document": "store",
    "read_document": "store",
}

__all__ = (
    "Completion",
    "FocusDocument",
    "PortfolioItem",
    "Section",
    "SectionKind",
    "Task",
    "complete_task",
    "edit_document",
    "read_document",
    "require_sprint",
)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"agent_focus.focusfile.{home}"), name)
