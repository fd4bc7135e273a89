"""What the agents did and what it cost: `focus log`, `focus usage`."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agent_focus.cli.output import JsonOption, console, print_json, say
from agent_focus.cli.since import SINCE_HELP, BadMoment, parse_moment, parse_window
from agent_focus.json_text import dumps

if TYPE_CHECKING:
    from agent_focus.journal.events import Event

group = typer.Typer()


class GroupBy(StrEnum):
    agent = "agent"
    worktree = "worktree"
    model = "model"
    day = "day"
    session = "session"
    task = "task"
    source = "source"
    provider = "provider"


class UsageSource(StrEnum):
    local = "local"
    mlflow = "mlflow"


def parse_since(text: str | None, name: str = "--since") -> datetime | None:
    """`--since`: 30m, 2h, 3d, today, yesterday, or an ISO date or time; exit 2 otherwise."""
    try:
        return parse_moment(text)
    except BadMoment as error:
        raise typer.BadParameter(str(error), param_hint=name) from None


def parse_until(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """`--since` and `--until` (a day given to `--until` is in the window); exit 2 for a bad
    value of either, or an `--until` before `--since`."""
    parse_since(since)
    parse_since(until, "--until")
    try:
        return parse_window(since, until)
    except BadMoment as error:
        raise typer.BadParameter(str(error), param_hint="--until") from None


def _line(event: Event) -> str:
    from agent_focus.journal.events import describe

    when = event.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    who = f"{event.agent or '?':<4} {event.worktree or '':<16} {event.kind:<8}"
    return f"{when}  {who} {describe(event)}"


@group.command()
def log(
    follow: Annotated[
        bool, typer.Option("--follow", "-F", help="Keep printing new events as they happen.")
    ] = False,
    agent: Annotated[
        str | None, typer.Option("--agent", "-a", help="Only this agent.", show_default=False)
    ] = None,
    since: Annotated[str | None, typer.Option(help=SINCE_HELP, show_default=False)] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", help="How many past events to show (0: none, only new ones).", min=0
        ),
    ] = 30,
    json_out: Annotated[
        bool, typer.Option("--json", help="JSON: an array; with --follow, one object per line.")
    ] = False,
) -> None:
    """The activity of every agent on this clone: plans, ticks, syncs, updates, SLO results,
    evening commits. `--follow` shows other worktrees' events live (Ctrl-C to stop)."""
    from agent_focus.journal.events import follow as follow_events
    from agent_focus.journal.events import latest_id, read_events
    from agent_focus.readers.workspace import Workspace

    start = parse_since(since)
    folder = Workspace.resolve().state_dir
    events = read_events(folder, agent=agent, since=start, limit=limit) if limit > 0 else []
    if json_out and not follow:
        print_json([e.to_json() for e in events])
        return

    def show(event: Event) -> None:
        text = dumps(event.to_json(), ensure_ascii=False) if json_out else _line(event)
        sys.stdout.write(text + "\n")

    for event in events:
        show(event)
    if not follow:
        if not events and not json_out:
            say("No events yet on this clone: they appear as agents plan, tick and update.")
        return
    sys.stdout.flush()
    try:
        after = events[-1].id if events else latest_id(folder)
        for event in follow_events(folder, after=after, agent=agent):
            show(event)
            sys.stdout.flush()
    except KeyboardInterrupt:
        return


@group.command()
def usage(
    by: Annotated[
        GroupBy,
        typer.Option(
            "--by", help="Group by agent, worktree, model, day, session, task, source or provider."
        ),
    ] = GroupBy.agent,
    since: Annotated[str | None, typer.Option(help=SINCE_HELP, show_default=False)] = None,
    until: Annotated[
        str | None,
        typer.Option(
            help="Up to when (same forms as --since; a day is included: --until yesterday).",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        UsageSource,
        typer.Option(
            help="local: this machine's agent logs and this clone's journal; mlflow: the "
            "team's runs on the tracking server."
        ),
    ] = UsageSource.local,
    read_logs: Annotated[
        bool,
        typer.Option(
            "--read-logs/--no-read-logs",
            help="Read what is new in the Claude Code and Codex logs first (default).",
        ),
    ] = True,
    reread: Annotated[
        bool,
        typer.Option(
            "--reread",
            help="Read every log again whole, pricing its calls anew (after a change of "
            "planner.prices in focus.yaml, or of genai-prices); the calls of logs gone from "
            "disk and the planner's stay as they are.",
        ),
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """What every agent's model calls cost: tokens and dollars per agent, worktree, model,
    day, session, task, source (claude, codex, planner) or provider.

    Reads the agents' own session logs first (Claude Code: `CLAUDE_CONFIG_DIR`, else
    ~/.config/claude and ~/.claude; Codex: `CODEX_HOME`, else ~/.codex), only what was
    appended since last time, de-duplicated as ccusage does; never writes to them.
    `--by task` charges each task the agent's calls between the previous tick and its own.
    Example: `focus usage --by day --since 7d --json`
    """
    from agent_focus.cli.usage_quick import show_usage
    from agent_focus.readers.workspace import Workspace

    workspace = Workspace.resolve()
    key = by.value
    start, end = parse_until(since, until)
    if reread and (source is UsageSource.mlflow or not read_logs):
        drop = "--source mlflow" if source is UsageSource.mlflow else "--no-read-logs"
        raise typer.BadParameter(
            f"it reads this machine's logs: drop {drop}", param_hint="--reread"
        )
    if source is UsageSource.mlflow:
        if key not in ("agent", "model", "day", "source", "provider"):
            raise typer.BadParameter(
                f"{key!r} with --source mlflow: choose one of agent, model, day, source, provider",
                param_hint="--by",
            )
        if since or until:
            raise typer.BadParameter(
                "the team's runs are summed whole: use --by day to see them by day",
                param_hint="--since/--until with --source mlflow",
            )
        _team_usage(workspace.root, key, json_out)
        return
    show_usage(workspace, key, start, end, bool(since or until), json_out, read_logs, reread)


def _team_usage(root: Path, key: str, json_out: bool) -> None:
    from agent_focus.config import load_config
    from agent_focus.journal.team_usage import mirrored_usage

    team = mirrored_usage(load_config(root), key)
    for note in team.notes:
        say(note)
    if json_out:
        print_json(team.to_json())
        return
    from agent_focus.views.usage import mirrored_usage_table

    console().print(mirrored_usage_table(team))
