"""The MLflow mirror: each plan and each evening summary also becomes an MLflow run, so a
team's tracking server holds the history of every machine (`focus usage --source mlflow`).

Mirrored only when a tracking server is configured (``mlflow.tracking_uri`` in focus.yaml,
or ``MLFLOW_TRACKING_URI``). The local journal is written first; a dead or failing server
costs one TCP probe and a note, never the command.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from typing import Any

from agent_focus.config import FocusConfig
from agent_focus.metrics.errors import probe
from agent_focus.metrics.mlflow_client import mlflow_client

EXPERIMENT = "agent-focus"


def mirror_configured(config: FocusConfig) -> bool:
    return (
        bool(os.environ.get("MLFLOW_TRACKING_URI"))
        or "tracking_uri" in config.mlflow.model_fields_set
    )


def _client(config: FocusConfig) -> Any:
    return mlflow_client(config.mlflow.tracking_uri, config.timeout)


def mirror_run(
    config: FocusConfig,
    kind: str,
    agent: str | None,
    tags: dict[str, str],
    metrics: dict[str, float],
) -> str | None:
    """Log one run; returns a note when it could not be mirrored, None when it was (or when
    no server is configured)."""
    if not mirror_configured(config):
        return None
    uri = config.mlflow.tracking_uri
    down = probe("mlflow", uri, config.timeout)
    if down is not None:
        return f"MLflow mirror skipped: {down.reason} at {uri} (the local journal has it)"
    try:
        with contextlib.redirect_stdout(sys.stderr):
            _log_run(config, kind, agent, tags, metrics)
    except Exception as exc:  # the mirror is best effort: the journal is the record
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"MLflow mirror failed: {first[:200]} (the local journal has it)"
    return None


def _log_run(
    config: FocusConfig,
    kind: str,
    agent: str | None,
    tags: dict[str, str],
    metrics: dict[str, float],
) -> None:
    """Create the run, log its metrics in one batch, end it."""
    from mlflow.entities import Metric, RunTag

    client = _client(config)
    experiment = client.get_experiment_by_name(EXPERIMENT)
    experiment_id = experiment.experiment_id if experiment else client.create_experiment(EXPERIMENT)
    all_tags = {"agent": agent or "?", "kind": kind, **tags}
    run = client.create_run(experiment_id, run_name=f"{agent or 'agent'}-{kind}", tags=all_tags)
    now_ms = int(time.time() * 1000)
    client.log_batch(
        run.info.run_id,
        metrics=[Metric(key, float(value), now_ms, 0) for key, value in metrics.items()],
        tags=[RunTag("mlflow.source.name", "agent-focus")],
    )
    client.set_terminated(run.info.run_id)


def mirrored_usage(config: FocusConfig, by: str) -> list[dict[str, Any]]:
    """`focus usage --source mlflow`: the team's plan runs, summed per provider, model,
    agent or day."""
    from agent_focus.errors import NoDataError

    uri = config.mlflow.tracking_uri
    down = probe("mlflow", uri, config.timeout)
    if down is not None:
        raise NoDataError(f"NO DATA AVAILABLE from MLflow: {down.reason} at {uri} ({down.hint})")
    try:
        with contextlib.redirect_stdout(sys.stderr):
            client = _client(config)
            experiment = client.get_experiment_by_name(EXPERIMENT)
            if experiment is None:
                return []
            runs = client.search_runs(
                [experiment.experiment_id], filter_string="tags.kind = 'plan'", max_results=5000
            )
    except Exception as exc:  # a 500, an HTML page, garbage: the server gave no data
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise NoDataError(f"NO DATA AVAILABLE from MLflow at {uri}: {first}") from None
    groups: dict[str, list[Any]] = {}
    for run in runs:
        tags = run.data.tags
        key = {
            "provider": tags.get("provider", "?"),
            "model": f"{tags.get('provider', '?')} {tags.get('model', '?')}",
            "agent": tags.get("agent", "?"),
            "day": time.strftime("%Y-%m-%d", time.gmtime(run.info.start_time / 1000)),
        }[by]
        groups.setdefault(key, []).append(run.data.metrics)
    rows = []
    for key, items in sorted(groups.items()):
        latencies = sorted(m.get("latency_ms", 0.0) for m in items)
        rows.append(
            {
                by: key,
                "plans": len(items),
                "calls": int(sum(m.get("calls", 0) for m in items)),
                "errors": int(sum(m.get("errors", 0) for m in items)),
                "input_tokens": int(sum(m.get("input_tokens", 0) for m in items)),
                "output_tokens": int(sum(m.get("output_tokens", 0) for m in items)),
                "cached_tokens": int(sum(m.get("cached_tokens", 0) for m in items)),
                "cost_usd": round(sum(m.get("cost_usd", 0.0) for m in items), 10),
                "tasks_added": int(sum(m.get("tasks_added", 0) for m in items)),
                "p50_latency_ms": round(statistics.median(latencies), 1),
            }
        )
    return rows
