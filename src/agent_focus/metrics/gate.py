"""The SLO gate (`focus slo`): evaluate, decide the exit code, record the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent_focus.config import FocusConfig
from agent_focus.errors import ExitStatus
from agent_focus.journal.events import EventKind, journal
from agent_focus.metrics.model import SourceReport, slo_exit_status
from agent_focus.metrics.registry import run_collectors

if TYPE_CHECKING:
    from agent_focus.readers.workspace import Workspace


@dataclass(frozen=True)
class SloGate:
    agent: str | None
    reports: list[SourceReport]
    exit_code: int
    reason: str | None = None  # why there is nothing to judge, when there is not

    def to_json(self) -> dict[str, Any]:
        """The `focus slo --json` object, and the MCP `slo` tool's."""
        return {
            "agent": self.agent,
            "exit_code": self.exit_code,
            "reason": self.reason,
            "slos": [s.to_json() for r in self.reports for s in r.slos],
        }


def slo_gate(workspace: Workspace | None, config: FocusConfig, *, record: bool = True) -> SloGate:
    """Met (0), violated (3) or no data (4). No SLO configured is no data, never a pass.

    ``workspace`` None judges every SLO (the web server's view of the whole clone);
    ``record`` False reads without writing an `slo` event (a GET writes nothing)."""
    agent = workspace.agent if workspace is not None else None
    if not config.slos_for(agent):
        who = f" for {agent}" if agent else ""
        reason = f"no SLO configured{who}: add `slos:` to focus.yaml (docs/metrics.md)"
        return SloGate(agent, [], int(ExitStatus.NO_DATA), reason)
    reports = run_collectors(config, agent, ["prometheus"])
    code = slo_exit_status(reports)
    results = [
        {"name": s.name, "status": s.status, "value": s.value} for r in reports for s in r.slos
    ]
    if results and record and workspace is not None:
        journal(workspace, EventKind.SLO, {"exit_code": code, "results": results})
        from agent_focus.alerts.trigger import after_event

        after_event(workspace.root, "slo_violated")  # never raises: at worst, not started
    return SloGate(agent, reports, code)
