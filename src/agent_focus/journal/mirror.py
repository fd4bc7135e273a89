"""The MLflow mirror: each plan, each evening summary and each agent's daily usage also
becomes an MLflow run, so a team's tracking server holds the history of every machine
(`focus usage --source mlflow`, :mod:`agent_focus.journal.team_usage`).

Mirrored only when a tracking server is configured (``mlflow.tracking_uri`` in focus.yaml,
or ``MLFLOW_TRACKING_URI``). The local journal is written first; a dead, failing or slow
server costs at most what is left of the command's timeout and a note, never the command.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agent_focus.config import FocusConfig
from agent_focus.errors import NoDataError
from agent_focus.metrics.deadline import DeadlineExceeded, call_before
from agent_focus.metrics.errors import classify, probe
from agent_focus.metrics.mlflow_client import mlflow_client

EXPERIMENT = "agent-focus"
_PAGE = 5000  # runs per search request


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


@dataclass(frozen=True)
class MirroredRun:
    """One run to log: its kind and agent (both tags), its other tags and its metrics."""

    kind: str
    agent: str | None
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)


# Runs that depend on what the server holds already: given the client and the experiment id.
MoreRuns = Callable[[Any, str], Sequence[MirroredRun]]


def mirror_run(
    config: FocusConfig,
    kind: str,
    agent: str | None,
    tags: dict[str, str],
    metrics: dict[str, float],
    *,
    grace: float = 0.0,
) -> str | None:
    """Log one run (:func:`mirror_runs`)."""
    return mirror_runs(config, [MirroredRun(kind, agent, tags, metrics)], grace=grace)


def mirror_runs(
    config: FocusConfig,
    runs: Sequence[MirroredRun],
    *,
    more: MoreRuns | None = None,
    grace: float = 0.0,
) -> str | None:
    """Log ``runs``, then those ``more`` finds missing on the server, in one worker bounded
    by the deadline; returns a note when they could not all be mirrored, None when they
    were (or when no server is configured).

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

    maker = _Client(config)

    def probe_and_log() -> str | None:
        down = probe("mlflow", uri, max(deadline - time.monotonic(), 0.01))
        if down is not None:
            return down.reason
        client = maker.make()
        experiment_id = _experiment_id(client)
        for run in [*runs, *(more(client, experiment_id) if more else ())]:
            _log_run(client, experiment_id, run)
        return None

    try:
        with contextlib.redirect_stdout(sys.stderr):
            down = call_before(deadline, probe_and_log, "focus-mlflow-mirror")
    except DeadlineExceeded:
        return f"MLflow mirror skipped: {maker.too_slow()} (the local journal has it)"
    except Exception as exc:  # the mirror is best effort: the journal is the record
        return f"MLflow mirror failed: {_reason(uri, exc)} (the local journal has it)"
    if down is not None:
        return f"MLflow mirror skipped: {down} at {uri} (the local journal has it)"
    return None


def _reason(uri: str, exc: BaseException) -> str:
    """What went wrong, in one short line: a 500, a huge answer, garbage."""
    no_data = classify("mlflow", uri, exc)
    return f"{no_data.reason}: {no_data.detail.splitlines()[0][:200] if no_data.detail else ''}"


def _experiment_id(client: Any) -> str:
    experiment = client.get_experiment_by_name(EXPERIMENT)
    return experiment.experiment_id if experiment else client.create_experiment(EXPERIMENT)  # type: ignore[no-any-return]


def _log_run(client: Any, experiment_id: str, run: MirroredRun) -> None:
    """Create the run (tagged with the local day unless it names its own), log its metrics
    in one batch, end it. A metric that is not a finite number is left out: MLflow's REST
    answers cannot carry it."""
    from mlflow.entities import Metric, RunTag

    agent = run.agent or "?"
    tags = {"agent": agent, "kind": run.kind, "day": date.today().isoformat(), **run.tags}
    made = client.create_run(
        experiment_id, run_name=f"{run.agent or 'agent'}-{run.kind}", tags=tags
    )
    now_ms = int(time.time() * 1000)
    figures = {key: float(value) for key, value in run.metrics.items()}
    client.log_batch(
        made.info.run_id,
        metrics=[Metric(k, v, now_ms, 0) for k, v in figures.items() if math.isfinite(v)],
        tags=[RunTag("mlflow.source.name", "agent-focus")],
    )
    client.set_terminated(made.info.run_id)


def search_all(client: Any, experiment_id: str, filter_string: str) -> list[Any]:
    """Every run of the experiment that ``filter_string`` selects, page after page."""
    found: list[Any] = []
    token = None
    while True:
        page = client.search_runs(
            [experiment_id], filter_string=filter_string, max_results=_PAGE, page_token=token
        )
        found += list(page)
        token = getattr(page, "token", None)
        if not token:
            return found


def read_runs(config: FocusConfig, filters: Sequence[str]) -> list[list[Any]]:
    """The runs each filter selects in the experiment, read within the command's deadline;
    NO DATA (:class:`NoDataError`) when the server is down, slow or answers garbage."""
    uri = config.mlflow.tracking_uri
    deadline = config.deadline
    maker = _Client(config)

    def read() -> list[list[Any]]:
        down = probe("mlflow", uri, max(deadline - time.monotonic(), 0.01))
        if down is not None:
            raise NoDataError(
                f"NO DATA AVAILABLE from MLflow: {down.reason} at {uri} ({down.hint})"
            )
        client = maker.make()
        experiment = client.get_experiment_by_name(EXPERIMENT)
        if experiment is None:
            return [[] for _ in filters]
        return [search_all(client, experiment.experiment_id, f) for f in filters]

    try:
        with contextlib.redirect_stdout(sys.stderr):
            return call_before(deadline, read, "focus-mlflow-usage")
    except NoDataError:
        raise
    except DeadlineExceeded:
        raise NoDataError(f"NO DATA AVAILABLE from MLflow: {maker.too_slow()}") from None
    except Exception as exc:  # a 500, an HTML page, garbage, a huge answer: no data
        raise NoDataError(f"NO DATA AVAILABLE from MLflow at {uri}: {_reason(uri, exc)}") from None
