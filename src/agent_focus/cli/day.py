"""The day of an agent: `focus plan`, `focus morning`, `focus evening`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from agent_focus.cli.output import AgentOption, FileOption, JsonOption, console, print_json, say
from agent_focus.errors import ExitStatus

group = typer.Typer()

ProviderOption = Annotated[
    str | None,
    typer.Option(
        "--provider",
        "-p",
        help="auto (default: anthropic if ANTHROPIC_API_KEY, else openai if OPENAI_API_KEY or "
        "planner.base_url, else offline), offline, anthropic, openai.",
        show_default=False,
    ),
]


@group.command()
def plan(
    file: FileOption = None,
    agent: AgentOption = None,
    provider: ProviderOption = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model name; default from focus.yaml.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would be added; write nothing.")
    ] = False,
    fallback: Annotated[
        str | None,
        typer.Option(
            help="Provider to use if the chosen one fails (e.g. offline).", show_default=False
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Plan today's tasks from the strategy, real gaps and recent activity; add them to the sprint.

    New tasks go after the existing ones; every existing line stays byte-identical; open
    tasks never exceed planner.sprint_size; a task like one already there is skipped, so a
    second run adds nothing. Every LLM call is logged (see `focus usage`).
    Example: `focus plan --dry-run`, `focus plan --provider openai --model llama3.1`
    """
    from agent_focus.actions.plan import check_provider_name, plan_sprint
    from agent_focus.config import load_config
    from agent_focus.readers.workspace import Workspace

    for name in (provider, fallback):
        check_provider_name(name)
    workspace = Workspace.resolve(file, agent)
    outcome = plan_sprint(
        workspace, load_config(workspace.root), provider_name=provider, model=model,
        dry_run=dry_run, fallback=fallback, today=date.today(),
    )  # fmt: skip
    if json_out:
        print_json(outcome.to_json())
    from agent_focus.views.sprint import plan_messages

    for line in plan_messages(outcome):
        say(line)


@group.command()
def morning(
    file: FileOption = None,
    agent: AgentOption = None,
    provider: ProviderOption = None,
    json_out: JsonOption = False,
) -> None:
    """The morning routine (`just ai-morning`): update metrics and portfolio boxes, recap
    yesterday (ticks and commits), plan today, and show the day.

    A dead service or a missing key is reported and the routine goes on (offline planning).
    """
    from agent_focus.actions.morning import morning as run_morning
    from agent_focus.actions.plan import check_provider_name
    from agent_focus.config import load_config
    from agent_focus.readers.workspace import Workspace

    check_provider_name(provider)
    workspace = Workspace.resolve(file, agent)
    day = run_morning(workspace, load_config(workspace.root), provider, date.today())
    if json_out:
        print_json(day.to_json())
        return
    from agent_focus.views.day import morning_view

    console().print(morning_view(day), highlight=False)


@group.command()
def evening(
    file: FileOption = None,
    agent: AgentOption = None,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Update and report; do not commit.")
    ] = False,
    push: Annotated[bool, typer.Option("--push", help="Push after committing.")] = False,
    json_out: JsonOption = False,
) -> None:
    """The evening routine (`just ai-evening`): update, commit AGENT_FOCUS.md alone with a
    message naming what was completed today, and show the job-application status.

    Only the focus file is committed, whatever else is staged; never .agent.env.
    """
    from agent_focus.actions.evening import evening as run_evening
    from agent_focus.config import load_config
    from agent_focus.readers.workspace import Workspace

    workspace = Workspace.resolve(file, agent)
    day = run_evening(
        workspace, load_config(workspace.root), commit=not no_commit, push=push, today=date.today()
    )
    if json_out:
        print_json(day.to_json())
    else:
        from agent_focus.views.day import evening_view

        console().print(evening_view(day), highlight=False)
    if day.commit is not None and day.commit.pushed is False:
        raise typer.Exit(int(ExitStatus.ERROR))
