"""`focus update`: real metrics into Progress Metrics, portfolio boxes set to the real files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_focus.config import FocusConfig
from agent_focus.focusfile.edits import FocusUpdate, update_focus_file
from agent_focus.focusfile.model import PortfolioItem
from agent_focus.focusfile.store import edit_document
from agent_focus.journal.events import journal
from agent_focus.metrics.model import SourceReport, now
from agent_focus.metrics.registry import run_collectors
from agent_focus.metrics.table import progress_metrics_lines
from agent_focus.portfolio import check_item


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
    path: Path,
    root: Path,
    config: FocusConfig,
    agent: str | None,
    reports: list[SourceReport] | None = None,
) -> UpdateOutcome:
    """Collect this agent's metrics, then write them and the portfolio boxes into ``path``.

    The collectors run before the file is locked: the lock is held only for the edit.
    ``reports`` already collected (by `focus morning`) are used as they are.
    """
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
        root, "update",
        {"sources": sources, "slos": slos, "ticked": list(changes.ticked), "unticked": list(changes.unticked)},
        agent,
    )  # fmt: skip
    return UpdateOutcome(path, agent, reports, changes)
