"""`focus update`: real metrics into Progress Metrics, portfolio boxes set to the real files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_focus.config import FocusConfig
from agent_focus.focusfile.edits import FocusUpdate, update_focus_file
from agent_focus.focusfile.model import PortfolioItem
from agent_focus.focusfile.store import edit_document, read_document
from agent_focus.journal.events import EventKind, journal
from agent_focus.metrics.model import SourceReport, now
from agent_focus.metrics.registry import run_collectors
from agent_focus.metrics.table import progress_metrics_lines
from agent_focus.readers.portfolio import check_item
from agent_focus.readers.workspace import Workspace


@dataclass(frozen=True)
class UpdateOutcome:
    path: Path
    agent: str | None
    reports: list[SourceReport]
    changes: FocusUpdate

    def to_json(self) -> dict[str, Any]:
        """The `focus update --json` object (also the MCP `update` tool's result)."""
        return {
            "file": str(self.path),
            "agent": self.agent,
            "metrics_written": self.changes.has_metrics_section,
            "ticked": list(self.changes.ticked),
            "unticked": list(self.changes.unticked),
            "sources": [r.to_json() for r in self.reports],
        }


def update_focus(
    workspace: Workspace, config: FocusConfig, reports: list[SourceReport] | None = None
) -> UpdateOutcome:
    """Collect this agent's metrics, then write them and the portfolio boxes into its file.

    The collectors run before the file is locked: the lock is held only for the edit.
    ``reports`` already collected (by `focus morning`) are used as they are.
    """
    path, root, agent = workspace.focus_file, workspace.root, workspace.agent
    read_document(path)  # a missing or broken file fails before any network work
    if reports is None:
        reports = run_collectors(config, agent)
    lines = progress_metrics_lines(reports, now())

    def exists(item: PortfolioItem) -> bool | None:
        check = check_item(item, root)
        return None if check.error else check.exists

    changes = edit_document(path, update_focus_file(lines, exists))
    sources = {r.source: ("ok" if r.no_data is None else r.no_data.reason) for r in reports}
    slos = [{"name": s.name, "status": s.status, "value": s.value} for r in reports for s in r.slos]
    journal(
        workspace, EventKind.UPDATE,
        {"sources": sources, "slos": slos, "ticked": list(changes.ticked), "unticked": list(changes.unticked)},
    )  # fmt: skip
    return UpdateOutcome(path, agent, reports, changes)
