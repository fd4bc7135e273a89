"""The live dashboard: what it shows, that a refresh re-reads only what changed, Ctrl-C."""

from __future__ import annotations

import io
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from agent_focus.journal.calls import LLMCall, record_calls
from agent_focus.journal.events import record_event
from agent_focus.views.dashboard import DashboardState, dashboard_view
from tests.conftest import FocusRunner, git


def render(state: DashboardState) -> str:
    out = io.StringIO()
    Console(file=out, width=160, force_terminal=True, color_system=None).print(
        dashboard_view(state)
    )
    return out.getvalue()


def make_agents(repo: Path, focus: FocusRunner, *agents: str) -> dict[str, Path]:
    trees = {}
    for agent in agents:
        assert focus("agents", "add", agent, cwd=repo).returncode == 0
        trees[agent] = next(
            p for p in repo.parent.iterdir() if p.name.startswith(f"wt-{agent.lower()}")
        )
    return trees


def test_the_dashboard_shows_agents_slos_events_and_providers(
    repo: Path, focus: FocusRunner
) -> None:
    trees = make_agents(repo, focus, "A1", "A2")
    assert focus("complete", "1", cwd=trees["A2"]).returncode == 0
    folder = repo / ".git" / "agent-focus"
    record_event(
        folder,
        "update",
        {"sources": {}, "slos": [{"name": "p95-latency", "status": "violated", "value": 0.81}]},
        "A1",
        "wt-a1-mlops",
    )
    record_calls(
        folder,
        [
            LLMCall(
                "anthropic",
                "claude-sonnet-4-5",
                850.0,
                True,
                input_tokens=1000,
                output_tokens=100,
                cost_usd=0.0045,
            )
        ],
        "A1",
        "wt-a1-mlops",
    )
    state = DashboardState(repo)
    assert state.refresh() is True
    text = render(state)
    assert "A1     MLOps Engineer" in text and "A2     GenAI Engineer" in text
    assert "1/3" in text  # A2 ticked one of its three tasks
    assert "p95-latency" in text and "0.81" in text and "violated" in text
    assert "completed 'Deploy vLLM behind a gateway with token accounting'" in text
    assert "anthropic" in text and "0.0045" in text


def test_a_refresh_re_reads_only_what_changed(repo: Path, focus: FocusRunner) -> None:
    trees = make_agents(repo, focus, "A1", "A2", "A3")
    state = DashboardState(repo)
    state.refresh()
    assert state.parses == 3
    assert state.refresh() is False and state.parses == 3  # nothing changed: nothing re-read
    assert focus("complete", "1", cwd=trees["A3"]).returncode == 0
    assert state.refresh() is True
    assert state.parses == 4  # only A3's focus file was parsed again
    assert state.events[-1].kind == "complete" and state.events[-1].agent == "A3"
    assert state.refresh() is False and state.parses == 4


def test_once_prints_a_snapshot_and_ctrl_c_quits_cleanly(repo: Path, focus: FocusRunner) -> None:
    make_agents(repo, focus, "A1")
    snapshot = focus("dashboard", "--once", cwd=repo)
    assert (
        snapshot.returncode == 0
        and "agent-focus dashboard" in snapshot.stdout
        and "A1" in snapshot.stdout
    )
    # Live needs a terminal: give it a pseudo-terminal, as a user's shell would.
    leader, follower = pty.openpty()
    live = subprocess.Popen(
        [sys.executable, "-m", "agent_focus", "dashboard", "--interval", "0.2"],
        cwd=repo, stdout=follower, stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "160", "LINES": "60"},
    )  # fmt: skip
    os.close(follower)
    screen = b""
    deadline = time.monotonic() + 20
    while b"MLOps Engineer" not in screen and time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            screen += os.read(leader, 65536)
    live.send_signal(signal.SIGINT)
    _, err = live.communicate(timeout=20)
    os.close(leader)
    assert b"MLOps Engineer" in screen
    assert live.returncode == 0, err
    assert "Traceback" not in err
    git(repo, "status")  # the repository is untouched and fine


def test_the_agents_spend_is_read_again_as_they_work(
    repo: Path, focus: FocusRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an agent spends shows without anyone running `focus usage`: each refresh reads
    what is new in its logs (every 2 s at most) and, when the calls changed, every agent's
    spend again, without parsing a focus file."""
    from datetime import UTC, datetime, timedelta

    from agent_focus.actions import catch_up
    from tests.test_agent_usage import assistant

    trees = make_agents(repo, focus, "A1")
    config = tmp_path / "claude"
    log = config / "projects" / "p" / "s1.jsonl"
    log.parent.mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config))
    now = datetime.now(UTC) - timedelta(minutes=1)
    at = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    log.write_text(assistant(trees["A1"], 1, timestamp=at))
    assert focus("usage", cwd=trees["A1"]).returncode == 0  # the first read
    state = DashboardState(repo, catch_up=catch_up.catch_up)
    state.refresh()
    (seat,) = state.seats.values()
    assert seat.status is not None and seat.status.spend is not None
    assert seat.status.spend.calls_today == 1 and state.parses == 1
    monkeypatch.setattr(catch_up, "CATCH_UP_EVERY", 0.0)
    assert state.refresh() is False  # nothing new
    with log.open("a") as handle:
        handle.write(assistant(trees["A1"], 2, timestamp=at))
    assert state.refresh() is True
    (seat,) = state.seats.values()
    assert seat.status is not None and seat.status.spend is not None
    assert seat.status.spend.calls_today == 2 and state.parses == 1
    assert "$0.0037" in render(state)  # two Sonnet 4.5 calls of $0.00183
