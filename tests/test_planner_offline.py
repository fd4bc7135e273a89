"""The offline planner and the merge: grounded tasks, no duplicates, idempotent, lossless."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from agent_focus.metrics.model import NoData, SloResult
from agent_focus.planner.context import PlanningContext, SourceGap
from agent_focus.planner.providers.offline import offline_tasks
from agent_focus.readers.git import commits_between, day_bounds
from tests.conftest import FocusRunner, commit_yesterday, example_workspace, git

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)


def context(**changes: object) -> PlanningContext:
    base = PlanningContext(
        agent_id="A1", role="MLOps Engineer", mission=None, services=("mlflow",),
        priorities=("Ship an SLO gate that blocks bad deploys", "Alert on p95 latency above 500 ms"),
        requirements=(), open_tasks=("Ship an SLO gate that blocks bad deploys",), done_tasks=(),
        portfolio_gaps=(("SLO demo video", "docs/slo-demo.mp4"), ("MLflow screenshot", "docs/mlflow.png")),
        portfolio_ready=(), slos=(), source_gaps=(), metrics=(), commits=(), ticked_yesterday=(),
        today=date(2026, 11, 21), sprint_room=8,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def test_each_kind_of_gap_becomes_one_grounded_task() -> None:
    slos = (
        SloResult("p95-latency", "q", "<= 0.5", NOW, value=0.82, met=False),
        SloResult("errors", "q", "<= 0.01", NOW, value=0.001, met=True),
        SloResult("freshness", "q", ">= 1", NOW, no_data=NoData("empty result", "no series for q")),
    )
    tasks = offline_tasks(
        context(
            slos=slos,
            source_gaps=(
                SourceGap("mlflow", "http://127.0.0.1:5000", "refused", "connection refused"),
            ),
        )
    )
    assert [(t.title, t.serves_kind, t.priority) for t in tasks] == [
        ("Bring SLO p95-latency back within target (0.82, target <= 0.5)", "slo", "high"),
        ("Restore mlflow data (refused at http://127.0.0.1:5000)", "service", "high"),
        ("Get data for SLO freshness (empty result)", "slo", "medium"),
        ("Create SLO demo video (`docs/slo-demo.mp4`)", "portfolio", "high"),
        ("Create MLflow screenshot (`docs/mlflow.png`)", "portfolio", "high"),
        (
            "Alert on p95 latency above 500 ms",
            "priority",
            "medium",
        ),  # the first priority has a task
    ]
    assert all(t.reason for t in tasks)
    assert offline_tasks(context(slos=slos)) == offline_tasks(context(slos=slos))  # deterministic


def test_a_task_that_names_the_artifact_covers_its_gap() -> None:
    tasks = offline_tasks(context(open_tasks=("Record the SLO demo video",), priorities=()))
    assert [t.serves for t in tasks] == ["MLflow screenshot"]
    done = offline_tasks(
        context(done_tasks=("Take the MLflow screenshot",), open_tasks=(), priorities=())
    )
    assert [t.serves for t in done] == ["SLO demo video"]


@pytest.fixture
def workspace(repo: Path) -> Path:
    return example_workspace(repo)


def test_plan_adds_grounded_tasks_and_a_second_run_changes_nothing(
    workspace: Path, focus: FocusRunner
) -> None:
    path = workspace / "AGENT_FOCUS.md"
    first = focus("plan", "--json", cwd=workspace)
    assert first.returncode == 0, first.stderr
    added = [t["title"] for t in json.loads(first.stdout)["added"]]
    assert "Create MLflow screenshot (`docs/portfolio/mlflow.png`)" in added
    assert any(t.startswith("Restore mlflow data (refused") for t in added)
    assert not any("SLO demo video" in t for t in added)  # "Record the SLO demo video" covers it
    status = json.loads(focus("status", "--json", cwd=workspace).stdout)
    assert sum(not t["done"] for t in status["sprint"]["tasks"]) == 8  # planner.sprint_size
    after_first = path.read_bytes()
    stamp = path.stat().st_mtime_ns
    second = focus("plan", "--json", cwd=workspace)
    assert json.loads(second.stdout)["added"] == []
    assert "Nothing new to add; the file is unchanged." in second.stderr
    assert path.read_bytes() == after_first and path.stat().st_mtime_ns == stamp


def test_dry_run_writes_nothing(workspace: Path, focus: FocusRunner) -> None:
    before = (workspace / "AGENT_FOCUS.md").read_bytes()
    result = focus("plan", "--dry-run", cwd=workspace)
    assert result.returncode == 0 and "Would add" in result.stderr
    assert (workspace / "AGENT_FOCUS.md").read_bytes() == before


def test_the_sprint_size_caps_open_tasks(workspace: Path, focus: FocusRunner) -> None:
    (workspace / "focus.yaml").write_text(
        (workspace / "focus.yaml").read_text() + "planner:\n  sprint_size: 4\n"
    )
    payload = json.loads(focus("plan", "--json", cwd=workspace).stdout)
    assert len(payload["added"]) == 1 and payload["skipped_sprint_full"]


@pytest.mark.parametrize(
    ("sprint", "expected_tail"),
    [
        ("1. [x] One ✅ 2026-01-01\r\n2. [ ] Two\r\n", "2. [ ] Two\r\n3. [ ] "),
        ("* [ ] Star\n  * [ ] sub\n\n\n", "  * [ ] sub\n* [ ] "),
        ("- [ ] Last line, no newline", "- [ ] Last line, no newline\n- [ ] "),
        ("<!-- tasks go here -->\n", "<!-- tasks go here -->\n- [ ] "),
    ],
    ids=["numbered-crlf", "nested-and-blank-lines", "no-final-newline", "empty-sprint"],
)
def test_new_tasks_follow_the_last_task_in_its_style(
    workspace: Path, focus: FocusRunner, sprint: str, expected_tail: str
) -> None:
    eol = "\r\n" if "\r\n" in sprint else "\n"
    head = eol.join(
        [
            "# A1",
            "## Identity",
            "- Agent: A1",
            "## Portfolio",
            "- [ ] Demo: `demo.mp4`",
            "## Current Sprint",
            "",
        ]
    )
    path = workspace / "AGENT_FOCUS.md"
    path.write_bytes((head + sprint).encode())
    result = focus("plan", cwd=workspace)
    assert result.returncode == 0, result.stderr
    text = path.read_bytes().decode()
    assert text.startswith(
        head + sprint.rstrip("\n").rstrip("\r") if "no newline" in sprint else head
    )
    assert expected_tail in text
    new = text[len(head) :].splitlines(keepends=True)
    assert all(line.endswith(eol) for line in new[:-1])
    if "no newline" in sprint:
        assert not text.endswith("\n")  # still no final newline


def test_a_file_without_a_sprint_is_refused_before_planning(
    workspace: Path, focus: FocusRunner
) -> None:
    path = workspace / "AGENT_FOCUS.md"
    path.write_text("# A1\n## Notes\n")
    result = focus("plan", cwd=workspace)
    assert result.returncode == 1 and "has no sprint section" in result.stderr
    assert path.read_text() == "# A1\n## Notes\n"


def test_yesterday_means_yesterdays_commits_not_todays(repo: Path) -> None:
    yesterday = date.today() - timedelta(days=1)
    commit_yesterday(repo, "x.txt", "Ship the SLO gate\n\nbody text")
    (repo / "y.txt").write_text("y")
    git(repo, "add", "y.txt")
    git(repo, "commit", "-qm", "Made today")
    found = commits_between(repo, *day_bounds(yesterday))
    assert [c.subject for c in found] == ["Ship the SLO gate"]
    today = commits_between(repo, *day_bounds(date.today()))
    assert today[0].subject == "Made today"
    assert commits_between(repo.parent, *day_bounds(yesterday)) == []  # not a repo


@pytest.mark.parametrize(
    ("services", "slo_agent", "restores"),
    [
        ("- mlflow\n- slo-gates\n", None, True),  # owns the service
        ("- docs-site\n", None, False),  # the docs writer: not its service
        ("- docs-site\n", "A1", True),  # an SLO of this agent reads the dead Prometheus
    ],
    ids=["owner", "not-owner", "slo-owner"],
)
def test_only_an_owner_is_asked_to_restore_a_dead_service(
    workspace: Path, focus: FocusRunner, services: str, slo_agent: str | None, restores: bool
) -> None:
    path = workspace / "AGENT_FOCUS.md"
    text = path.read_text()
    head, _, rest = text.partition("## 🛠️ Service Ownership\n")
    assert rest, "the example has a Service Ownership section"
    body_end = rest.index("\n## ")
    path.write_text(head + "## 🛠️ Service Ownership\n" + services + rest[body_end + 1 :])
    if slo_agent:
        (workspace / "focus.yaml").write_text(
            (workspace / "focus.yaml").read_text()
            + f"slos:\n  - name: up\n    query: up\n    min: 1\n    agent: {slo_agent}\n"
        )
    payload = json.loads(focus("plan", "--dry-run", "--json", cwd=workspace).stdout)
    titles = " | ".join(t["title"] for t in payload["added"])
    source = "prometheus" if slo_agent else "mlflow"
    assert (f"Restore {source} data" in titles) is restores, titles
