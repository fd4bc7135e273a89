"""`focus sync`: values follow the strategy, missing lines are added, nothing is removed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FocusRunner

FOCUS = """\
# A1

## Identity & Mission
- Agent: A1
- Role: ML Engineer
- Favourite editor: vim

## Service Ownership
- mlflow
- my-own-service

## Current Sprint
- [ ] a task

## Portfolio Checklist
- [ ] My own artifact: `docs/mine.md`

## Notes & Learnings
- Role: this is a note, not a field
"""


def test_sync_updates_adds_and_never_removes(repo: Path, focus: FocusRunner) -> None:
    path = repo / "AGENT_FOCUS.md"
    path.write_text(FOCUS)
    (repo / "docs" / "portfolio").mkdir(parents=True)
    (repo / "docs" / "portfolio" / "mlflow.png").write_bytes(b"\x89PNG")
    result = focus("sync", "--json", cwd=repo)
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert "Identity: Role: 'ML Engineer' -> 'MLOps Engineer'" in changes
    assert "Services: + slo-gates" in changes and "Services: + monitoring" in changes
    text = path.read_text()
    assert "- Role: MLOps Engineer\n- Favourite editor: vim\n- Worktree: wt-a1-mlops\n" in text
    assert "- mlflow\n- my-own-service\n- slo-gates\n- monitoring\n" in text
    assert "- [ ] My own artifact: `docs/mine.md`\n- [ ] Architecture overview" in text
    assert "- [x] MLflow screenshot: `docs/portfolio/mlflow.png`" in text  # the file exists
    assert "## Notes & Learnings\n- Role: this is a note, not a field\n" in text
    assert "- [ ] a task\n" in text
    again = focus("sync", "--json", cwd=repo)
    assert json.loads(again.stdout)["changes"] == []
    assert path.read_text() == text


def test_sync_dry_run_writes_nothing(repo: Path, focus: FocusRunner) -> None:
    path = repo / "AGENT_FOCUS.md"
    path.write_text(FOCUS)
    result = focus("sync", "--dry-run", cwd=repo)
    assert result.returncode == 0 and "Would change" in result.stderr
    assert path.read_text() == FOCUS


def test_sync_names_missing_sections_and_unknown_agents(repo: Path, focus: FocusRunner) -> None:
    path = repo / "AGENT_FOCUS.md"
    path.write_text("# A1\n## Current Sprint\n- [ ] x\n")
    result = focus("sync", "--agent", "A1", cwd=repo)
    assert result.returncode == 0
    assert (
        "no Identity & Mission section" in result.stderr
        and "no Service Ownership section" in result.stderr
    )
    assert path.read_text() == "# A1\n## Current Sprint\n- [ ] x\n"
    unknown = focus("sync", "--agent", "A9", cwd=repo)
    assert unknown.returncode == 1 and "names no agent 'A9'" in unknown.stderr
