"""The focus-file engine: lossless reading and splice-only, lock-protected editing."""

from agent_focus.focusfile.edits import Completion, complete_task, require_sprint
from agent_focus.focusfile.model import FocusDocument, PortfolioItem, Section, SectionKind, Task
from agent_focus.focusfile.store import edit_document, read_document

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
