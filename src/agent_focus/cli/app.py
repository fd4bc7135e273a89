"""The `focus` command: the Typer app, its command groups, and the one error edge.

`main` is "the program with error handling" (as httpie's `raw_main`): the commands below it
raise :class:`~agent_focus.errors.FocusError`, and only here does one become a line on
stderr (and a JSON object under `--json`) and an exit code.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from agent_focus import __version__
from agent_focus.cli import day, journal, live, metrics, services, setup, sprint
from agent_focus.cli.output import Output, print_json, say
from agent_focus.errors import ExitStatus, FocusError, TaskNotFoundError

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
for group in (sprint, setup, day, metrics, journal, live, services):
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


def _report_error(error: FocusError) -> None:
    say(f"focus: error: {error}")
    for title in getattr(error, "candidates", []):
        say(f"  - {title}")
    if isinstance(error, TaskNotFoundError) and error.more:
        say(f"  {error.more}")
    if Output.json:
        payload: dict[str, Any] = {"error": str(error), "exit_code": int(error.exit_status)}
        if isinstance(error, TaskNotFoundError):
            payload["candidates"] = error.candidates
            payload["candidate_count"] = error.count
        print_json(payload)


def _exit_now_if_collectors_hang(code: object) -> None:
    """A collector abandoned at its timeout may still be busy (say, importing MLflow); waiting
    for it at interpreter shutdown would break the timeout promise, so exit right away."""
    registry = sys.modules.get("agent_focus.metrics.registry")
    if registry is not None and registry.abandoned_work():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else int(ExitStatus.ERROR))


def main() -> None:
    """Entry point of the `focus` script: the one place errors become exit codes."""
    try:
        app()
    except SystemExit as exit_:
        _exit_now_if_collectors_hang(exit_.code)
        raise
    except FocusError as error:
        if os.environ.get("FOCUS_DEBUG"):
            raise
        _report_error(error)
        sys.exit(int(error.exit_status))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(int(ExitStatus.OK))
