"""The day across real git worktrees: morning, evening, agents, status --all, brief."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import FocusRunner, commit_yesterday, example_workspace, git


@pytest.fixture
def a1(repo: Path, focus: FocusRunner) -> Path:
    """The A1 worktree, created with `focus agents add` from the example strategy."""
    example_workspace(repo, focus_file=False)
    result = focus("agents", "add", "A1", cwd=repo)
    assert result.returncode == 0, result.stderr
    return repo.parent / "wt-a1-mlops"


def test_agents_add_creates_worktree_branch_focus_file_and_env(
    repo: Path, focus: FocusRunner
) -> None:
    result = focus("agents", "add", "a2", "--json", cwd=repo)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    tree = repo.parent / "wt-a2-genai"
    assert payload == {
        "worktree": str(tree),
        "branch": "agent/a2-genai",
        "created_branch": True,
        "hooks": None,
        "agent": "A2",
    }
    assert git(tree, "rev-parse", "--abbrev-ref", "HEAD").strip() == "agent/a2-genai"
    assert "- Role: GenAI Engineer" in (tree / "AGENT_FOCUS.md").read_text()
    assert (tree / ".agent.env").read_text().startswith("AGENT_ID=A2\n")
    assert git(tree, "check-ignore", ".agent.env").strip() == ".agent.env"
    again = focus("agents", "add", "A2", cwd=repo)
    assert again.returncode == 1 and "already exists" in again.stderr
    unknown = focus("agents", "add", "A9", cwd=repo)
    assert unknown.returncode == 1 and "names no agent 'A9'" in unknown.stderr
    listed = json.loads(focus("agents", "--json", cwd=tree).stdout)
    assert [(s["agent"]["id"], s["branch"]) for s in listed] == [
        (None, "main"),
        ("A2", "agent/a2-genai"),
    ]


def test_morning_with_services_down_and_no_key_goes_on(a1: Path, focus: FocusRunner) -> None:
    commit_yesterday(a1, "notes.txt", "Yesterday's work")
    result = focus("morning", "--json", cwd=a1)
    assert result.returncode == 0, result.stderr
    day = json.loads(result.stdout)
    assert day["agent"] == "A1" and day["date"] == date.today().isoformat()
    assert {s["source"]: s["no_data"]["reason"] for s in day["sources"]} == {
        "mlflow": "refused",
        "prometheus": "refused",
    }
    assert day["plan"]["provider"] == "offline" and day["plan"]["added"]
    # The recap is yesterday's commits: not today's (the example workspace was committed today).
    assert [c["subject"] for c in day["commits"]] == ["Yesterday's work"]
    text = (a1 / "AGENT_FOCUS.md").read_text()
    assert "| mlflow | NO DATA AVAILABLE |" in text
    assert "- [ ] Create MLflow screenshot (`docs/portfolio/mlflow.png`)" in text
    human = focus("morning", cwd=a1)  # a second morning: nothing new to plan, still fine
    assert (
        human.returncode == 0
        and "Morning · A1" in human.stdout
        and "just services-up" in human.stdout
    )


def test_morning_recaps_what_was_ticked_yesterday(a1: Path, focus: FocusRunner) -> None:
    path = a1 / "AGENT_FOCUS.md"
    yesterday = date.fromordinal(date.today().toordinal() - 1).isoformat()
    text = path.read_text().replace(
        "- [ ] Ship an SLO gate that blocks bad deploys",
        f"- [x] Ship an SLO gate that blocks bad deploys ✅ {yesterday}",
    )
    path.write_text(text)
    day = json.loads(focus("morning", "--json", cwd=a1).stdout)
    assert day["ticked_yesterday"] == ["Ship an SLO gate that blocks bad deploys"]


def test_morning_plans_offline_when_the_configured_provider_has_no_key(
    a1: Path, focus: FocusRunner
) -> None:
    (a1 / "focus.yaml").write_text(
        (a1 / "focus.yaml").read_text() + "planner:\n  provider: anthropic\n"
    )
    day = json.loads(focus("morning", "--json", cwd=a1).stdout)
    assert "ANTHROPIC_API_KEY is not set; planning offline instead" in day["notes"][0]
    assert day["plan"]["provider"] == "offline"


def test_evening_commits_the_focus_file_alone(a1: Path, focus: FocusRunner) -> None:
    assert focus("complete", "ship an slo gate", cwd=a1).returncode == 0
    (a1 / "staged.txt").write_text("staged but not ours\n")
    git(a1, "add", "staged.txt")
    git(a1, "add", "-f", ".agent.env")  # even force-staged, it must not be committed
    (a1 / "AI_JOB_STRATEGY.md").write_text(
        (a1 / "AI_JOB_STRATEGY.md").read_text() + "\nunstaged edit\n"
    )
    head = git(a1, "rev-parse", "HEAD").strip()

    result = focus("evening", "--json", cwd=a1)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["commit"]["committed"] is True
    assert git(a1, "rev-parse", "HEAD~1").strip() == head
    assert git(a1, "show", "--name-only", "--format=", "HEAD").split() == ["AGENT_FOCUS.md"]
    message = git(a1, "log", "-1", "--format=%B")
    assert message.startswith("focus(A1): 1 done today, portfolio 0/4\n")
    assert "- Ship an SLO gate that blocks bad deploys" in message
    status = git(a1, "status", "--porcelain")
    assert (
        "A  staged.txt" in status
        and "A  .agent.env" in status
        and " M AI_JOB_STRATEGY.md" in status
    )
    readiness = payload["readiness"]
    assert readiness["role"] == "MLOps Engineer"
    assert {p["priority"]: p["state"] for p in readiness["priorities"]}[
        "Ship an SLO gate that blocks bad deploys"
    ] == "done"
    assert [m["name"] for m in readiness["missing"]][:2] == [
        "Architecture overview",
        "MLflow screenshot",
    ]


def test_evening_without_changes_or_with_no_commit_commits_nothing(
    a1: Path, focus: FocusRunner
) -> None:
    focus("evening", cwd=a1)  # commits the new focus file
    head = git(a1, "rev-parse", "HEAD").strip()
    # Metrics are rewritten with a new time, so use --no-commit to prove the flag holds.
    result = focus("evening", "--no-commit", "--json", cwd=a1)
    assert result.returncode == 0 and json.loads(result.stdout)["commit"] is None
    assert git(a1, "rev-parse", "HEAD").strip() == head


def test_status_all_over_twenty_worktrees_from_any_of_them(repo: Path, focus: FocusRunner) -> None:
    init = "import sys; from pathlib import Path; from agent_focus.actions.init import init_agent; " \
           "from agent_focus.readers.workspace import Workspace; t = Path(sys.argv[1]); " \
           "init_agent(Workspace(t, t / 'AGENT_FOCUS.md', sys.argv[2]), sys.argv[2])"  # fmt: skip
    for n in range(1, 21):
        tree = repo.parent / f"wt-{n:02d}"
        git(repo, "worktree", "add", "-q", "-b", f"agent/a{n}", str(tree))
        subprocess.run(
            [sys.executable, "-c", init, str(tree), f"A{n}"], check=True, capture_output=True
        )
    (repo.parent / "wt-07" / "AGENT_FOCUS.md").write_bytes(b"\xff broken")
    result = focus("status", "--all", "--json", cwd=repo.parent / "wt-13")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert len(found) == 20  # the main checkout has no focus file
    assert [s["agent"]["id"] for s in found] == [f"A{n}" for n in range(1, 21)]
    assert found[0]["agent"]["role"] == "MLOps Engineer" and found[0]["sprint"]["total"] == 3
    assert "not valid UTF-8" in found[6]["error"]
    human = focus("status", "--all", cwd=repo)
    assert "wt-20" in human.stdout and "agent/a20" in human.stdout


def test_status_all_outside_git_is_a_clear_error(tmp_path: Path, focus: FocusRunner) -> None:
    result = focus("status", "--all", cwd=tmp_path)
    assert result.returncode == 1 and "not inside a git repository" in result.stderr


def test_brief_names_the_agent_its_tasks_gaps_and_commands(a1: Path, focus: FocusRunner) -> None:
    result = focus("brief", cwd=a1)
    assert result.returncode == 0
    text = result.stdout
    assert text.startswith(
        "I am Agent A1, MLOps Engineer, working in wt-a1-mlops (branch agent/a1-mlops)."
    )
    assert "1. Ship an SLO gate that blocks bad deploys" in text
    assert "- SLO demo video: docs/portfolio/slo-demo.mp4" in text
    assert 'focus complete "task"' in text and "NO DATA AVAILABLE means the service is down" in text
