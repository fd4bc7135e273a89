"""The Typer app: every command group under one `focus`, with `--version` and `--help`.

Imported by :func:`agent_focus.cli.app.main` for every command line but a plain
`focus status` (see :mod:`agent_focus.cli.quick`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from agent_focus import __version__
from agent_focus.cli import (
    alerts,
    day,
    hooks,
    journal,
    live,
    metrics,
    serve,
    services,
    setup,
    sprint,
)

app = typer.Typer(
    name="focus",
    help=(
        "Plan the day for AI coding agents working side by side in git worktrees.\n\n"
        "Each worktree has one AGENT_FOCUS.md; `focus` reads it, ticks tasks and reports "
        "progress without touching a byte it does not own."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)
for group in (sprint, setup, day, metrics, journal, live, services, hooks, alerts, serve):
    app.registered_commands += group.group.registered_commands
    app.registered_groups += group.group.registered_groups


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"focus {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Plan the day for AI coding agents working side by side in git worktrees."""
