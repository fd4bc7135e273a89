"""The SLO gate (`focus slo`): evaluate, decide the exit code, record the result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent_focus.config import FocusConfig
from agent_focus.journal.events import journal
from agent_focus.metrics.model import SourceReport, slo_exit_status
from agent_focus.metrics.registry import run_collectors


@dataclass(frozen=True)
class SloGate:
    agent: str | None
    reports: list[SourceReport]
    exit_code: int


def slo_gate(root: Path, config: FocusConfig, agent: str | None) -> SloGate:
    reports = run_collectors(config, agent, ["prometheus"]) if config.slos_for(agent) else []
    code = slo_exit_status(reports)
    results = [
        {"name": s.name, "status": s.status, "value": s.value} for r in reports for s in r.slos
    ]
    if results:
        journal(root, "slo", {"exit_code": code, "results": results}, agent)
    return SloGate(agent, reports, code)
