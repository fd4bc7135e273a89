"""`focus statusline`: the one line Claude Code shows under its prompt.

Agent and role, the task in progress, sprint done/total, today's spend of this agent (from
the agents' session logs once they were read, else the session's own cost from the status
JSON), and the last test result. Read-only and quick: it runs after every assistant message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent_focus.journal.dollars import money
from agent_focus.readers.workspace import FOCUS_FILE_NAME, state_dir, worktree_root


def _last_tests(folder: Path, agent: str | None) -> dict[str, Any] | None:
    from agent_focus.journal.spend import read_one

    if agent is None:
        return None
    query = "SELECT payload FROM events WHERE kind = 'tests' AND agent = ? ORDER BY id DESC LIMIT 1"
    row = read_one(folder, query, (agent,))
    return json.loads(row[0]) if row else None


def _tests_text(run: dict[str, Any] | None) -> str | None:
    if run is None:
        return None
    failed, passed = run.get("failed"), run.get("passed")
    if failed:
        return f"tests ✗ {failed} failed"
    if passed is not None:
        return f"tests ✓ {passed} passed"
    return "tests ran"


def status_line(payload: dict[str, Any]) -> str:
    """The line for Claude Code's status-line JSON; a plain fallback outside a focus worktree."""
    from agent_focus.journal.spend import agent_spend, task_start
    from agent_focus.readers.status import load_status

    workspace = payload.get("workspace")
    cwd = (workspace.get("current_dir") if isinstance(workspace, dict) else None) or payload.get(
        "cwd"
    )
    model = payload.get("model")
    model_name = model.get("display_name") if isinstance(model, dict) else None
    cost = payload.get("cost")
    session_cost = cost.get("total_cost_usd") if isinstance(cost, dict) else None
    root = worktree_root(Path(cwd)) if isinstance(cwd, str) else None
    parts: list[str] = []
    if root is None or not (root / FOCUS_FILE_NAME).is_file():
        parts = [p for p in (model_name, _money(session_cost, "session")) if p]
        return " │ ".join(parts or ["focus: not in an agent worktree"])
    report = load_status(root / FOCUS_FILE_NAME)
    agent = report.agent.id
    parts.append(f"{agent or '?'}" + (f" · {report.agent.role}" if report.agent.role else ""))
    current = next((t.title for t in report.tasks if not t.done), None)
    parts.append(f"▶ {current[:60]}" if current else "sprint done")
    parts.append(f"sprint {report.tasks_done}/{len(report.tasks)}")
    folder = state_dir(root)
    spend = agent_spend(folder, root, agent, task_start(folder, agent, report.ticks))
    if spend is not None and spend.today_usd is not None:
        parts.append(_money(spend.today_usd, "today") or "")
    elif session_cost is not None:
        parts.append(_money(session_cost, "session") or "")
    tests = _tests_text(_last_tests(folder, agent))
    if tests:
        parts.append(tests)
    return " │ ".join(p for p in parts if p)


def _money(value: object, label: str) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{label} {money(value)}"
    return None
