"""Setting agents up: `focus init`, `focus sync`, `focus agents [add]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent_focus.cli.output import (
    AgentOption,
    FileOption,
    JsonOption,
    StrategyOption,
    console,
    print_json,
    say,
)
from agent_focus.errors import FocusError

group = typer.Typer()


@group.command()
def init(
    agent: Annotated[
        str, typer.Option("--agent", "-a", help="Agent id as in the strategy: A1, A2, ...")
    ],
    file: FileOption = None,
    strategy: StrategyOption = None,
    json_out: JsonOption = False,
) -> None:
    """Write AGENT_FOCUS.md and .agent.env for this worktree from AI_JOB_STRATEGY.md.

    Never overwrites an existing focus file. The file names the worktree and branch it is
    really in; to give an agent its own worktree, use `focus agents add A1` instead.
    Example: `focus init --agent A1`
    """
    from agent_focus.actions.init import init_agent
    from agent_focus.readers.workspace import Workspace
    from agent_focus.views.sprint import init_message

    result = init_agent(Workspace.resolve(file, agent, strategy), agent)
    if json_out:
        print_json(result.to_json())
    say(init_message(result))


@group.command()
def sync(
    file: FileOption = None,
    agent: AgentOption = None,
    strategy: StrategyOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show the changes; write nothing.")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Align Identity & Mission, Service Ownership and the portfolio with AI_JOB_STRATEGY.md.

    Updates values the strategy changed and adds what is missing; never removes a line a
    human added and never touches another section. Example: `focus sync --dry-run`
    """
    from agent_focus.actions.sync import run_sync
    from agent_focus.readers.workspace import Workspace

    workspace = Workspace.resolve(file, agent, strategy)
    result = run_sync(workspace, dry_run)
    path = workspace.focus_file
    if json_out:
        print_json({"file": str(path), "dry_run": dry_run, **result.to_json()})
    verb = "Would change" if dry_run else "Changed"
    say(
        f"{verb} {len(result.changes)} thing(s) in {path}"
        if result.changes
        else f"{path} already matches the strategy"
    )
    for change in result.changes:
        say(f"  {change}")
    for name in result.missing_sections:
        say(f"  no {name} section: add a '## {name}' heading for sync to fill it")


agents = typer.Typer(
    help="The agents of this clone, one per git worktree.",
    no_args_is_help=False,
    add_completion=False,
)
group.add_typer(agents, name="agents")


@agents.callback(invoke_without_command=True)
def agents_list(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """List every worktree with its branch, agent, role and progress."""
    if ctx.invoked_subcommand is not None:
        return
    from agent_focus.readers.workspace import worktree_root
    from agent_focus.readers.worktrees import seats

    found = seats(worktree_root(Path.cwd()) or Path.cwd(), with_missing=True, live=True)
    if json_out:
        print_json([seat.to_json() for seat in found])
        return
    from agent_focus.views.agents import agents_view

    console().print(agents_view(found))


@agents.command("add")
def agents_add(
    agent: Annotated[
        str, typer.Argument(help="Agent id from the strategy: A2", show_default=False)
    ],
    json_out: JsonOption = False,
) -> None:
    """Create the agent's worktree (named in the strategy), its branch, focus file and .agent.env.

    The worktree goes beside the main checkout: `../wt-a2-genai` on branch `agent/a2-genai`.
    """
    from agent_focus.actions.add_agent import add_agent_worktree
    from agent_focus.readers.workspace import Workspace, worktree_root

    if worktree_root(Path.cwd()) is None:
        raise FocusError("not inside a git repository: run `git init` first", path=Path.cwd())
    seat = add_agent_worktree(Workspace.resolve(), agent)
    if json_out:
        print_json(seat.to_json())
    say(
        f"Created worktree {seat.path} on branch {seat.branch}"
        + (" (new)" if seat.created_branch else "")
    )
    say(f"Wrote {seat.init.focus_file.name} and .agent.env for {seat.init.agent_id}")
    for note in seat.init.notes:
        say(f"  {note}")
    if seat.hooks:
        say(f"Installed the agent hooks in {seat.hooks} (hooks: true in focus.yaml)")
    say(f"Next: cd {seat.path} && focus morning")
