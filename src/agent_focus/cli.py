"""The `focus` command line: parse options, call the core, render. Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from agent_focus import __version__
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

FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file",
        "-f",
        help="Focus file to use. Default: $FOCUS_FILE, else AGENT_FOCUS.md at the worktree root.",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a JSON object on stdout (messages go to stderr).")
]


class _Run:
    """What the error edge needs to know about the command being run."""

    json = False


def _stdout_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _stderr(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)


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


@app.command()
def status(file: FileOption = None, json_out: JsonOption = False) -> None:
    """Show sprint and portfolio progress: open tasks, and which portfolio files really exist.

    Reading never writes. Example: `focus status --json | jq .sprint`
    """
    from agent_focus.status import load_status

    _Run.json = json_out
    from agent_focus.workspace import focus_file_path

    report = load_status(focus_file_path(file))
    if json_out:
        _stdout_json(report.to_json())
        return
    from rich.console import Console

    from agent_focus.render import print_to, status_view

    print_to(Console(), status_view(report))


@app.command()
def complete(
    task: Annotated[
        str,
        typer.Argument(
            help="Task title: exact (any case), a unique prefix, a close match, or its number "
            "in `focus status`.",
            show_default=False,
        ),
    ],
    file: FileOption = None,
    json_out: JsonOption = False,
) -> None:
    """Tick a sprint task and stamp it `✅ YYYY-MM-DD`. Only that one line changes.

    Unknown or ambiguous: exit 1, list the candidates, file unchanged.
    Example: `focus complete "Set up MLflow"`
    """
    from agent_focus.focusfile import complete_task, edit_document
    from agent_focus.workspace import focus_file_path

    _Run.json = json_out
    path = focus_file_path(file)
    done = edit_document(path, complete_task(task, date.today()))
    if json_out:
        _stdout_json(
            {
                "file": str(path),
                "task": done.task.title,
                "line": done.task.line + 1,
                "matched_by": done.how,
                "status": "already_done" if done.already_done else "completed",
                "completed_on": done.completed_on.isoformat(),
            }
        )
    from agent_focus.render import completion_message

    _stderr(completion_message(done))


@app.command()
def init(
    agent: Annotated[
        str, typer.Option("--agent", "-a", help="Agent id as in the strategy: A1, A2, ...")
    ],
    file: FileOption = None,
    strategy: Annotated[
        Path | None,
        typer.Option(
            help="Strategy file. Default: $FOCUS_STRATEGY, else AI_JOB_STRATEGY.md at the "
            "worktree root or the main checkout's root.",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Write AGENT_FOCUS.md and .agent.env for this worktree from AI_JOB_STRATEGY.md.

    Never overwrites an existing focus file. Example: `focus init --agent A1`
    """
    from agent_focus.onboarding import init_agent
    from agent_focus.render import init_message
    from agent_focus.workspace import focus_file_path, root_for, strategy_path

    _Run.json = json_out
    path = focus_file_path(file)
    root = root_for(path)
    result = init_agent(agent, path, root, strategy_path(strategy, root))
    if json_out:
        _stdout_json(
            {
                "file": str(result.focus_file),
                "agent": {
                    "id": result.agent_id,
                    "role": result.agent.target if result.agent else None,
                },
                "wrote_agent_env": result.wrote_env,
                "notes": result.notes,
            }
        )
    _stderr(init_message(result))


def _report_error(error: FocusError) -> None:
    _stderr(f"focus: error: {error}")
    candidates = getattr(error, "candidates", [])
    for title in candidates:
        _stderr(f"  - {title}")
    if _Run.json:
        payload: dict[str, Any] = {"error": str(error), "exit_code": int(error.exit_status)}
        if isinstance(error, TaskNotFoundError):
            payload["candidates"] = error.candidates
        _stdout_json(payload)


def main() -> None:
    """Entry point of the `focus` script: the one place errors become exit codes."""
    try:
        app()
    except FocusError as error:
        if os.environ.get("FOCUS_DEBUG"):
            raise
        _report_error(error)
        sys.exit(int(error.exit_status))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(int(ExitStatus.OK))
