"""`focus services up|down|status`: a local MLflow and Prometheus on loopback, for demos."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from agent_focus.cli.output import JsonOption, print_json, say
from agent_focus.errors import ExitStatus

if TYPE_CHECKING:
    from agent_focus.metrics.local_services import ServiceState

group = typer.Typer()
services = typer.Typer(
    help="A local MLflow (127.0.0.1:5000) and Prometheus (127.0.0.1:9090) for real metrics. "
    "State and logs live in .focus-services/ of the main checkout.",
    no_args_is_help=True,
    add_completion=False,
)
group.add_typer(services, name="services")


def _folder() -> Path:
    from agent_focus.metrics.local_services import STATE_DIR
    from agent_focus.readers.workspace import main_worktree_root, worktree_root

    here = worktree_root(Path.cwd())
    return (main_worktree_root(here) if here else Path.cwd()) / STATE_DIR


def _report(
    states: list[ServiceState], json_out: bool, code: int = 0, then: str | None = None
) -> None:
    if json_out:
        print_json([state.to_json() for state in states])
    for state in states:
        say(f"{state.name}: {state.message}")
    if then:
        say(then)
    raise typer.Exit(code)


@services.command()
def up(json_out: JsonOption = False) -> None:
    """Start MLflow and Prometheus (the real Debian `prometheus` and the dev extra's MLflow).

    Exit 1 when one could not start (the message says why). Then: `focus metrics`."""
    from agent_focus.metrics.local_services import services_up

    states = services_up(_folder())
    failed = any(not state.ok for state in states)
    then = None if failed else "Both up. Try: focus metrics"
    _report(states, json_out, int(ExitStatus.ERROR) if failed else 0, then)


@services.command()
def down(json_out: JsonOption = False) -> None:
    """Stop what `focus services up` started."""
    from agent_focus.metrics.local_services import services_down

    _report(services_down(_folder()), json_out)


@services.command()
def status(json_out: JsonOption = False) -> None:
    """Which of the two runs. Exit 0 both, 4 when one is not running."""
    from agent_focus.metrics.local_services import services_status

    states = services_status(_folder())
    down = any(state.pid is None for state in states)
    _report(states, json_out, int(ExitStatus.NO_DATA) if down else 0)
