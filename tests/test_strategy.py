"""AI_JOB_STRATEGY.md: agents, fields, subsections, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_focus.errors import FocusError, StrategyError
from agent_focus.readers.strategy import read_strategy
from tests.conftest import EXAMPLE_DIR


def test_the_example_strategy_names_four_agents_with_their_targets() -> None:
    strategy = read_strategy(EXAMPLE_DIR / "AI_JOB_STRATEGY.md")
    assert [(a.id, a.target) for a in strategy.agents] == [
        ("A1", "MLOps Engineer"),
        ("A2", "GenAI Engineer"),
        ("A3", "Technical Writer"),
        ("A4", "Platform Engineer"),
    ]
    a1 = strategy.agent("a1")
    assert a1.worktree == "wt-a1-mlops"
    assert a1.services == ["mlflow", "slo-gates", "monitoring"]
    assert a1.priorities[0] == "Ship an SLO gate that blocks bad deploys"
    assert a1.portfolio[1].name == "MLflow screenshot"
    assert a1.portfolio[1].path == "docs/portfolio/mlflow.png"
    assert a1.requirements == [
        "Kubernetes, Prometheus, MLflow, CI/CD",
        "On-call experience with error budgets",
    ]


@pytest.mark.parametrize(
    ("heading", "target"),
    [
        ("A1 — MLOps", "MLOps"),
        ("A2: GenAI Engineer", "GenAI Engineer"),
        ("A3 · Writer", "Writer"),
        ("A4", ""),
    ],
)
def test_the_job_target_follows_a_dash_colon_or_middle_dot(
    tmp_path: Path, heading: str, target: str
) -> None:
    path = tmp_path / "s.md"
    path.write_text(f"# Strategy\n## {heading}\n- Services: x\n")
    (agent,) = read_strategy(path).agents
    assert agent.target == target


def test_headings_that_are_not_agents_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    path.write_text("# S\n## Timeline\n- Q1: ship\n## A1 - X\n```\n## A9 - fenced\n```\n")
    assert [a.id for a in read_strategy(path).agents] == ["A1"]


def test_a_duplicate_agent_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    path.write_text("# S\n## A1 - X\n\n## A1 - Y\n")
    with pytest.raises(StrategyError) as caught:
        read_strategy(path)
    assert str(caught.value) == f"{path}:4: agent A1 is defined twice (first on line 2)"


def test_an_unknown_agent_lists_the_known_ones() -> None:
    with pytest.raises(StrategyError, match=r"names no agent 'A9' \(agents: A1, A2, A3, A4\)"):
        read_strategy(EXAMPLE_DIR / "AI_JOB_STRATEGY.md").agent("A9")


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    path.write_bytes(b"# S\n## A1 - X\n- Services: caf\xe9\n")
    with pytest.raises(FocusError) as caught:
        read_strategy(path)
    assert caught.value.line == 3 and "UTF-8" in str(caught.value)
