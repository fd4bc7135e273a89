"""The progress of one agent: its sprint and portfolio, as data for the renderer or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_focus.focusfile.model import FocusDocument, Task
from agent_focus.readers.agent import AgentIdentity, identify_agent
from agent_focus.readers.portfolio import PortfolioCheck, check_portfolio

if TYPE_CHECKING:
    from agent_focus.journal.spend import Spend, Tick


@dataclass(frozen=True)
class StatusReport:
    """Everything ``focus status`` shows. Built by reading only."""

    path: Path
    root: Path
    agent: AgentIdentity
    tasks: tuple[Task, ...]
    portfolio: tuple[PortfolioCheck, ...]
    spend: Spend | None = None  # today's and this task's model spend, once logs were read

    @property
    def ticks(self) -> list[Tick]:
        """Each task's title, whether it is done, and its ✅ date (for the cost per task)."""
        return [(task.title, task.done, task.completed_on) for task in self.tasks]

    @property
    def tasks_done(self) -> int:
        return sum(task.done for task in self.tasks)

    @property
    def portfolio_done(self) -> int:
        return sum(check.ready for check in self.portfolio)

    def to_json(self) -> dict[str, Any]:
        """The ``focus status --json`` object (DESIGN.md, CLI contract)."""
        return {
            "file": str(self.path),
            "agent": {"id": self.agent.id, "role": self.agent.role},
            "sprint": {
                "done": self.tasks_done,
                "total": len(self.tasks),
                "tasks": [
                    {
                        "title": task.title,
                        "done": task.done,
                        "line": task.line + 1,
                        "completed_on": task.completed_on.isoformat()
                        if task.completed_on
                        else None,
                    }
                    for task in self.tasks
                ],
            },
            "spend": self.spend.to_json() if self.spend else None,
            "portfolio": {
                "done": self.portfolio_done,
                "total": len(self.portfolio),
                "items": [
                    {
                        "name": check.item.name,
                        "path": check.item.path,
                        "exists": check.exists,
                        "checked": check.item.done,
                        "error": check.error,
                        "line": check.item.line + 1,
                    }
                    for check in self.portfolio
                ],
            },
        }


def build_status(document: FocusDocument, root: Path) -> StatusReport:
    """The status of ``document``, whose worktree root is ``root``."""
    return StatusReport(
        path=document.path,
        root=root,
        agent=identify_agent(document, root),
        tasks=document.tasks,
        portfolio=tuple(check_portfolio(document.portfolio, root)),
    )


def load_status(path: Path) -> StatusReport:
    """Read the focus file at ``path`` and report on it; a file with no sprint is an error."""
    from agent_focus.focusfile import read_document, require_sprint
    from agent_focus.readers.workspace import root_for

    document = read_document(path)
    require_sprint(document)
    return build_status(document, root_for(path))


def with_spend(report: StatusReport) -> StatusReport:
    """The report with its agent's spend from the journal: today, and on the task in
    progress as `focus usage --by task` reckons it (the commands that show it read what is
    new in the logs first: actions.catch_up)."""
    import dataclasses

    from agent_focus.journal.spend import agent_spend, task_start
    from agent_focus.readers.workspace import state_dir

    folder = state_dir(report.root)
    agent = report.agent.id
    spend = agent_spend(folder, report.root, agent, task_start(folder, agent, report.ticks))
    return dataclasses.replace(report, spend=spend)
