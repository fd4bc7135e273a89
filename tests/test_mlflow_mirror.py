"""The MLflow mirror against the real MLflow tracking server fixture: plans and evening
summaries become runs, `focus usage --source mlflow` reads them back, a dead server
blocks nothing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE_DIR, FocusRunner, git
from tests.llm_server import LLMServer, anthropic_tool_reply
from tests.servers import closed_port_url

# claude-sonnet-4-5: $3 in, $15 out, $0.30 cache read per million tokens.
SONNET_CALL_USD = 10 * 3e-6 + 100 * 15e-6 + 1000 * 0.3e-6


def claude_call(cwd: Path) -> str:
    """A Claude Code assistant record of a second ago in ``cwd``: 10 in, 100 out, 1,000 read."""
    when = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="milliseconds")
    entry = {
        "cwd": str(cwd), "sessionId": "s1", "isSidechain": False, "type": "assistant",
        "timestamp": when.replace("+00:00", "Z"), "requestId": "req_1",
        "message": {"id": "msg_1", "model": "claude-sonnet-4-5-20250929", "usage": {
            "input_tokens": 10, "output_tokens": 100, "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 1000}},
    }  # fmt: skip
    return json.dumps(entry, separators=(",", ":")) + "\n"


def runs(mlflow_url: str, agent: str, kind: str) -> list[Any]:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(mlflow_url)
    experiment = client.get_experiment_by_name("agent-focus")
    if experiment is None:
        return []
    return client.search_runs(
        [experiment.experiment_id],
        filter_string=f"tags.agent = '{agent}' and tags.kind = '{kind}'",
        max_results=1000,
    )


@pytest.fixture
def workspace(repo: Path, mlflow_url: tuple[str, dict[str, float]]) -> Iterator[Path]:
    (repo / "AGENT_FOCUS.md").write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    (repo / "focus.yaml").write_text(
        f"mlflow:\n  tracking_uri: {mlflow_url[0]}\nprometheus:\n  url: {closed_port_url()}\ntimeout: 20\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "workspace")
    yield repo


def test_a_plan_becomes_an_mlflow_run(
    workspace: Path, focus: FocusRunner, mlflow_url: tuple[str, dict[str, float]]
) -> None:
    (workspace / ".agent.env").write_text("AGENT_ID=A1\n")
    before = len(runs(mlflow_url[0], "A1", "plan"))
    result = focus("plan", "--json", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert result.stdout, result.stderr
    added = json.loads(result.stdout)["added"]
    after = runs(mlflow_url[0], "A1", "plan")
    assert len(after) == before + 1
    newest = max(after, key=lambda r: r.info.start_time)
    assert newest.data.tags["provider"] == "offline" and newest.data.tags["model"] == "rules"
    assert newest.data.metrics["tasks_added"] == len(added) > 0
    assert newest.info.status == "FINISHED"


def test_llm_usage_in_mlflow_matches_the_local_log(
    workspace: Path, focus: FocusRunner, mlflow_url: tuple[str, dict[str, float]]
) -> None:
    (workspace / ".agent.env").write_text("AGENT_ID=A7\n")  # an agent no other test uses
    plan = {
        "summary": "s",
        "tasks": [
            {
                "title": "Script the SLO demo",
                "reason": "r",
                "serves_kind": "portfolio",
                "serves": "SLO demo video",
                "priority": "high",
                "estimate_hours": 2,
            }
        ],
    }
    with LLMServer() as llm:
        llm.script(
            anthropic_tool_reply(
                plan,
                input_tokens=1500,
                output_tokens=200,
                cache_read=1200,
                model="claude-sonnet-4-5",
            )
        )
        env = {"ANTHROPIC_API_KEY": "sk-ant-test-mirror", "ANTHROPIC_BASE_URL": llm.url}
        result = focus("plan", "--provider", "anthropic", cwd=workspace, env=env)
    assert result.returncode == 0, result.stderr
    (run,) = runs(mlflow_url[0], "A7", "plan")
    local = (
        sqlite3.connect(workspace / ".git" / "agent-focus" / "focus.db")
        .execute("SELECT input_tokens, output_tokens, cached_tokens, cost_usd FROM llm_calls")
        .fetchone()
    )
    metrics = run.data.metrics
    assert (
        (metrics["input_tokens"], metrics["output_tokens"], metrics["cached_tokens"])
        == local[:3]
        == (1500, 200, 1200)
    )
    assert metrics["cost_usd"] == pytest.approx(local[3])
    assert (
        run.data.tags["provider"] == "anthropic" and run.data.tags["model"] == "claude-sonnet-4-5"
    )
    team = json.loads(
        focus("usage", "--source", "mlflow", "--by", "agent", "--json", cwd=workspace).stdout
    )
    row = next(r for r in team["rows"] if r["agent"] == "A7")
    assert row["source"] == "planner" and "total" in team
    assert row["plans"] == 1 and row["calls"] == 1 and row["input_tokens"] == 1500
    assert row["cost_usd"] == pytest.approx(local[3])


def test_an_evening_summary_becomes_an_mlflow_run(
    workspace: Path, focus: FocusRunner, mlflow_url: tuple[str, dict[str, float]], tmp_path: Path
) -> None:
    (workspace / ".agent.env").write_text("AGENT_ID=A8\n")
    assert focus("complete", "log the baseline", cwd=workspace).returncode == 0
    claude = tmp_path / "claude"
    (claude / "projects" / "p").mkdir(parents=True)
    (claude / "projects" / "p" / "s.jsonl").write_text(claude_call(workspace))
    env = {"CLAUDE_CONFIG_DIR": str(claude)}
    result = focus("evening", "--json", cwd=workspace, env=env)
    assert result.returncode == 0, result.stderr
    sha = json.loads(result.stdout)["commit"]["sha"]
    (run,) = runs(mlflow_url[0], "A8", "evening")
    assert run.data.tags["commit"] == sha
    assert run.data.metrics["tasks_done_today"] == 1 and run.data.metrics["portfolio_total"] == 4
    # the agent's spend of the day: its one Claude Code call, priced
    assert run.data.metrics["model_calls_today"] == 1
    assert run.data.metrics["model_cost_usd_today"] == pytest.approx(SONNET_CALL_USD)
    (usage,) = runs(mlflow_url[0], "A8", "usage")  # and its day, as a usage run
    assert usage.data.metrics["calls"] == 1 and usage.data.tags["clone"] == run.data.tags["clone"]
    assert usage.data.metrics["cost_usd"] == pytest.approx(SONNET_CALL_USD)


def test_a_dead_server_blocks_nothing(repo: Path, focus: FocusRunner) -> None:
    (repo / "AGENT_FOCUS.md").write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    dead = closed_port_url()
    (repo / "focus.yaml").write_text(
        f"mlflow:\n  tracking_uri: {dead}\nprometheus:\n  url: {dead}\n"
    )
    result = focus("plan", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert f"MLflow mirror skipped: refused at {dead} (the local journal has it)" in result.stderr
    assert [e["kind"] for e in json.loads(focus("log", "--json", cwd=repo).stdout)] == ["plan"]
    team = focus("usage", "--source", "mlflow", cwd=repo)
    assert team.returncode == 4 and "NO DATA AVAILABLE from MLflow: refused" in team.stderr


def test_no_configured_server_means_no_mirror(repo: Path, focus: FocusRunner) -> None:
    (repo / "AGENT_FOCUS.md").write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    (repo / "focus.yaml").write_text(
        f"prometheus:\n  url: {closed_port_url()}\n"
    )  # no mlflow section
    result = focus("plan", cwd=repo)
    assert result.returncode == 0 and "MLflow mirror" not in result.stderr
