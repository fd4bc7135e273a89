"""Shared fixtures: real git repositories in tmp dirs, and the real `focus` CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FOCUS_FIXTURES = FIXTURES / "focusfiles"
REPO_ROOT = Path(__file__).parent.parent
# A frozen copy of the bundled example workspace: the top-level files are the user's demo,
# which `focus morning` and friends rewrite.
EXAMPLE_DIR = FIXTURES / "example"


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's own focus file, strategy, agent or git settings."""
    for name in (
        "FOCUS_FILE", "FOCUS_STRATEGY", "FOCUS_CONFIG", "FOCUS_STATE_DIR", "FOCUS_TIMEOUT", "AGENT_ID",
        "FOCUS_DEBUG", "MLFLOW_TRACKING_URI", "PROMETHEUS_URL", "ANTHROPIC_API_KEY", "OPENAI_API_KEY",
        "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))  # a journal outside git lands here
    # No test reads the developer's own Claude Code or Codex logs.
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home / "claude"))
    monkeypatch.setenv("CODEX_HOME", str(home / "codex"))
    gitconfig = home / "gitconfig"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    gitconfig.write_text(
        "[user]\n\tname = Focus Test\n\temail = test@localhost\n[init]\n\tdefaultBranch = main\n"
    )


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def commit_yesterday(repo: Path, name: str, message: str) -> None:
    """Add a file ``name`` and commit it, dated yesterday at noon (local time)."""
    noon = f"{date.today() - timedelta(days=1)}T12:00:00"
    (repo / name).write_text(name)
    git(repo, "add", name)
    subprocess.run(
        ["git", "commit", "-qm", message], cwd=repo, check=True, capture_output=True,
        env={**os.environ, "GIT_AUTHOR_DATE": noon, "GIT_COMMITTER_DATE": noon},
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh git repository with one commit, holding the example strategy."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "AI_JOB_STRATEGY.md").write_bytes((EXAMPLE_DIR / "AI_JOB_STRATEGY.md").read_bytes())
    git(root, "add", "-A")
    git(root, "commit", "-qm", "strategy")
    return root


@pytest.fixture
def two_agents(repo: Path, focus: FocusRunner) -> tuple[Path, Path]:
    """The example clone with agents A1 and A2 in their worktrees (`focus agents add`)."""
    example_workspace(repo, focus_file=False)
    for agent in ("A1", "A2"):
        assert focus("agents", "add", agent, cwd=repo).returncode == 0
    return repo.parent / "wt-a1-mlops", repo.parent / "wt-a2-genai"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


FocusRunner = Callable[..., Result]


@pytest.fixture
def focus() -> FocusRunner:
    """Run the real `focus` CLI in a subprocess: ``focus("status", "--json", cwd=path)``."""

    def run(
        *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
    ) -> Result:
        full_env = {**os.environ, **(env or {})}
        done = subprocess.run(
            [sys.executable, "-m", "agent_focus", *args],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


def examples(count: int) -> dict[str, Any]:
    """Hypothesis settings for a property: ``count`` examples, or, under `just mutants`
    (FOCUS_MUTANTS=1), a tenth of them, derandomized so that a mutant's verdict is stable."""
    if os.environ.get("FOCUS_MUTANTS"):
        return {"max_examples": max(count // 10, 20), "derandomize": True, "database": None}
    return {"max_examples": count}


def skip_unless_ci(reason: str, *, allow_module_level: bool = False) -> None:
    """Skip on a user's machine that lacks something; under CI=true a lack is a failure
    (at module level, a collection error: the run fails too)."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must have this: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=allow_module_level)


# --- real Prometheus and MLflow servers, started once per test session ------------------

EXPORTED = {
    'demo_latency_seconds{service="api"}': "0.23",
    'demo_latency_seconds{service="batch"}': "0.41",
    "demo_error_ratio": "0.01",
    "demo_nan_gauge": "NaN",
}


@dataclass
class LiveServers:
    prometheus_url: str
    mlflow_url: str
    logged: dict[str, float]


@pytest.fixture(scope="session")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus (Debian's `prometheus`) scraping a test exporter every second."""
    import json
    import shutil
    import time
    import urllib.parse
    import urllib.request

    from agent_focus.metrics.local_services import free_port, start_prometheus
    from tests.servers import Exporter

    if shutil.which("prometheus") is None:
        skip_unless_ci("no `prometheus` binary (apt-get install -y prometheus)")
    with Exporter(dict(EXPORTED)) as exporter:
        service = start_prometheus(
            tmp_path_factory.mktemp("prometheus"), free_port(), [exporter.address], interval="1s"
        )
        try:
            # Ready means scraped: wait until the exporter's gauges can be queried.
            query = urllib.parse.quote("demo_error_ratio")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with urllib.request.urlopen(
                    f"{service.url}/api/v1/query?query={query}", timeout=2
                ) as r:
                    if json.load(r)["data"]["result"]:
                        break
                time.sleep(0.3)
            else:
                raise RuntimeError("Prometheus never scraped the exporter")
            yield service.url
        finally:
            service.stop()


def _start_mlflow(folder: Path) -> Any:
    from agent_focus.metrics.local_services import free_port, mlflow_command, start_mlflow

    if mlflow_command() is None:
        skip_unless_ci("no MLflow server (pip install -e '.[dev]' brings the full `mlflow`)")
    return start_mlflow(folder, free_port())


@pytest.fixture(scope="session")
def mlflow_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, float]]]:
    """A real MLflow tracking server (SQLite backend) holding runs and a model, logged for real."""
    service = _start_mlflow(tmp_path_factory.mktemp("mlflow"))
    try:
        from mlflow.tracking import MlflowClient

        client = MlflowClient(service.url)
        logged = {"accuracy": 0.912, "f1": 0.874, "faithfulness": 0.77}
        churn = client.create_experiment("churn-training", tags={"agent": "A1"})
        run = client.create_run(churn, run_name="baseline")
        client.log_metric(run.info.run_id, "accuracy", logged["accuracy"])
        client.log_metric(run.info.run_id, "f1", logged["f1"])
        client.set_terminated(run.info.run_id)
        client.create_registered_model("churn-clf", tags={"agent": "A1"})
        version = client.create_model_version(
            "churn-clf", f"runs:/{run.info.run_id}/model", run.info.run_id
        )
        client.set_registered_model_alias("churn-clf", "champion", version.version)
        rag = client.create_experiment("rag-eval", tags={"agent": "A2"})
        rag_run = client.create_run(rag, run_name="eval-1")
        client.log_metric(rag_run.info.run_id, "faithfulness", logged["faithfulness"])
        client.set_terminated(rag_run.info.run_id)
        yield service.url, logged
    finally:
        service.stop()


@pytest.fixture(scope="session")
def empty_mlflow_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second real MLflow server on which nothing was ever logged."""
    service = _start_mlflow(tmp_path_factory.mktemp("mlflow-empty"))
    try:
        yield service.url
    finally:
        service.stop()


@pytest.fixture
def live(prometheus_url: str, mlflow_url: tuple[str, dict[str, float]]) -> LiveServers:
    return LiveServers(prometheus_url, mlflow_url[0], mlflow_url[1])


def example_workspace(repo: Path, extra_yaml: str = "", *, focus_file: bool = True) -> Path:
    """The example A1 focus file in ``repo``, with a focus.yaml whose MLflow and Prometheus
    are dead (nothing listens there), committed: a realistic offline workspace."""
    from tests.servers import closed_port_url

    if focus_file:
        (repo / "AGENT_FOCUS.md").write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    dead = closed_port_url()
    (repo / "focus.yaml").write_text(
        f"mlflow:\n  tracking_uri: {dead}\nprometheus:\n  url: {dead}\n{extra_yaml}"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "example workspace with dead services")
    return repo
