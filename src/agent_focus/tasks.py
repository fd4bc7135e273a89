"""Ticking a task: the splice-only edit, then its event in the journal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from agent_focus.focusfile import Completion, complete_task, edit_document
from agent_focus.journal.events import journal
from agent_focus.workspace import root_for


def complete(path: Path, query: str, on: date) -> Completion:
    """Tick the sprint task of ``path`` that ``query`` names; record it unless already done."""
    done = edit_document(path, complete_task(query, on))
    if not done.already_done:
        journal(
            root_for(path),
            "complete",
            {"task": done.task.title, "line": done.task.line + 1, "file": path.name},
            done.agent,
        )
    return done
