"""MLflow: registered models and each experiment's latest runs, through mlflow-skinny's client."""

from __future__ import annotations

import time
from typing import Any

from agent_focus.config import AgentFilter, FocusConfig
from agent_focus.metrics.errors import START_HINTS, classify
from agent_focus.metrics.mlflow_client import mlflow_client
from agent_focus.metrics.model import Metric, NoData, SourceReport, now
from agent_focus.metrics.registry import register_collector


def _belongs(name: str, tags: dict[str, str], listed: list[str], agent: str | None) -> bool:
    """An experiment or model is the agent's when focus.yaml lists it for the agent, or (no
    list) when it is tagged ``agent=<id>`` or carries no agent tag at all."""
    if listed:
        return name in listed
    return agent is None or tags.get("agent", agent) == agent


@register_collector("mlflow")
class MlflowCollector:
    name = "mlflow"

    def location(self, config: FocusConfig) -> str:
        return config.mlflow.tracking_uri

    def prepare(self) -> None:
        from mlflow.tracking import MlflowClient  # noqa: F401  (about a second: done before the deadline starts)

    def collect(self, config: FocusConfig, agent: str | None) -> SourceReport:
        started = time.monotonic()
        uri = config.mlflow.tracking_uri
        client = mlflow_client(uri, config.timeout)
        wanted = config.mlflow.agents.get(agent) if agent else None
        try:
            metrics = self._models(client, wanted, agent) + self._runs(
                client, config, wanted, agent
            )
        except Exception as exc:
            return self.unavailable(config, agent, classify(self.name, uri, exc))
        if not metrics:
            return self.unavailable(
                config,
                agent,
                NoData(
                    "no experiments",
                    f"no registered models and no runs{f' for {agent}' if agent else ''} at {uri}",
                    "log a run: `mlflow.set_tracking_uri(...); mlflow.start_run()`; "
                    "tag experiments with agent=A1 or list them under mlflow.agents in focus.yaml",
                ),
            )
        return SourceReport(self.name, uri, now(), time.monotonic() - started, tuple(metrics))

    def _models(self, client: Any, wanted: AgentFilter | None, agent: str | None) -> list[Metric]:
        found = []
        for model in client.search_registered_models():
            if not _belongs(model.name, model.tags, wanted.models if wanted else [], agent):
                continue
            versions = sorted(model.latest_versions or [], key=lambda v: int(v.version))
            latest = versions[-1].version if versions else None
            aliases = sorted(
                f"@{alias}" for alias, version in (model.aliases or {}).items() if version == latest
            )
            text = " ".join([f"v{latest}" if latest else "no versions", *aliases])
            found.append(
                Metric(
                    self.name,
                    f"model {model.name}",
                    now(),
                    value=float(latest) if latest else None,
                    text=text,
                )
            )
        return found

    def _runs(
        self, client: Any, config: FocusConfig, wanted: AgentFilter | None, agent: str | None
    ) -> list[Metric]:
        found = []
        for experiment in client.search_experiments():
            if not _belongs(
                experiment.name, experiment.tags, wanted.experiments if wanted else [], agent
            ):
                continue
            runs = client.search_runs(
                [experiment.experiment_id],
                order_by=["attributes.start_time DESC"],
                max_results=config.mlflow.runs_per_experiment,
            )
            for run in runs:
                read_at = now()
                run_name = run.info.run_name or run.info.run_id[:8]
                for key, value in sorted(run.data.metrics.items()):
                    found.append(
                        Metric(
                            self.name,
                            f"{experiment.name}/{run_name}: {key}",
                            read_at,
                            value=float(value),
                            labels={
                                "experiment": experiment.name,
                                "run": run_name,
                                "run_id": run.info.run_id,
                            },
                        )
                    )
        return found

    def unavailable(self, config: FocusConfig, agent: str | None, no_data: NoData) -> SourceReport:
        if not no_data.hint:
            no_data = NoData(no_data.reason, no_data.detail, START_HINTS[self.name])
        return SourceReport(self.name, config.mlflow.tracking_uri, now(), 0.0, no_data=no_data)
