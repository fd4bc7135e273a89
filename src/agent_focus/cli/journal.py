"""What the agents did and what it cost: `focus log`, `focus usage`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from agent_focus.cli.output import JsonOption, console, print_json, say

if TYPE_CHECKING:
    from agent_focus.journal.events import Event

group = typer.Typer()


class GroupBy(StrEnum):
    provider = "provider"
    model = "model"
    agent = "agent"
    day = "day"


class UsageSource(StrEnum):
    local = "local"
    mlflow = "mlflow"


SINCE_HELP = "From when: 30m, 2h, 3d, today, yesterday, or an ISO date or time (2026-11-20)."


def parse_since(text: str | None) -> datetime | None:
    """`--since`: 30m, 2h, 3d, today, yesterday, or an ISO date or time; exit 2 otherwise."""
    import re
    from datetime import timedelta

    if not text:
        return None
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if text in ("today", "yesterday"):
        return midnight - timedelta(days=1 if text == "yesterday" else 0)
    match = re.fullmatch(r"(\d+)([mhd])", text)
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return now - timedelta(**{unit: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: use 30m, 2h, 3d, today, yesterday or an ISO date", param_hint="--since"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


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
        text = json.dumps(event.to_json(), ensure_ascii=False) if json_out else _line(event)
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
    by: Annotated[GroupBy, typer.Option("--by", help="Group by provider, model, agent or day.")] = (
        GroupBy.provider
    ),
    source: Annotated[
        UsageSource,
        typer.Option(
            help="local: this clone's journal; mlflow: the team's runs on the tracking server."
        ),
    ] = UsageSource.local,
    json_out: JsonOption = False,
) -> None:
    """What the LLM calls of every agent on this clone cost: calls, tokens, dollars, latency
    (p50, p95), errors; and each agent's effectiveness: tasks planned against completed, and
    the median time from planned to done.

    Read from the shared journal under the git common dir, so any worktree shows all agents.
    With `--source mlflow` and MLflow unreachable: NO DATA, exit 4.
    """
    from agent_focus.readers.workspace import Workspace

    workspace = Workspace.resolve()
    key = by.value
    if source is UsageSource.mlflow:
        from agent_focus.config import load_config
        from agent_focus.journal.mirror import mirrored_usage

        team = mirrored_usage(load_config(workspace.root), key)
        if json_out:
            print_json({"by": key, "source": "mlflow", "rows": team})
            return
        from agent_focus.views.usage import mirrored_usage_table

        console().print(mirrored_usage_table(team, key))
        return
    from agent_focus.journal.calls import usage_summary
    from agent_focus.journal.effectiveness import agent_effectiveness

    rows = usage_summary(workspace.state_dir, key)
    effectiveness = agent_effectiveness(workspace.state_dir)
    if json_out:
        print_json({"by": key, "rows": rows, "effectiveness": effectiveness})
        return
    from agent_focus.views.usage import effectiveness_table, usage_table

    out = console()
    out.print(usage_table(rows, key))
    if effectiveness:
        out.print()
        out.print(effectiveness_table(effectiveness))
