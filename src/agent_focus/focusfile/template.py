"""The text of a new AGENT_FOCUS.md, filled from the agent's strategy when there is one."""

from __future__ import annotations

from collections.abc import Callable

from agent_focus.readers.strategy import AgentStrategy


def render_focus_file(
    agent_id: str,
    agent: AgentStrategy | None,
    artifact_exists: Callable[[str], bool],
    place: dict[str, str] | None = None,
) -> str:
    """A focus file with the six sections. ``artifact_exists`` ticks portfolio boxes;
    ``place`` (worktree, branch) is where the file really is, over what the strategy says."""
    role = agent.target if agent and agent.target else "Agent"
    lines = [
        f"# AGENT_FOCUS: {agent_id} · {role}",
        "",
        "<!-- The living plan of this worktree. `focus` edits only the sections it owns",
        "     (see docs/focus-file.md); Notes & Learnings is yours alone. -->",
        "",
        "## 🎯 Identity & Mission",
        f"- Agent: {agent_id}",
        f"- Role: {role}",
    ]
    fields = {**(agent.fields if agent else {}), **(place or {})}
    for key, value in fields.items():
        if key not in ("services", "agent", "role"):
            lines.append(f"- {key.title()}: {value}")
    if agent and agent.priorities and "mission" not in agent.fields:
        lines.append(f"- Mission: {agent.priorities[0]}")
    lines += ["", "## 🛠️ Service Ownership"]
    services = agent.services if agent else []
    lines += [f"- {name}" for name in services] or [
        "- (none yet: add `- Services:` to the strategy)"
    ]
    lines += [
        "",
        "## 🏃 Current Sprint",
        '<!-- `focus plan` adds tasks here; tick them with `focus complete "task"`. -->',
    ]
    lines += [f"- [ ] {priority}" for priority in (agent.priorities if agent else [])]
    lines += ["", "## 📁 Portfolio Checklist"]
    for item in agent.portfolio if agent else []:
        box = "x" if item.path and artifact_exists(item.path) else " "
        where = f": `{item.path}`" if item.path else ""
        lines.append(f"- [{box}] {item.name}{where}")
    lines += [
        "",
        "## 📊 Progress Metrics",
        "NO DATA AVAILABLE: not collected yet. Run `focus update` once MLflow or Prometheus runs.",
        "",
        "## 📝 Notes & Learnings",
        "",
    ]
    return "\n".join(lines)
