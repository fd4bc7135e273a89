"""Watching and serving: `focus dashboard`, `focus mcp`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from agent_focus.cli.output import FileOption, console
from agent_focus.errors import FocusError

group = typer.Typer()


@group.command()
def dashboard(
    interval: Annotated[float, typer.Option(help="Seconds between refreshes.", min=0.1)] = 1.0,
    once: Annotated[bool, typer.Option("--once", help="Print one snapshot and exit.")] = False,
) -> None:
    """A live full-screen view of every agent of this clone: progress, current task, SLO
    state, recent events, provider costs. Ctrl-C quits. When stdout is not a terminal (a
    pipe, a file, CI), it prints one snapshot and exits, as `--once` does."""
    from agent_focus.actions.catch_up import catch_up
    from agent_focus.readers.workspace import worktree_root
    from agent_focus.views.dashboard import DashboardState, dashboard_view, run_dashboard

    root = worktree_root(Path.cwd())
    if root is None:
        raise FocusError("not inside a git repository", path=Path.cwd())
    if once or not sys.stdout.isatty():
        state = DashboardState(root, catch_up=catch_up)
        state.refresh()
        console().print(dashboard_view(state))
        return
    run_dashboard(root, interval, catch_up)


@group.command()
def mcp(file: FileOption = None) -> None:
    """Serve this worktree's focus tools over MCP (stdio) to a coding agent.

    Tools: status, complete, plan, update, slo, brief. They act on the worktree the server
    is started in (or on `--file`). For Claude Code: `claude mcp add focus -- focus mcp`.
    """
    from agent_focus.cli.mcp_server import serve
    from agent_focus.readers.workspace import Workspace

    serve(Workspace.resolve(file))
