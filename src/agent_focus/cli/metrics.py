"""Real figures: `focus metrics`, `focus slo`, `focus update`."""

from __future__ import annotations

from typing import Annotated

import typer

from agent_focus.cli.output import AgentOption, FileOption, JsonOption, print_json, say

group = typer.Typer()


@group.command()
def metrics(
    agent: AgentOption = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Only this source (mlflow, prometheus); repeatable."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Show the live metrics, per source: MLflow models and runs, Prometheus queries and SLOs.

    Real data or NO DATA AVAILABLE with the reason and how to start the service; never a
    made-up number. Exit 0 when everything was read, 4 when anything gave no data.
    Sources are set in focus.yaml (MLFLOW_TRACKING_URI and PROMETHEUS_URL override it).
    """
    from agent_focus.config import load_config
    from agent_focus.metrics import run_collectors
    from agent_focus.metrics.model import metrics_exit_status
    from agent_focus.readers.workspace import Workspace

    workspace = Workspace.resolve(agent=agent)
    config = load_config(workspace.root)
    reports = run_collectors(config, workspace.agent, source or None)
    if json_out:
        print_json({"agent": workspace.agent, "sources": [r.to_json() for r in reports]})
    else:
        from rich.console import Console

        from agent_focus.views.metrics import metrics_view

        Console().print(metrics_view(reports, workspace.agent), highlight=False)
    raise typer.Exit(metrics_exit_status(reports))


@group.command()
def slo(agent: AgentOption = None, json_out: JsonOption = False) -> None:
    """Evaluate the SLOs of focus.yaml against Prometheus: a gate for CI and deploys.

    Exit 0 when all are met, 3 when one is violated, 4 when one has no data or none is
    configured. Example: `focus slo --json || echo "deploy blocked"`
    """
    from agent_focus.config import load_config
    from agent_focus.metrics.gate import slo_gate
    from agent_focus.readers.workspace import Workspace

    workspace = Workspace.resolve(agent=agent)
    gate = slo_gate(workspace, load_config(workspace.root))
    if json_out:
        print_json(gate.to_json())
    elif gate.reason:
        say(f"focus: NO DATA AVAILABLE: {gate.reason}")
    else:
        from rich.console import Console

        from agent_focus.views.metrics import slo_view

        Console().print(slo_view(gate.reports), highlight=False)
    raise typer.Exit(gate.exit_code)


@group.command()
def update(
    file: FileOption = None, agent: AgentOption = None, json_out: JsonOption = False
) -> None:
    """Collect real metrics into Progress Metrics and set portfolio boxes to the real files.

    Rewrites only the body of the Progress Metrics section and the boxes of portfolio items
    whose file appeared or disappeared; every other byte stays. A dead service is written as
    NO DATA AVAILABLE with the reason.
    """
    from agent_focus.actions.update import update_focus
    from agent_focus.config import load_config
    from agent_focus.readers.workspace import Workspace

    workspace = Workspace.resolve(file, agent)
    outcome = update_focus(workspace, load_config(workspace.root))
    if json_out:
        print_json(outcome.to_json())
    from agent_focus.views.sprint import update_messages

    for line in update_messages(outcome):
        say(line)
