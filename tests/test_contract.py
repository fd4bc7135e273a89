"""The CLI contract (DESIGN.md): usage errors exit 2 naming the valid values, no data exits 4,
the CLI and the MCP server answer the same object, and a pipe gets one dashboard frame."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_DIR, FocusRunner, example_workspace, git, skip_unless_ci


@pytest.fixture
def workspace(repo: Path) -> Path:
    return example_workspace(repo)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["usage", "--by", "week"], ["provider", "model", "agent", "day"]),
        (["usage", "--source", "team"], ["local", "mlflow"]),
        (["log", "--since", "soon"], ["30m", "today", "ISO"]),
        (["plan", "--provider", "gemini"], ["auto", "offline", "anthropic", "openai"]),
        (["plan", "--fallback", "gemini"], ["offline"]),
        (["morning", "--provider", "gemini"], ["offline"]),
        (["metrics", "--source", "mlfow"], ["mlflow", "prometheus"]),
    ],
    ids=[
        "usage-by",
        "usage-source",
        "log-since",
        "plan-provider",
        "plan-fallback",
        "morning-provider",
        "metrics-source",
    ],
)
def test_a_value_we_do_not_know_is_a_usage_error_naming_the_valid_ones(
    workspace: Path, focus: FocusRunner, args: list[str], names: list[str]
) -> None:
    before = (workspace / "AGENT_FOCUS.md").read_bytes()
    result = focus(*args, cwd=workspace)
    assert result.returncode == 2, (result.returncode, result.stderr)
    message = " ".join(result.stderr.split())
    assert all(name in message for name in names), message
    assert (workspace / "AGENT_FOCUS.md").read_bytes() == before


def test_team_usage_with_mlflow_down_is_no_data(workspace: Path, focus: FocusRunner) -> None:
    result = focus("usage", "--source", "mlflow", "--json", cwd=workspace)
    assert result.returncode == 4, result.stderr
    assert "NO DATA AVAILABLE" in result.stderr
    assert json.loads(result.stdout)["exit_code"] == 4


def test_no_slo_configured_is_no_data_with_the_reason(workspace: Path, focus: FocusRunner) -> None:
    human = focus("slo", cwd=workspace)
    assert human.returncode == 4 and "no SLO configured" in human.stderr
    payload = json.loads(focus("slo", "--json", cwd=workspace).stdout)
    assert payload["exit_code"] == 4 and "no SLO configured" in payload["reason"]
    assert payload["slos"] == []


def test_a_dashboard_on_a_pipe_prints_one_frame_and_exits(
    workspace: Path, focus: FocusRunner
) -> None:
    result = focus("dashboard", cwd=workspace, timeout=30)  # stdout is a pipe
    assert result.returncode == 0, result.stderr
    assert "agent-focus dashboard" in result.stdout and "A1" in result.stdout


def test_init_in_another_checkout_writes_where_it_really_is(repo: Path, focus: FocusRunner) -> None:
    result = focus("init", "--agent", "A1", cwd=repo)
    assert result.returncode == 0, result.stderr
    text = (repo / "AGENT_FOCUS.md").read_text()
    assert f"- Worktree: {repo.name}\n" in text and "- Branch: main\n" in text
    assert "wt-a1-mlops" not in text  # the strategy's worktree is not this one
    assert "focus agents add A1" in " ".join(result.stderr.split())


def test_agents_add_writes_the_new_worktree_and_its_branch(repo: Path, focus: FocusRunner) -> None:
    assert focus("agents", "add", "A1", cwd=repo).returncode == 0
    tree = repo.parent / "wt-a1-mlops"
    text = (tree / "AGENT_FOCUS.md").read_text()
    branch = git(tree, "branch", "--show-current").strip()
    assert "- Worktree: wt-a1-mlops\n" in text and f"- Branch: {branch}\n" in text


def test_events_of_one_worktree_carry_one_agent_id(repo: Path, focus: FocusRunner) -> None:
    """`complete` used to log the Identity section's id, other events `.agent.env`'s."""
    path = repo / "AGENT_FOCUS.md"
    text = (EXAMPLE_DIR / "AGENT_FOCUS.md").read_text()
    path.write_text(text.replace("- Agent: A1\n", "- Agent: a1 (MLOps)\n", 1))
    assert "- Agent: a1 (MLOps)\n" in path.read_text()
    focus("complete", "2", cwd=repo)
    focus("sync", cwd=repo)
    focus("complete", "3", cwd=repo, env={"AGENT_ID": "a1"})
    events = json.loads(focus("log", "--json", cwd=repo).stdout)
    assert len(events) >= 3 and {e["agent"] for e in events} == {"A1"}


def _mcp_calls(workspace: Path, calls: list[tuple[str, dict[str, object]]]) -> list[object]:
    from tests.test_mcp import payload, session_calls

    _names, results = asyncio.run(asyncio.wait_for(session_calls(workspace, calls), timeout=60))
    return [payload(r) for r in results]


def test_the_cli_and_mcp_answer_the_same_object(workspace: Path, focus: FocusRunner) -> None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        skip_unless_ci("the MCP SDK (pip install -e '.[dev]')")
    cli_slo = json.loads(focus("slo", "--json", cwd=workspace).stdout)
    cli_done = json.loads(focus("complete", "2", "--json", cwd=workspace).stdout)
    mcp_slo, mcp_again = _mcp_calls(workspace, [("slo", {}), ("complete", {"task": "2"})])
    assert mcp_slo == cli_slo
    # The same task again: both say it was already done, with the date it was done.
    assert cli_done["status"] == "completed"
    assert mcp_again == {**cli_done, "status": "already_done"}


def test_services_status_says_what_runs(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    done = subprocess.run(
        [sys.executable, "-m", "agent_focus", "services", "status", "--json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 4  # nothing started: not running is no data
    assert [(s["name"], s["running"]) for s in json.loads(done.stdout)] == [
        ("mlflow", False),
        ("prometheus", False),
    ]
