"""The event journal: every state change recorded, many writers, `focus log --follow`,
and agent effectiveness computed from a known log."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent_focus.journal.db import open_log
from agent_focus.journal.effectiveness import agent_effectiveness
from agent_focus.journal.events import read_events, record_event
from tests.conftest import FocusRunner, example_workspace


@pytest.fixture
def workspace(repo: Path) -> Path:
    return example_workspace(repo, "slos:\n  - {name: p95, query: up, max: 1}\n")


def test_every_state_change_is_an_event(workspace: Path, focus: FocusRunner) -> None:
    for args in (
        ["complete", "log the baseline"],
        ["plan"],
        ["sync"],
        ["update"],
        ["slo"],
        ["evening"],
    ):
        result = focus(*args, cwd=workspace)
        assert result.returncode in (0, 4), (args, result.stderr)
    events = json.loads(focus("log", "--json", cwd=workspace).stdout)
    assert [e["kind"] for e in events] == [
        "complete",
        "plan",
        "sync",
        "update",
        "slo",
        "update",
        "commit",
    ]
    assert {e["agent"] for e in events} == {"A1"} and {e["worktree"] for e in events} == {"repo"}
    complete, plan = events[0]["payload"], events[1]["payload"]
    assert complete == {
        "task": "Log the baseline model's metrics to MLflow",
        "line": 19,
        "file": "AGENT_FOCUS.md",
    }
    assert plan["provider"] == "offline" and plan["added"]
    assert events[3]["payload"]["sources"] == {"mlflow": "refused", "prometheus": "refused"}
    assert events[4]["payload"] == {
        "exit_code": 4,
        "results": [{"name": "p95", "status": "no data", "value": None}],
    }
    assert events[6]["payload"]["subject"].startswith("focus(A1): 1 done today")
    human = focus("log", "--agent", "a1", "--since", "1h", cwd=workspace).stdout
    assert "complete" in human and "Log the baseline model's metrics to MLflow" in human
    assert json.loads(focus("log", "--json", "--agent", "A2", cwd=workspace).stdout) == []


def test_a_no_op_records_nothing(workspace: Path, focus: FocusRunner) -> None:
    focus(
        "complete", "Set up MLflow tracking server with a SQLite backend", cwd=workspace
    )  # already done
    focus("plan", "--dry-run", cwd=workspace)
    assert json.loads(focus("log", "--json", cwd=workspace).stdout) == []


WRITER = """
import sys
from pathlib import Path
from agent_focus.journal.events import record_event
for i in range(25):
    assert record_event(Path(sys.argv[1]), "complete", {"task": f"t{i}"}, sys.argv[2], "wt")
"""


def test_many_processes_writing_events_at_once_lose_none(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), f"A{n}"]) for n in range(8)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0] * 8
    events = read_events(tmp_path)
    assert len(events) == 200 and len({e.id for e in events}) == 200
    for n in range(8):
        assert [e.payload["task"] for e in events if e.agent == f"A{n}"] == [
            f"t{i}" for i in range(25)
        ]


def test_log_follow_sees_another_process_event(workspace: Path, focus: FocusRunner) -> None:
    follower = subprocess.Popen(
        [sys.executable, "-m", "agent_focus", "log", "--follow", "--json"],
        cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(follower.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    try:
        reader.start()
        assert focus("complete", "record the slo", cwd=workspace).returncode == 0
        reader.join(timeout=20)
        assert lines and json.loads(lines[0])["payload"]["task"] == "Record the SLO demo video"
    finally:
        follower.terminate()
        follower.wait(timeout=10)


def test_log_json_says_an_infinite_figure_as_null(workspace: Path, focus: FocusRunner) -> None:
    """A budget alert's spend may be infinite (a log's own costUSD of 1e999): `focus log
    --json`, followed or not, stays JSON (null, not Infinity)."""
    from agent_focus.journal.events import EventKind
    from agent_focus.readers.workspace import state_dir

    def strict(text: str) -> object:
        def refuse(name: str) -> None:
            raise ValueError(f"not JSON: {name}")

        return json.loads(text, parse_constant=refuse)

    payload = {"rule": "budget", "details": {"spent_usd": float("inf")}}
    assert record_event(state_dir(workspace), EventKind.ALERT, payload, "A1", "wt-a1")
    listed = strict(focus("log", "--json", "--limit", "1", cwd=workspace).stdout)
    assert listed[0]["payload"]["details"]["spent_usd"] is None  # type: ignore[index]
    follower = subprocess.Popen(
        [sys.executable, "-m", "agent_focus", "log", "--follow", "--json", "--limit", "1"],
        cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    try:
        line = follower.stdout.readline()  # type: ignore[union-attr]
        assert strict(line)["payload"]["details"]["spent_usd"] is None  # type: ignore[index]
    finally:
        follower.terminate()
        follower.wait(timeout=10)


def test_effectiveness_from_a_known_log(tmp_path: Path) -> None:
    t0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
    rows = [
        (t0, "A1", "plan", {"added": ["Write docs", "Ship gate", "Record video"]}),
        (t0 + timedelta(hours=2), "A1", "complete", {"task": "write DOCS"}),
        (t0 + timedelta(hours=6), "A1", "complete", {"task": "Ship gate"}),
        (t0 + timedelta(hours=7), "A1", "complete", {"task": "A task nobody planned"}),
        (t0, "A2", "plan", {"added": ["Deploy vLLM"]}),
    ]
    db = open_log(tmp_path)
    with db:
        db.executemany(
            "INSERT INTO events (at, agent, worktree, kind, payload) VALUES (?, ?, 'wt', ?, ?)",
            [
                (at.isoformat(), agent, kind, json.dumps(payload))
                for at, agent, kind, payload in rows
            ],
        )
    db.close()
    assert agent_effectiveness(tmp_path) == [
        {
            "agent": "A1",
            "tasks_planned": 3,
            "planned_tasks_completed": 2,
            "completion_rate": 0.667,
            "median_hours_planned_to_done": 4.0,
        },
        {
            "agent": "A2",
            "tasks_planned": 1,
            "planned_tasks_completed": 0,
            "completion_rate": 0.0,
            "median_hours_planned_to_done": None,
        },
    ]


def test_recording_never_fails_the_command(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the journal folder should be")
    assert record_event(blocked, "complete", {}, "A1", "wt") is False
    assert sqlite3.sqlite_version  # the stdlib module is all the journal needs
