"""focus.yaml: where the services are, the SLOs, and the timeouts. Optional; env overrides.

Loaded only by the commands that need it (pydantic and PyYAML are not start-up imports).
A bad file gets one error naming the key and its line.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from agent_focus.config_alerts import AlertError, AlertRule
from agent_focus.errors import FocusError
from agent_focus.readers.workspace import config_path

DEFAULT_MLFLOW_URI = "http://127.0.0.1:5000"
DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:9090"


class ConfigError(FocusError):
    """focus.yaml cannot be read or does not validate."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgentFilter(_Strict):
    """Which experiments and registered models belong to one agent."""

    experiments: list[str] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list)


class MlflowConfig(_Strict):
    tracking_uri: str = DEFAULT_MLFLOW_URI
    runs_per_experiment: int = Field(default=3, ge=1, le=50)
    agents: dict[str, AgentFilter] = Field(default_factory=dict)


class PromQuery(_Strict):
    """A custom instant query shown among the metrics."""

    name: str = Field(min_length=1, max_length=80)
    query: str = Field(min_length=1)
    agent: str | None = None


class PrometheusConfig(_Strict):
    url: str = DEFAULT_PROMETHEUS_URL
    queries: list[PromQuery] = Field(default_factory=list)


class Slo(_Strict):
    """A service-level objective: a PromQL query and a bound (``max`` or ``min``)."""

    name: str = Field(min_length=1, max_length=80)
    query: str = Field(min_length=1)
    max: float | None = None
    min: float | None = None
    agent: str | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Slo:
        if (self.max is None) == (self.min is None):
            raise ValueError("give exactly one of max: or min:")
        return self

    @property
    def target(self) -> str:
        return f"<= {self.max:g}" if self.max is not None else f">= {self.min:g}"

    def met_by(self, value: float) -> bool:
        return value <= self.max if self.max is not None else value >= (self.min or 0.0)


class Price(_Strict):
    """US dollars per million tokens."""

    # finite: an infinite price makes NaN of a call with none of those tokens (0 x inf)
    input: float = Field(ge=0, allow_inf_nan=False)
    output: float = Field(ge=0, allow_inf_nan=False)
    cached_input: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    cache_write: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class PlannerConfig(_Strict):
    """How `focus plan` plans: which provider and model, and how big a sprint may grow."""

    provider: str = "auto"  # auto, offline, anthropic, openai (or any registered one)
    model: str | None = None
    base_url: str | None = None  # an OpenAI-compatible server: Ollama, vLLM, LM Studio
    sprint_size: int = Field(default=8, ge=1, le=50, description="open tasks at most")
    max_new_tasks: int = Field(default=5, ge=1, le=20)
    timeout: float = Field(default=60.0, gt=0, le=600)
    max_retries: int = Field(default=2, ge=0, le=10)
    include_notes: bool = False  # send Notes & Learnings to the provider (opt-in)
    prices: dict[str, Price] = Field(default_factory=dict)


class FocusConfig(_Strict):
    mlflow: MlflowConfig = Field(default_factory=MlflowConfig)
    prometheus: PrometheusConfig = Field(default_factory=PrometheusConfig)
    slos: list[Slo] = Field(default_factory=list)
    planner: PlannerConfig = Field(default_factory=PlannerConfig)
    timeout: float = Field(default=3.0, gt=0, le=120, description="seconds, per command")
    hooks: bool = False  # `focus agents add` installs the agent hooks in the new worktree
    budgets: dict[str, float] = Field(default_factory=dict)  # dollars per agent per local day
    alerts: list[AlertRule] = Field(default_factory=list)
    path: Path | None = Field(default=None, exclude=True)
    # When the command that loaded this config started (time.monotonic); kept by model_copy.
    _started: float = PrivateAttr(default_factory=time.monotonic)

    @property
    def deadline(self) -> float:
        """When this command's network work must be over (time.monotonic): its start plus
        ``timeout``. The collectors and the MLflow mirror of one command share it."""
        return self._started + self.timeout

    @field_validator("slos")
    @classmethod
    def _unique_names(cls, slos: list[Slo]) -> list[Slo]:
        names = [slo.name for slo in slos]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two SLOs are named {name!r}")
        return slos

    @field_validator("budgets")
    @classmethod
    def _budgets(cls, budgets: dict[str, float]) -> dict[str, float]:
        for agent, dollars in budgets.items():
            if dollars < 0:
                raise ValueError(f"{agent}: a budget is dollars, 0 or more")
        return {agent.upper(): dollars for agent, dollars in budgets.items()}

    @model_validator(mode="after")
    def _alerts(self) -> FocusConfig:
        names = [rule.name for rule in self.alerts]
        for index, rule in enumerate(self.alerts):
            if rule.name in names[:index]:
                raise AlertError(index, f"two alerts are named {rule.name!r} (give name:)")
            if rule.when != "over_budget":
                continue
            if not self.budgets:
                raise AlertError(index, "over_budget needs budgets: {A1: 20} (dollars a day)")
            if rule.agent is not None and rule.agent not in self.budgets:
                raise AlertError(index, f"over_budget for {rule.agent}, who has no budget")
        return self

    def slos_for(self, agent: str | None) -> list[Slo]:
        """This agent's SLOs and the unassigned ones; all of them when no agent is given."""
        return [s for s in self.slos if agent is None or s.agent in (None, agent)]


def parse_config(text: str, path: Path) -> FocusConfig:
    """Validate focus.yaml text. Errors name the key and line (config_yaml reads the YAML
    strictly: duplicate keys, alias bombs and control characters are errors)."""
    from agent_focus.config_yaml import BadYaml, line_map, load_yaml

    try:
        data, node = load_yaml(text)
    except BadYaml as exc:
        raise ConfigError(exc.message, path=path, line=exc.line) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            "must be a mapping of settings (mlflow:, prometheus:, slos:, ...)", path=path, line=1
        )
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        line_map(node, (), lines)
    try:
        return FocusConfig.model_validate({**data, "path": path})
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, AlertError):  # a rule wrong among the others: its own line
            loc = ("alerts", cause.index)
        line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
        key = ".".join(str(part) for part in loc) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            guide = "alerts" if loc[0] in ("alerts", "budgets") else "metrics"
            message = f"unknown setting (see docs/{guide}.md for the keys)"
        raise ConfigError(f"{key}: {message}", path=path, line=line) from None


def load_config(root: Path) -> FocusConfig:
    """focus.yaml for the worktree at ``root`` (defaults when there is none), with env overrides."""
    path = config_path(root)
    config = FocusConfig()
    if path is not None:
        from agent_focus.focusfile.files import read_regular_file

        raw = read_regular_file(path, missing="no such file", error=ConfigError)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ConfigError("is not valid UTF-8", path=path, line=line) from None
        config = parse_config(text, path)
    updates: dict[str, Any] = {}
    if os.environ.get("MLFLOW_TRACKING_URI"):
        updates["mlflow"] = config.mlflow.model_copy(
            update={"tracking_uri": os.environ["MLFLOW_TRACKING_URI"]}
        )
    if os.environ.get("PROMETHEUS_URL"):
        updates["prometheus"] = config.prometheus.model_copy(
            update={"url": os.environ["PROMETHEUS_URL"]}
        )
    if os.environ.get("FOCUS_TIMEOUT"):
        try:
            updates["timeout"] = float(os.environ["FOCUS_TIMEOUT"])
        except ValueError:
            raise ConfigError(
                f"FOCUS_TIMEOUT={os.environ['FOCUS_TIMEOUT']!r} is not a number of seconds"
            ) from None
    return config.model_copy(update=updates) if updates else config
