"""`focus brief`: the text to paste into a new coding-agent session in this worktree (the
seed's "Quick Start for New Session"), built from the real focus file and strategy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent_focus.journal.dollars import money
from agent_focus.readers.status import StatusReport, load_status, with_spend
from agent_focus.readers.strategy import AgentStrategy, agent_strategy
from agent_focus.readers.workspace import Workspace, current_branch

COMMANDS = (
    ("focus status", "see the sprint and the portfolio, with numbered open tasks"),
    (
        'focus complete "task"',
        "tick a task when it is really done (a title, a prefix or its number)",
    ),
    ("focus update", "refresh Progress Metrics and the portfolio boxes from real data"),
    ("focus plan", "add tasks when the sprint runs dry"),
    (
        "focus metrics / focus slo",
        "real figures; NO DATA AVAILABLE means the service is down, never guess",
    ),
)


def brief_text(status: StatusReport, agent: AgentStrategy | None, branch: str | None) -> str:
    who = status.agent.id or (agent.id if agent else "an agent")
    role = status.agent.role or (agent.target if agent else "")
    lines = [
        f"I am Agent {who}{f', {role}' if role else ''}, working in {status.root.name}"
        + (f" (branch {branch})." if branch else ".")
    ]
    if agent is not None:
        if agent.fields.get("mission"):
            lines.append(f"Mission: {agent.fields['mission']}")
        if agent.services:
            lines.append(f"My services: {', '.join(agent.services)}.")
    lines += [
        "AGENT_FOCUS.md in this worktree holds my sprint and progress; AI_JOB_STRATEGY.md holds the priorities.",
        "",
        "Today's open tasks:",
    ]
    open_tasks = [(n, t) for n, t in enumerate(status.tasks, 1) if not t.done]
    lines += [f"{n}. {t.title}" for n, t in open_tasks] or ["(none: run `focus plan`)"]
    if status.spend is not None:
        today, task = status.spend.today_usd, status.spend.task_usd
        lines += [
            "",
            f"Model spend today: {'unknown' if today is None else money(today)}; "
            f"on the task in progress: {'unknown' if task is None else money(task)}.",
        ]
    gaps = [c for c in status.portfolio if not c.ready]
    lines += ["", "Portfolio gaps (files that do not exist yet):"]
    lines += [
        f"- {c.item.name}: {c.item.path}" if c.item.path else f"- {c.item.name}" for c in gaps
    ] or ["(none)"]
    if agent is not None and agent.priorities:
        lines += ["", "Strategy priorities:", *[f"- {p}" for p in agent.priorities]]
    lines += ["", "Commands I may use:"]
    width = max(len(command) for command, _ in COMMANDS)
    lines += [f"- {command.ljust(width)}  {why}" for command, why in COMMANDS]
    lines += [
        "",
        "Rules: tick tasks only with `focus complete`; never edit Notes & Learnings; "
        "work on the open tasks in order and say which one you are on.",
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Brief:
    agent: str | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"agent": self.agent, "text": self.text}


def build_brief(workspace: Workspace, *, read_logs: bool = True) -> Brief:
    """The brief of the workspace's agent: the strategy and the branch add to it when they
    can be found; its spend once what is new in the agents' logs is read (``read_logs``:
    not in a hook, which has a fraction of a second and must not spend it reading)."""
    if read_logs:
        from agent_focus.actions.catch_up import catch_up_here

        catch_up_here(workspace.root)
    report = with_spend(load_status(workspace.focus_file))
    strategy, _missing = agent_strategy(workspace)
    return Brief(workspace.agent, brief_text(report, strategy, current_branch(workspace.root)))
