"""The sprint of one agent: `focus status`, `focus complete`, `focus brief`."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from agent_focus.cli.output import FileOption, JsonOption, print_json, say
from agent_focus.cli.quick import show_status

group = typer.Typer()


@group.command()
def status(
    file: FileOption = None,
    all_agents: Annotated[
        bool, typer.Option("--all", "-A", help="Every agent of this clone, one per worktree.")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Show sprint and portfolio progress: open tasks, and which portfolio files really exist.

    It never writes a focus file; what is new in the agents' logs is read into the journal
    first, so that the spend shown is of now. `--all` reads every worktree of the clone (from
    any of them); with `--json` it prints an array of status objects.
    Example: `focus status --json | jq .sprint`
    """
    show_status(file, all_agents, json_out)  # also what the fast path runs, without Typer


@group.command()
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
    from agent_focus.actions.complete import complete as complete_task
    from agent_focus.readers.workspace import Workspace

    outcome = complete_task(Workspace.resolve(file), task, date.today())
    if json_out:
        print_json(outcome.to_json())
    from agent_focus.views.sprint import completion_message

    say(completion_message(outcome))


@group.command()
def brief(file: FileOption = None, json_out: JsonOption = False) -> None:
    """The text to paste into a new coding-agent session in this worktree: who it is, today's
    tasks, the portfolio gaps and the commands it may use. Example: `focus brief | pbcopy`"""
    from agent_focus.actions.brief import build_brief
    from agent_focus.readers.workspace import Workspace

    result = build_brief(Workspace.resolve(file))
    if json_out:
        print_json(result.to_json())
        return
    sys.stdout.write(result.text)
