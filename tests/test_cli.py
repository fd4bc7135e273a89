"""The `focus` CLI as a user runs it: a real process, real files in a real git repository."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_DIR, FOCUS_FIXTURES, REPO_ROOT, FocusRunner, skip_unless_ci

EXAMPLE = (EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes()


@pytest.fixture
def workspace(repo: Path) -> Path:
    """The bundled example workspace, copied into a fresh repo."""
    (repo / "AGENT_FOCUS.md").write_bytes(EXAMPLE)
    art = repo / "docs" / "portfolio"
    art.mkdir(parents=True)
    (art / "a1-architecture.md").write_text("# arch\n")
    return repo


def test_status_json_follows_the_contract(workspace: Path, focus: FocusRunner) -> None:
    result = focus("status", "--json", cwd=workspace)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["agent"] == {"id": "A1", "role": "MLOps Engineer"}
    assert data["sprint"]["done"] == 1 and data["sprint"]["total"] == 4
    assert data["sprint"]["tasks"][0] == {
        "title": "Set up MLflow tracking server with a SQLite backend",
        "done": True,
        "line": 18,
        "completed_on": "2026-11-20",
    }
    items = {i["name"]: i for i in data["portfolio"]["items"]}
    assert items["Architecture overview"]["exists"] is True
    assert items["MLflow screenshot"]["exists"] is False
    assert data["portfolio"] == {**data["portfolio"], "done": 1, "total": 4}
    assert (workspace / "AGENT_FOCUS.md").read_bytes() == EXAMPLE


def test_status_shows_real_file_state_not_the_box(workspace: Path, focus: FocusRunner) -> None:
    (workspace / "docs" / "portfolio" / "mlflow.png").write_bytes(b"\x89PNG")
    (workspace / "docs" / "portfolio" / "a1-architecture.md").unlink()
    result = focus("status", cwd=workspace, env={"COLUMNS": "120"})
    assert result.returncode == 0
    assert re.search(
        r"\[x\] MLflow screenshot +docs/portfolio/mlflow\.png +\(exists\)", result.stdout
    )
    assert re.search(
        r"\[ \] Architecture overview +docs/portfolio/a1-architecture\.md +\(missing\)",
        result.stdout,
    )
    assert "2. Log the baseline model's metrics to MLflow" in result.stdout
    assert (workspace / "AGENT_FOCUS.md").read_bytes() == EXAMPLE


def test_status_finds_the_focus_file_from_a_subdirectory(
    workspace: Path, focus: FocusRunner
) -> None:
    result = focus("status", "--json", cwd=workspace / "docs" / "portfolio")
    assert json.loads(result.stdout)["agent"]["id"] == "A1"


def test_focus_file_env_var_is_the_default_file(
    workspace: Path, focus: FocusRunner, tmp_path: Path
) -> None:
    other = tmp_path / "other.md"
    other.write_bytes((FOCUS_FIXTURES / "crlf.md").read_bytes())
    result = focus("status", "--json", cwd=workspace, env={"FOCUS_FILE": str(other)})
    assert json.loads(result.stdout)["sprint"]["total"] == 3


def test_complete_ticks_one_line_and_stamps_today(workspace: Path, focus: FocusRunner) -> None:
    result = focus("complete", "log the baseline", "--json", cwd=workspace)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["status"] == "completed" and payload["matched_by"] == "prefix"
    today = date.today().isoformat()
    after = (workspace / "AGENT_FOCUS.md").read_text()
    expected = EXAMPLE.decode().replace(
        "- [ ] Log the baseline model's metrics to MLflow\n",
        f"- [x] Log the baseline model's metrics to MLflow ✅ {today}\n",
    )
    assert after == expected
    assert "Completed: Log the baseline model's metrics to MLflow" in result.stderr


def test_completing_a_done_task_is_a_no_op_with_a_message(
    workspace: Path, focus: FocusRunner
) -> None:
    path = workspace / "AGENT_FOCUS.md"
    stamp = path.stat().st_mtime_ns
    result = focus("complete", "Set up MLflow tracking server with a SQLite backend", cwd=workspace)
    assert result.returncode == 0
    assert "Already done" in result.stderr and "2026-11-20" in result.stderr
    assert path.read_bytes() == EXAMPLE and path.stat().st_mtime_ns == stamp


def test_unknown_task_exits_1_lists_candidates_and_leaves_the_file(
    workspace: Path, focus: FocusRunner
) -> None:
    result = focus("complete", "record the slo talk", "--json", cwd=workspace)
    assert result.returncode == 1
    assert "no task matches" in result.stderr and "  - Record the SLO demo video" in result.stderr
    assert json.loads(result.stdout)["candidates"] == ["Record the SLO demo video"]
    assert (workspace / "AGENT_FOCUS.md").read_bytes() == EXAMPLE
    assert "Traceback" not in result.stderr


def test_ambiguous_task_exits_1_and_leaves_the_file(tmp_path: Path, focus: FocusRunner) -> None:
    path = tmp_path / "f.md"
    path.write_bytes((FOCUS_FIXTURES / "near-duplicates.md").read_bytes())
    result = focus("complete", "deploy", "--file", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "matches 2 tasks" in result.stderr
    assert "  - Deploy staging" in result.stderr and "  - Deploy production" in result.stderr
    assert path.read_bytes() == (FOCUS_FIXTURES / "near-duplicates.md").read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"# F\n## Current Sprint\n- [ ] caf\xe9\n", ":3: is not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ":3: is a binary file"),
        (b"# F\n\n## Notes\n- [ ] x\n", ": has no sprint section"),
    ],
    ids=["invalid-utf8", "binary", "no-sprint"],
)
@pytest.mark.parametrize("command", [["status"], ["complete", "x"]])
def test_bad_files_get_one_line_exit_1_and_stay_unchanged(
    tmp_path: Path, focus: FocusRunner, content: bytes, message: str, command: list[str]
) -> None:
    path = tmp_path / "AGENT_FOCUS.md"
    path.write_bytes(content)
    result = focus(*command, "--file", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"focus: error: {path}{message}")
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]


def test_missing_file_says_how_to_create_one(tmp_path: Path, focus: FocusRunner) -> None:
    result = focus("status", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        result.stderr
        == f"focus: error: {tmp_path / 'AGENT_FOCUS.md'}: no such file (run `focus init --agent A1` to create one)\n"
    )
    assert not (tmp_path / "AGENT_FOCUS.md").exists()


def test_focus_debug_shows_the_traceback(tmp_path: Path, focus: FocusRunner) -> None:
    result = focus("status", cwd=tmp_path, env={"FOCUS_DEBUG": "1"})
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "FocusFileError" in result.stderr


def test_usage_errors_exit_2(tmp_path: Path, focus: FocusRunner) -> None:
    assert focus("complete", cwd=tmp_path).returncode == 2
    assert focus("status", "--bogus", cwd=tmp_path).returncode == 2


def test_help_teaches_each_command(tmp_path: Path, focus: FocusRunner) -> None:
    top = focus("--help", cwd=tmp_path)
    assert top.returncode == 0
    for command in ("status", "complete", "init"):
        assert command in top.stdout
    complete_help = focus("complete", "--help", cwd=tmp_path).stdout
    assert (
        "unique prefix" in complete_help and "--file" in complete_help and "--json" in complete_help
    )


def test_init_writes_the_six_sections_from_the_strategy(repo: Path, focus: FocusRunner) -> None:
    result = focus("init", "--agent", "a2", cwd=repo)
    assert result.returncode == 0, result.stderr
    text = (repo / "AGENT_FOCUS.md").read_text()
    for heading in (
        "Identity & Mission",
        "Service Ownership",
        "Current Sprint",
        "Portfolio Checklist",
        "Progress Metrics",
        "Notes & Learnings",
    ):
        assert f" {heading}\n" in text
    assert "- Role: GenAI Engineer" in text and "- vllm-gateway" in text
    assert "- [ ] Benchmark chart: `docs/portfolio/vllm-benchmark.png`" in text
    assert (repo / ".agent.env").read_text() == 'AGENT_ID=A2\nAGENT_ROLE="GenAI Engineer"\n'
    assert ".agent.env" in (repo / ".gitignore").read_text()
    status = json.loads(focus("status", "--json", cwd=repo).stdout)
    assert status["agent"] == {"id": "A2", "role": "GenAI Engineer"}
    assert status["sprint"]["total"] == 3 and status["portfolio"]["total"] == 2


def test_init_ticks_portfolio_items_whose_files_exist(repo: Path, focus: FocusRunner) -> None:
    (repo / "docs" / "portfolio").mkdir(parents=True)
    (repo / "docs" / "portfolio" / "cost-table.md").write_text("| a | b |\n")
    focus("init", "--agent", "A2", cwd=repo)
    assert "- [x] Cost comparison table" in (repo / "AGENT_FOCUS.md").read_text()


def test_init_never_overwrites(repo: Path, focus: FocusRunner) -> None:
    (repo / "AGENT_FOCUS.md").write_text("mine\n")
    result = focus("init", "--agent", "A1", cwd=repo)
    assert result.returncode == 1 and "never overwrites" in result.stderr
    assert (repo / "AGENT_FOCUS.md").read_text() == "mine\n"
    assert not (repo / ".agent.env").exists()


def test_init_refuses_an_agent_env_for_another_agent(repo: Path, focus: FocusRunner) -> None:
    (repo / ".agent.env").write_text("AGENT_ID=A3\n")
    result = focus("init", "--agent", "A1", cwd=repo)
    assert result.returncode == 1 and "AGENT_ID=A3" in result.stderr
    assert not (repo / "AGENT_FOCUS.md").exists()


def test_init_for_an_agent_the_strategy_lacks_writes_a_skeleton_and_says_so(
    repo: Path, focus: FocusRunner
) -> None:
    result = focus("init", "--agent", "A7", cwd=repo)
    assert result.returncode == 0
    assert "names no agent 'A7'" in result.stderr
    assert "## 🏃 Current Sprint" in (repo / "AGENT_FOCUS.md").read_text()


def test_init_rejects_a_malformed_agent_id(repo: Path, focus: FocusRunner) -> None:
    result = focus("init", "--agent", "../../x", cwd=repo)
    assert result.returncode == 1 and "should look like A1" in result.stderr
    assert not (repo / "AGENT_FOCUS.md").exists()


def test_the_justfile_recipes_call_the_cli(workspace: Path, tmp_path: Path) -> None:
    import shutil
    import subprocess

    just = shutil.which("just")
    focus_script = shutil.which("focus")
    if not just or not focus_script:
        skip_unless_ci("`just` or the `focus` script is not on PATH (pip install -e '.[dev]')")
    (workspace / "justfile").write_bytes((REPO_ROOT / "justfile").read_bytes())
    path = workspace / "AGENT_FOCUS.md"
    path.write_text(path.read_text().replace("Record the SLO demo video", "Record the team's demo"))
    done = subprocess.run(
        [just, "focus-complete", "record the team's demo"],
        cwd=workspace,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "- [x] Record the team's demo ✅" in path.read_text()
    status = subprocess.run([just, "focus-status"], cwd=workspace, capture_output=True, text=True)
    assert status.returncode == 0 and "Sprint" in status.stdout and "2/4" in status.stdout
