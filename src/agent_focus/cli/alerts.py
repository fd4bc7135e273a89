"""Alerts: `focus alerts [list]`, `focus alerts test`, `focus alerts run`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agent_focus.cli.output import JsonOption, print_json, say

if TYPE_CHECKING:
    from agent_focus.actions.alerts import AlertsFired
    from agent_focus.config import FocusConfig
    from agent_focus.readers.workspace import Workspace

group = typer.Typer()
alerts = typer.Typer(
    help=(
        "Alerts on the agents: waiting too long, over budget, an SLO violated, tests failing, "
        "a sprint finished. Rules live under `alerts:` in focus.yaml; each runs a command "
        "(the alert's JSON on stdin) and/or POSTs to a webhook (`text` for Slack, ntfy), "
        "once per episode. The hooks and `focus serve` evaluate them; see docs/alerts.md."
    ),
    invoke_without_command=True,
    add_completion=False,
)
group.add_typer(alerts, name="alerts")


def _setup(root: Path | None = None) -> tuple[Workspace, FocusConfig]:
    from agent_focus.config import load_config
    from agent_focus.readers.workspace import FOCUS_FILE_NAME, Workspace

    workspace = Workspace(root, root / FOCUS_FILE_NAME) if root else Workspace.resolve()
    return workspace, load_config(workspace.root)


@alerts.callback()
def _default(ctx: typer.Context, json_out: JsonOption = False) -> None:
    if ctx.invoked_subcommand is None:
        show(json_out)


@alerts.command("list")
def show(json_out: JsonOption = False) -> None:
    """The rules, what holds now (and whether its episode fired) and the latest episodes.

    Commands show their program, webhooks their origin: never a token."""
    from agent_focus.actions.alerts import alerts_overview

    overview = alerts_overview(*_setup())
    if json_out:
        print_json(overview.to_json())
        return
    data = overview.to_json()
    if not data["rules"]:
        say(f"no alert rules: add `alerts:` to {data['config'] or 'focus.yaml'} (docs/alerts.md)")
        return
    print(f"rules ({data['config']}):")
    for rule in data["rules"]:
        where = " + ".join(
            f"{way} {rule[way]}" for way in ("command", "webhook") if rule[way] is not None
        )
        extra = (f" > {rule['minutes']:g} min" if rule["minutes"] is not None else "") + (
            f" for {rule['agent']}" if rule["agent"] else ""
        )
        print(f"  {rule['name']}: {rule['when']}{extra} -> {where}")
    print("holding now:" if data["holding"] else "holding now: nothing")
    for held in data["holding"]:
        print(f"  {held['rule']}: {held['text']} ({'fired' if held['fired'] else 'not fired yet'})")
    if data["episodes"]:
        print("latest episodes:")
    for episode in data["episodes"][:5]:
        when = datetime.fromisoformat(episode["at"]).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        print(f"  {when}  {episode['rule']}  {episode['agent'] or '-'}")


def _report(result: AlertsFired, json_out: bool, empty: str) -> None:
    if json_out:
        print_json(result.to_json())
        return
    if not result.fired:
        say(empty)
    for fired in result.fired:
        outcome = ", ".join(
            f"{way} {'ok' if r.get('ok') else 'FAILED: ' + str(r.get('error'))}"
            for way, r in fired.delivery.items()
        )
        print(f"{fired.alert.rule}: {fired.alert.text} [{outcome}]")


@alerts.command("test")
def test(json_out: JsonOption = False) -> None:
    """Fire every rule once, now, as a test (`"test": true` in its JSON), whatever holds.

    Each delivery's outcome is shown and recorded as an `alert` event (`focus log`). Exit 1
    when a delivery failed, 4 when there is no rule."""
    from agent_focus.actions.alerts import test_alerts

    result = test_alerts(*_setup())
    _report(result, json_out, "")
    raise typer.Exit(0 if all(f.ok for f in result.fired) else 1)


@alerts.command("run")
def run(
    root: Annotated[
        Path | None,
        typer.Option("--root", help="The worktree to evaluate from. Default: this one."),
    ] = None,
    ingest: Annotated[
        bool, typer.Option("--ingest", help="Read the agents' logs first (today's spend).")
    ] = False,
    waiting: Annotated[
        str | None,
        typer.Option(
            "--waiting",
            metavar="AGENT",
            help="Stay to look again when the waiting rules' minutes have passed, while AGENT waits.",
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Evaluate the rules now and fire each episode that holds and has not fired yet.

    What the hooks start in the background; without `focus serve`, a cron job can run it
    too. Two at once never fire the same episode twice."""
    from agent_focus.actions.alerts import run_alerts

    workspace, config = _setup(root)
    _report(
        run_alerts(workspace, config, ingest=ingest, waiting=waiting), json_out, "nothing to fire"
    )
