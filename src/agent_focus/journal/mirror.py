"""The MLflow mirror: each plan and each evening summary also becomes an MLflow run, so a
team's tracking server holds the history of every machine (`focus usage --source mlflow`).

Mirrored only when a tracking server is configured (``mlflow.tracking_uri`` in focus.yaml,
or ``MLFLOW_TRACKING_URI``). The local journal is written first; a dead, failing or slow
server costs at most what is left of the command's timeout and a note, never the command.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from typing import Any

from agent_focus.config import FocusConfig
from agent_focus.errors import NoDataError
from agent_focus.metrics.deadline import DeadlineExceeded, call_before
from agent_focus.metrics.errors import classify, probe
from agent_focus.metrics.mlflow_client import mlflow_client
from agent_focus.metrics.model import NoData

EXPERIMENT = "agent-focus"


def mirror_configured(config: FocusConfig) -> bool:
    return (
        bool(os.environ.get("MLFLOW_TRACKING_URI"))
        or "tracking_uri" in config.mlflow.model_fields_set
    )


class _Client:
    """The MLflow client of one call, made in its worker thread, and whether it is made yet
    (importing MLflow takes a second or more: a deadline passed then is not the server's)."""

    def __init__(self, config: FocusConfig):
        self.config = config
        self.made = False

    def make(self) -> Any:
        client = mlflow_client(self.config.mlflow.tracking_uri, self.config.timeout)
        self.made = True
        return client

    def too_slow(self) -> str:
        seconds = f"{self.config.timeout:g} s"
        if not self.made:
            return (
                f"the MLflow client was still loading after {seconds} "
                "(raise `timeout:` in focus.yaml, or FOCUS_TIMEOUT, on a slow machine)"
            )
        return f"no answer from {self.config.mlflow.tracking_uri} within {seconds}"


def mirror_run(
    config: FocusConfig,
    kind: str,
    agent: str | None,
    tags: dict[str, str],
    metrics: dict[str, float],
    *,
    grace: float = 0.0,
) -> str | None:
    """Log one run; returns a note when it could not be mirrored, None when it was (or when
    no server is configured).

    It runs within what is left of the command's timeout (``config.deadline``), plus
    ``grace``: the seconds the planner's model took, which has its own ``planner.timeout``.
    A slow server is abandoned at the deadline and the routine goes on.
    """
    if not mirror_configured(config):
        return None
    uri = config.mlflow.tracking_uri
    deadline = config.deadline + grace
    if deadline <= time.monotonic():
        return (
            f"MLflow mirror skipped: the {config.timeout:g} s timeout was spent before its turn "
            "(the local journal has it)"
        )

    client = _Client(config)

    def probe_and_log() -> NoData | None:
        down = probe("mlflow", uri, max(deadline - time.monotonic(), 0.01))
        if down is None:
            _log_run(client.make(), kind, agent, tags, metrics)
        return down

    try:
        with contextlib.redirect_stdout(sys.stderr):
            down = call_before(deadline, probe_and_log, "focus-mlflow-mirror")
    except DeadlineExceeded:
        return f"MLflow mirror skipped: {client.too_slow()} (the local journal has it)"
    except Exception as exc:  # the mirror is best effort: the journal is the record
        return f"MLflow mirror failed: {_reason(uri, exc)} (the local journal has it)"
    if down is not None:
        return f"MLflow mirror skipped: {down.reason} at {uri} (the local journal has it)"
    return None


def _reason(uri: str, exc: BaseException) -> str:
    """What went wrong, in one short line: a 500, a huge answer, garbage."""
    no_data = classify("mlflow", uri, exc)
    return f"{no_data.reason}: {no_data.detail.splitlines()[0][:200] if no_data.detail else ''}"


def _log_run(
    client: Any,
    kind: str,
    agent: str | None,
    tags: dict[str, str],
    metrics: dict[str, float],
) -> None:
    """Create the run, log its metrics in one batch, end it."""
    from mlflow.entities import Metric, RunTag

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
    uri = config.mlflow.tracking_uri
    deadline = config.deadline
    maker = _Client(config)

    def read_runs() -> list[Any]:
        down = probe("mlflow", uri, max(deadline - time.monotonic(), 0.01))
        if down is not None:
            raise NoDataError(
                f"NO DATA AVAILABLE from MLflow: {down.reason} at {uri} ({down.hint})"
            )
        client = maker.make()
        experiment = client.get_experiment_by_name(EXPERIMENT)
        if experiment is None:
            return []
        return list(
            client.search_runs(
                [experiment.experiment_id], filter_string="tags.kind = 'plan'", max_results=5000
            )
        )

    try:
        with contextlib.redirect_stdout(sys.stderr):
            runs = call_before(deadline, read_runs, "focus-mlflow-usage")
    except NoDataError:
        raise
    except DeadlineExceeded:
        raise NoDataError(f"NO DATA AVAILABLE from MLflow: {maker.too_slow()}") from None
    except Exception as exc:  # a 500, an HTML page, garbage, a huge answer: no data
        raise NoDataError(f"NO DATA AVAILABLE from MLflow at {uri}: {_reason(uri, exc)}") from None
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
