"""`focus mcp`: a Model Context Protocol server over stdio, for the coding agent of one
worktree. Its tools call the same core as the CLI (so every change is journaled) and act on
the worktree the server was started in.

Built on the `mcp` SDK 2.x (`MCPServer`, the 1.x `FastMCP` renamed), imported only here.
Nothing may be printed to stdout: it is the protocol's channel.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from agent_focus.errors import FocusError

F = TypeVar("F", bound=Callable[..., Any])


def _as_tool_errors(function: F) -> F:
    """Our errors are meant for the user: pass their one line on as the tool's error (the
    SDK shows anything else as a bare "Error executing tool")."""
    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except FocusError as error:
            candidates = getattr(error, "candidates", [])
            raise ToolError(
                str(error) + (f" (candidates: {'; '.join(candidates)})" if candidates else "")
            ) from None

    return wrapper  # type: ignore[return-value]


def build_server(path: Path, root: Path) -> Any:
    """The MCP server for the focus file at ``path`` in the worktree ``root``."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(
        "agent-focus",
        instructions=(
            f"Focus tools for the agent of worktree {root.name}. Read `status` first; tick a "
            "task with `complete` only when it is done; `update` refreshes real metrics; "
            "`plan` adds tasks when the sprint runs dry; `brief` says who you are."
        ),
    )

    def config() -> Any:
        from agent_focus.config import load_config

        return load_config(root)

    @server.tool()
    @_as_tool_errors
    def status() -> dict[str, Any]:
        """The sprint (tasks, done or not, numbered as `complete` accepts) and the portfolio
        (whether each file really exists). Reading never writes."""
        from agent_focus.status import load_status

        return load_status(path).to_json()

    @server.tool()
    @_as_tool_errors
    def complete(task: str) -> dict[str, Any]:
        """Tick one sprint task: its exact title, a unique prefix, a close match, or its number
        in `status`. Only that line of AGENT_FOCUS.md changes; it gets a ✅ date."""
        from agent_focus.tasks import complete as complete_in_file

        done = complete_in_file(path, task, date.today())
        return {
            "task": done.task.title,
            "status": "already_done" if done.already_done else "completed",
            "matched_by": done.how,
            "completed_on": done.completed_on.isoformat(),
        }

    @server.tool()
    @_as_tool_errors
    def plan(dry_run: bool = False, provider: str | None = None) -> dict[str, Any]:
        """Plan new tasks from the strategy, real gaps and recent activity, and add them after
        the existing ones (nothing existing changes). `dry_run` shows them without writing."""
        from agent_focus.planner.run import plan_sprint

        outcome = plan_sprint(
            path, root, config(), agent=None, provider_name=provider, model=None,
            dry_run=dry_run, fallback=None, today=date.today(),
        )  # fmt: skip
        return outcome.to_json()

    @server.tool()
    @_as_tool_errors
    def update() -> dict[str, Any]:
        """Collect real metrics into Progress Metrics and set portfolio boxes to the real files."""
        from agent_focus.focus_update import update_focus
        from agent_focus.status import resolve_agent

        return update_focus(path, root, config(), resolve_agent(root, None, path)).to_json()

    @server.tool()
    @_as_tool_errors
    def slo() -> dict[str, Any]:
        """Evaluate the SLOs of focus.yaml: exit_code 0 all met, 3 one violated, 4 no data."""
        from agent_focus.metrics.gate import slo_gate
        from agent_focus.status import resolve_agent

        gate = slo_gate(root, config(), resolve_agent(root, None, path))
        return {
            "exit_code": gate.exit_code,
            "slos": [s.to_json() for r in gate.reports for s in r.slos],
        }

    @server.tool()
    @_as_tool_errors
    def brief() -> str:
        """Who this agent is, today's open tasks, the portfolio gaps, the commands it may use."""
        from agent_focus.brief import build_brief

        return build_brief(path)[1]

    return server


def serve(path: Path, root: Path) -> None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise FocusError("`focus mcp` needs the MCP SDK: pip install 'agent-focus[mcp]'") from None
    build_server(path, root).run("stdio")
