"""`focus complete`: tick one sprint task (the splice-only edit), then record it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from agent_focus.focusfile import Completion, complete_task, edit_document
from agent_focus.journal.events import EventKind, journal
from agent_focus.readers.workspace import Workspace


@dataclass(frozen=True)
class CompleteOutcome:
    """What `focus complete` and the MCP `complete` tool both answer."""

    workspace: Workspace
    completion: Completion

    def to_json(self) -> dict[str, Any]:
        done = self.completion
        return {
            "file": str(self.workspace.focus_file),
            "agent": self.workspace.agent,
            "task": done.task.title,
            "line": done.task.line + 1,
            "matched_by": done.how,
            "status": "already_done" if done.already_done else "completed",
            "completed_on": done.completed_on.isoformat(),
        }


def complete(workspace: Workspace, query: str, on: date) -> CompleteOutcome:
    """Tick the sprint task ``query`` names; record it unless it was already done."""
    done = edit_document(workspace.focus_file, complete_task(query, on))
    if not done.already_done:
        journal(
            workspace,
            EventKind.COMPLETE,
            {
                "task": done.task.title,
                "line": done.task.line + 1,
                "file": workspace.focus_file.name,
            },
        )
        _alerts(workspace)
    return CompleteOutcome(workspace, done)


def _alerts(workspace: Workspace) -> None:
    """A tick may finish the sprint: start the ``sprint_done`` rules in the background."""
    from agent_focus.alerts.trigger import after_event

    try:
        after_event(workspace.root, "sprint_done")
    except Exception:  # the tick is done and recorded: an alert never fails it
        return
