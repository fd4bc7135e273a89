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
from typing import TYPE_CHECKING, Any, TypeVar

from agent_focus.errors import FocusError

if TYPE_CHECKING:
    from agent_focus.readers.workspace import Workspace

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
            listed = [
                *getattr(error, "candidates", []),
                *filter(None, [getattr(error, "more", None)]),
            ]
            raise ToolError(
                str(error) + (f" (candidates: {'; '.join(listed)})" if listed else "")
            ) from None

    return wrapper  # type: ignore[return-value]


def build_server(workspace: Workspace) -> Any:
    """The MCP server for the workspace's focus file. Each tool returns the same JSON
    object as the CLI command of the same name with `--json`."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(
        "agent-focus",
        instructions=(
            f"Focus tools for the agent of worktree {workspace.name}. Read `status` first; tick "
            "a task with `complete` only when it is done; `update` refreshes real metrics; "
            "`plan` adds tasks when the sprint runs dry; `brief` says who you are."
        ),
    )

    def config() -> Any:
        from agent_focus.config import load_config

        return load_config(workspace.root)

    @server.tool()
    @_as_tool_errors
    def status() -> dict[str, Any]:
        """The sprint (tasks, done or not, numbered as `complete` accepts) and the portfolio
        (whether each file really exists). Reading never writes."""
        from agent_focus.readers.status import load_status

        return load_status(workspace.focus_file).to_json()

    @server.tool()
    @_as_tool_errors
    def complete(task: str) -> dict[str, Any]:
        """Tick one sprint task: its exact title, a unique prefix, a close match, or its number
        in `status`. Only that line of AGENT_FOCUS.md changes; it gets a ✅ date.
        `status` in the answer says "completed" or "already_done"."""
        from agent_focus.actions.complete import complete as complete_task

        return complete_task(workspace, task, date.today()).to_json()

    @server.tool()
    @_as_tool_errors
    def plan(dry_run: bool = False, provider: str | None = None) -> dict[str, Any]:
        """Plan new tasks from the strategy, real gaps and recent activity, and add them after
        the existing ones (nothing existing changes). `dry_run` shows them without writing."""
        from agent_focus.actions.plan import plan_sprint

        outcome = plan_sprint(
            workspace, config(), provider_name=provider, model=None,
            dry_run=dry_run, fallback=None, today=date.today(),
        )  # fmt: skip
        return outcome.to_json()

    @server.tool()
    @_as_tool_errors
    def update() -> dict[str, Any]:
        """Collect real metrics into Progress Metrics and set portfolio boxes to the real files."""
        from agent_focus.actions.update import update_focus

        return update_focus(workspace, config()).to_json()

    @server.tool()
    @_as_tool_errors
    def slo() -> dict[str, Any]:
        """Evaluate the SLOs of focus.yaml: exit_code 0 all met, 3 one violated, 4 no data
        (or none configured: `reason` says)."""
        from agent_focus.metrics.gate import slo_gate

        return slo_gate(workspace, config()).to_json()

    @server.tool()
    @_as_tool_errors
    def brief() -> str:
        """Who this agent is, today's open tasks, the portfolio gaps, the commands it may use."""
        from agent_focus.actions.brief import build_brief

        return build_brief(workspace).text

    return server


def serve(workspace: Workspace) -> None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise FocusError("`focus mcp` needs the MCP SDK: pip install 'agent-focus[mcp]'") from None
    build_server(workspace).run("stdio")
