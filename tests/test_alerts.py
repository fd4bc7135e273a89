"""Alerts: real `focus` processes on real worktrees, a real command (a shell script appending
what it reads to a file) and a real local webhook receiver; once per episode, one winner of
two evaluators, a dead receiver that fails nothing, and no secret anywhere."""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent_focus.config import ConfigError, parse_config
from tests.conftest import FocusRunner, example_workspace
from tests.servers import Receiver, closed_port_url, silent_server
from tests.test_agent_hooks import PYTEST_OUTPUT, claude_event, hook

PASSING = "============================== 8 passed in 0.40s ===============================\n"


@dataclass
class Setup:
    a1: Path
    a2: Path
    config: Path
    out: Path  # what the command received, one alert per line
    receiver: Receiver
    command: str

    def rules(self, text: str, budgets: str = "") -> None:
        """Write focus.yaml's alerts (``{command}`` and ``{webhook}`` filled in)."""
        body = text.replace("{command}", self.command).replace("{webhook}", self.receiver.url)
        self.config.write_text(budgets + "alerts:\n" + body)

    def delivered(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line.strip()]


@pytest.fixture
def setup(
    repo: Path, focus: FocusRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Setup]:
    example_workspace(repo, focus_file=False)
    for agent in ("A1", "A2"):
        assert focus("agents", "add", agent, cwd=repo).returncode == 0
    script = tmp_path / "notify.sh"
    script.write_text('#!/bin/sh\ncat >> "$1"\necho >> "$1"\n')
    out = tmp_path / "delivered.jsonl"
    config = tmp_path / "focus.yaml"
    config.write_text("")
    monkeypatch.setenv("FOCUS_CONFIG", str(config))  # every `focus` and its children read it
    with Receiver() as receiver:
        yield Setup(
            repo.parent / "wt-a1-mlops", repo.parent / "wt-a2-genai", config, out, receiver,
            shlex.join(["sh", str(script), str(out)]),
        )  # fmt: skip


def eventually(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def pytest_event(cwd: Path, output: str, command: str = "python -m pytest -q") -> dict[str, Any]:
    return claude_event(
        cwd, "PostToolUse", tool_name="Bash", tool_input={"command": command},
        tool_response={"stdout": output, "stderr": "", "interrupted": False},
    )  # fmt: skip


def alert_events(focus: FocusRunner, cwd: Path) -> list[dict[str, Any]]:
    done = focus("log", "--json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return [e for e in json.loads(done.stdout) if e["kind"] == "alert"]


def run_rules(focus: FocusRunner, cwd: Path) -> list[dict[str, Any]]:
    done = focus("alerts", "run", "--json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    fired: list[dict[str, Any]] = json.loads(done.stdout)["fired"]
    return fired


BOTH = (
    "  - name: red\n    when: tests_failed\n    command: {command}\n    webhook: {webhook}/hook\n"
)


def test_failing_tests_fire_once_per_episode_from_the_hook(
    setup: Setup, focus: FocusRunner
) -> None:
    setup.rules(BOTH)
    assert hook(pytest_event(setup.a1, PYTEST_OUTPUT)).returncode == 0
    eventually(lambda: len(setup.delivered()) == 1 and len(setup.receiver.bodies) == 1)
    (alert,) = setup.delivered()
    assert (alert["text"], alert["alert"]["rule"], alert["alert"]["agent"]) == (
        "A1's tests fail: 1 failed, 7 passed, 1 skipped (pytest)", "red", "A1",
    )  # fmt: skip
    assert alert["alert"]["worktree"] == "wt-a1-mlops" and alert["alert"]["test"] is False
    assert setup.receiver.bodies == [alert] and setup.receiver.paths == ["/hook"]
    # The same episode: evaluating again, or failing again, delivers nothing new.
    assert run_rules(focus, setup.a1) == [] and run_rules(focus, setup.a2) == []
    assert hook(pytest_event(setup.a1, PYTEST_OUTPUT)).returncode == 0
    time.sleep(2)  # the hook's child had its chance
    assert run_rules(focus, setup.a1) == [] and len(setup.delivered()) == 1
    # Passing ends the episode; failing again starts a new one.
    assert hook(pytest_event(setup.a1, PASSING)).returncode == 0
    assert hook(pytest_event(setup.a1, PYTEST_OUTPUT)).returncode == 0
    eventually(lambda: len(setup.delivered()) == 2 and len(setup.receiver.bodies) == 2)
    first, second = setup.delivered()
    assert first["alert"]["episode"] != second["alert"]["episode"]
    events = alert_events(focus, setup.a1)
    assert [e["payload"]["delivery"]["command"]["ok"] for e in events] == [True, True]
    assert [e["payload"]["delivery"]["webhook"]["status"] for e in events] == [200, 200]
    assert "alert red: A1's tests fail" in focus("log", cwd=setup.a1).stdout


def test_two_evaluators_at_once_fire_an_episode_once(setup: Setup, focus: FocusRunner) -> None:
    assert hook(pytest_event(setup.a1, PYTEST_OUTPUT)).returncode == 0  # no rule yet: no child
    setup.rules(BOTH)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "agent_focus", "alerts", "run", "--json"],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cwd in (setup.a1, setup.a2, setup.a1, setup.a2)
    ]
    answers = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], answers
    fired = [alert for out, _ in answers for alert in json.loads(out)["fired"]]
    assert len(fired) == 1
    assert len(setup.delivered()) == 1 and len(setup.receiver.bodies) == 1
    assert len(alert_events(focus, setup.a1)) == 1


def test_waiting_fires_after_its_minutes_without_a_server(setup: Setup, focus: FocusRunner) -> None:
    setup.rules(
        "  - {name: quick, when: waiting, minutes: 0.03, agent: a2, command: '{command}'}\n"
        "  - {name: slow, when: waiting, minutes: 600, webhook: '{webhook}'}\n"
    )
    try:
        ask = {"notification_type": "permission_prompt", "message": "Claude needs your permission to use Bash"}  # fmt: skip
        assert hook(claude_event(setup.a1, "Notification", **ask)).returncode == 0  # not "quick"
        assert hook(claude_event(setup.a2, "Notification", session="s2", **ask)).returncode == 0
        # Nobody evaluates but the hook's own child, which looks again once 1.8 s have passed.
        eventually(lambda: len(setup.delivered()) == 1)
        (alert,) = setup.delivered()
        assert alert["alert"]["agent"] == "A2" and alert["alert"]["rule"] == "quick"
        assert alert["text"].startswith("A2 has been waiting ")
        assert alert["text"].endswith(" s: Claude needs your permission to use Bash")
        assert run_rules(focus, setup.a1) == []  # the same wait: fired already
        # Back to work, then waiting again: a new episode.
        assert hook(claude_event(setup.a2, "UserPromptSubmit", session="s2")).returncode == 0
        assert hook(claude_event(setup.a2, "Notification", session="s2", **ask)).returncode == 0
        eventually(lambda: len(setup.delivered()) == 2)
        time.sleep(1)
        assert len(setup.delivered()) == 2 and setup.receiver.bodies == []  # "slow" never held
        listed = json.loads(focus("alerts", "--json", cwd=setup.a1).stdout)
        assert [h["rule"] for h in listed["holding"]] == ["quick"] and listed["holding"][0]["fired"]
        assert len(listed["episodes"]) == 2
    finally:  # the waits end: the followers of A1 (for "slow") and A2 leave
        for cwd in (setup.a1, setup.a2):
            hook(claude_event(cwd, "SessionEnd", reason="exit"))
    journal = setup.a1.parent / "repo" / ".git" / "agent-focus"

    def unlocked(agent: str) -> bool:
        with open(journal / f"alerts-{agent}.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False
            return True

    eventually(lambda: unlocked("A1") and unlocked("A2"), timeout=20)


def test_focus_alerts_test_fires_each_rule_once(setup: Setup, focus: FocusRunner) -> None:
    setup.rules(
        "  - {name: one, when: sprint_done, command: '{command}'}\n"
        "  - {name: two, when: slo_violated, webhook: '{webhook}'}\n"
        "  - {name: three, when: waiting, minutes: 5, command: '{command}', webhook: '{webhook}'}\n"
    )
    done = focus("alerts", "test", "--json", cwd=setup.a1)
    assert done.returncode == 0, done.stderr
    fired = json.loads(done.stdout)["fired"]
    assert [(f["rule"], f["test"], sorted(f["delivery"])) for f in fired] == [
        ("one", True, ["command"]), ("two", True, ["webhook"]),
        ("three", True, ["command", "webhook"]),
    ]  # fmt: skip
    assert [a["alert"]["rule"] for a in setup.delivered()] == ["one", "three"]
    assert [b["alert"]["rule"] for b in setup.receiver.bodies] == ["two", "three"]  # type: ignore[index]
    assert all(a["alert"]["agent"] == "A1" for a in setup.delivered())
    assert [e["payload"]["test"] for e in alert_events(focus, setup.a1)] == [True] * 3
    assert run_rules(focus, setup.a1) == []  # a test claims no episode, and nothing holds


def test_a_dead_webhook_fails_neither_the_hook_nor_the_command(
    setup: Setup, focus: FocusRunner
) -> None:
    with silent_server() as silent:
        setup.rules(
            f"  - {{name: silent, when: tests_failed, webhook: '{silent}', command: '{{command}}'}}\n"
            f"  - {{name: closed, when: tests_failed, webhook: '{closed_port_url()}'}}\n"
        )
        started = time.monotonic()
        done = hook(pytest_event(setup.a1, PYTEST_OUTPUT))
        took = time.monotonic() - started
        assert (
            done.returncode == 0 and done.stdout == "" and took < 4
        )  # the child is not waited for
        eventually(lambda: len(alert_events(focus, setup.a1)) == 2)
    outcome = {
        e["payload"]["rule"]: e["payload"]["delivery"] for e in alert_events(focus, setup.a1)
    }
    assert outcome["silent"]["command"]["ok"] is True  # the command went out all the same
    assert outcome["silent"]["webhook"] == {"ok": False, "error": "timed out"}
    assert outcome["closed"]["webhook"]["ok"] is False
    assert "refused" in outcome["closed"]["webhook"]["error"].lower()
    assert len(setup.delivered()) == 1
    tested = focus("alerts", "test", cwd=setup.a1)
    assert tested.returncode == 1 and "Traceback" not in tested.stderr  # said, not raised
    assert "closed: test of alert 'closed'" in tested.stdout and "webhook FAILED" in tested.stdout


def test_no_secret_reaches_a_receiver_the_journal_or_an_answer(
    setup: Setup, focus: FocusRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = ("sk-ant-api03-SECRETKEY", "tok-SECRET-in-url", "arg-SECRET", "prompt-SECRET", "env-SECRET")  # fmt: skip
    monkeypatch.setenv("ANTHROPIC_API_KEY", secrets[0])
    setup.rules(
        f"  - {{name: red, when: tests_failed, command: '{{command}} --token {secrets[2]}',"
        f" webhook: '{{webhook}}/x?token={secrets[1]}'}}\n"
    )
    assert hook(claude_event(setup.a1, "UserPromptSubmit", prompt=secrets[3])).returncode == 0
    command = f"API_TOKEN={secrets[4]} python -m pytest -q"
    assert hook(pytest_event(setup.a1, PYTEST_OUTPUT, command)).returncode == 0
    eventually(lambda: len(setup.receiver.bodies) == 1 and len(setup.delivered()) == 1)
    seen = [
        json.dumps(setup.delivered()),
        json.dumps(setup.receiver.bodies),
        json.dumps(alert_events(focus, setup.a1)),
        focus("alerts", "--json", cwd=setup.a1).stdout,
        focus("alerts", cwd=setup.a1).stdout,
        focus("alerts", "test", "--json", cwd=setup.a1).stdout,
        focus("log", cwd=setup.a1).stdout,
    ]
    for text in seen:
        assert not [s for s in secrets if s in text], text
    assert json.loads(seen[3])["rules"][0]["webhook"] == setup.receiver.url  # its origin alone


def test_a_finished_sprint_fires_on_its_last_tick(setup: Setup, focus: FocusRunner) -> None:
    setup.rules("  - {when: sprint_done, agent: A1, webhook: '{webhook}'}\n")
    status = json.loads(focus("status", "--json", cwd=setup.a1).stdout)
    titles = [task["title"] for task in status["sprint"]["tasks"]]
    assert len(titles) == 3
    for title in titles[:2]:
        assert focus("complete", title, cwd=setup.a1).returncode == 0
    assert run_rules(focus, setup.a1) == []  # one task is still open
    assert focus("complete", titles[2], cwd=setup.a1).returncode == 0
    eventually(lambda: len(setup.receiver.bodies) == 1)
    body = setup.receiver.bodies[0]
    assert body["text"] == f"A1 finished its sprint: 3/3 tasks done (last: {titles[2]!r})"
    time.sleep(1)
    assert run_rules(focus, setup.a1) == [] and len(setup.receiver.bodies) == 1


def assistant_today(cwd: Path, n: int) -> str:
    """One priced Claude Code call, made a moment ago in ``cwd`` (its session log's shape)."""
    at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return (
        json.dumps(
            {
                "cwd": str(cwd),
                "sessionId": "s1",
                "isSidechain": False,
                "type": "assistant",
                "timestamp": at,
                "requestId": f"req_{n}",
                "message": {
                    "id": f"msg_{n}",
                    "model": "claude-sonnet-4-5-20250929",
                    "usage": {
                        "input_tokens": 1000,
                        "output_tokens": 1000,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0,
                    },
                },
            },
            separators=(",", ":"),
        )
        + "\n"
    )  # fmt: skip: compact, as Claude Code writes it


def test_over_budget_fires_once_a_day_when_a_turn_ends(
    setup: Setup, focus: FocusRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claude = tmp_path / "claude-logs"
    (claude / "projects" / "p").mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(claude))
    setup.rules("  - {when: over_budget, command: '{command}'}\n", "budgets: {A1: 0.01, a2: 5}\n")
    log = claude / "projects" / "p" / "s1.jsonl"
    log.write_text(assistant_today(setup.a1, 1) + assistant_today(setup.a2, 2))
    assert hook(claude_event(setup.a1, "Stop")).returncode == 0  # the child reads the logs first
    eventually(lambda: len(setup.delivered()) == 1)
    (alert,) = setup.delivered()
    details = alert["alert"]["details"]
    assert alert["alert"]["agent"] == "A1" and details["budget_usd"] == 0.01
    assert details["spent_usd"] > 0.01 and details["day"] == datetime.now().date().isoformat()
    assert alert["text"] == f"A1 spent ${details['spent_usd']:,.2f} today, over its $0.01 budget"
    with log.open("a") as handle:
        handle.write(assistant_today(setup.a1, 3))
    assert hook(claude_event(setup.a1, "Stop")).returncode == 0
    time.sleep(2)
    assert run_rules(focus, setup.a1) == [] and len(setup.delivered()) == 1  # one a day


def test_a_violated_slo_fires_from_the_gate(
    setup: Setup, focus: FocusRunner, prometheus_url: str
) -> None:
    setup.rules(
        "  - {when: slo_violated, webhook: '{webhook}'}\n",
        f"prometheus:\n  url: {prometheus_url}\nslos:\n"
        "  - {name: errors, query: demo_error_ratio, max: 0.001}\n",
    )
    assert focus("slo", cwd=setup.a1).returncode == 3
    eventually(lambda: len(setup.receiver.bodies) == 1)
    assert setup.receiver.bodies[0]["text"] == "SLO violated for A1: errors = 0.01"
    assert focus("slo", cwd=setup.a1).returncode == 3
    time.sleep(2)
    assert run_rules(focus, setup.a1) == [] and len(setup.receiver.bodies) == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("alerts:\n  - when: waiting\n    command: x\n", "focus.yaml:2: alerts.0: waiting needs minutes: N"),
        ("alerts:\n  - when: tests_failed\n", "focus.yaml:2: alerts.0: give command:, webhook: or both"),
        ("alerts:\n  - when: tests_failed\n    command: x\n    retries: 3\n",
         "focus.yaml:4: alerts.0.retries: unknown setting (see docs/alerts.md for the keys)"),
        ("alerts:\n  - {when: tests_failed, command: x}\n  - {when: tests_failed, command: y}\n",
         "focus.yaml:3: alerts.1: two alerts are named 'tests_failed' (give name:)"),
        ("alerts:\n  - {when: sprint_done, command: x}\n  - {when: over_budget, command: y}\n",
         "focus.yaml:3: alerts.1: over_budget needs budgets: {A1: 20} (dollars a day)"),
        ("budgets: {A2: 3}\nalerts:\n  - {when: over_budget, agent: A1, command: y}\n",
         "focus.yaml:3: alerts.0: over_budget for A1, who has no budget"),
        ("alerts:\n  - {when: tests_failed, minutes: 3, command: x}\n",
         "focus.yaml:2: alerts.0: minutes: is only for when: waiting"),
        ("alerts:\n  - {when: idle, command: x}\n", "focus.yaml:2: alerts.0.when: Input should be 'waiting'"),
        ("alerts:\n  - {when: sprint_done, webhook: 'file:///etc/passwd'}\n",
         "focus.yaml:2: alerts.0: webhook: must be an http:// or https:// URL"),
        ("alerts:\n  - {when: sprint_done, command: '  '}\n", "focus.yaml:2: alerts.0: command: is empty"),
        ("budgets:\n  A1: -2\n", "focus.yaml:1: budgets: A1: a budget is dollars, 0 or more"),
        ("budgets:\n  A1: lots\n", "focus.yaml:2: budgets.A1: Input should be a valid number"),
    ],
)  # fmt: skip
def test_a_bad_rule_is_one_line_naming_file_and_line(text: str, error: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("focus.yaml"))
    assert str(caught.value).startswith(error), str(caught.value)


def test_a_bad_rule_stops_the_command_and_the_hook_stays_quiet(
    setup: Setup, focus: FocusRunner
) -> None:
    setup.config.write_text("alerts:\n  - name: x\n    when: waiting\n    webhook: http://h\n")
    done = focus("alerts", "test", cwd=setup.a1)
    assert done.returncode == 1
    assert done.stderr == f"focus: error: {setup.config}:2: alerts.0: waiting needs minutes: N\n"
    as_json = focus("alerts", "--json", cwd=setup.a1)
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["exit_code"] == 1
    assert hook(pytest_event(setup.a1, PYTEST_OUTPUT)).returncode == 0  # the hook never fails
    setup.config.write_text("")
    none = focus("alerts", "test", cwd=setup.a1)
    assert none.returncode == 4 and "no alert rules" in none.stderr


def test_the_parsed_rules(tmp_path: Path) -> None:
    config = parse_config(
        "budgets: {a1: 20}\nalerts:\n"
        "  - {when: waiting, minutes: 10, agent: a1, command: notify-send 'A1 waits'}\n"
        "  - {name: ci, when: tests_failed, command: [curl, -d, '@-', 'http://h']}\n",
        Path("focus.yaml"),
    )
    assert config.budgets == {"A1": 20.0}
    waiting, ci = config.alerts
    assert (waiting.name, waiting.agent, waiting.argv) == ("waiting", "A1", ["notify-send", "A1 waits"])  # fmt: skip
    assert ci.argv == ["curl", "-d", "@-", "http://h"] and ci.webhook is None
    assert waiting.applies_to("a1") and not waiting.applies_to("A2") and ci.applies_to(None)


def test_the_alert_module_is_not_loaded_without_rules(setup: Setup) -> None:
    """A hook in a clone without alerts starts no child: nothing but the hook runs."""
    probe = (
        "import sys, json; sys.argv = ['focus', 'hook', 'claude']\n"
        "from agent_focus.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], input=json.dumps(pytest_event(setup.a1, PYTEST_OUTPUT)),
        capture_output=True, text=True, timeout=30, env={**os.environ},
    )  # fmt: skip
    modules = json.loads(done.stderr)
    assert "agent_focus.alerts.trigger" in modules  # it asked
    assert "subprocess" not in modules and "pydantic" not in modules  # and started nothing


def test_the_servers_entry_point_fires_once_in_process(setup: Setup) -> None:
    """What `focus serve` calls every few seconds: `agent_focus.alerts.evaluate`."""
    from agent_focus.alerts import FiredAlert, evaluate
    from agent_focus.config import load_config

    assert hook(pytest_event(setup.a1, PYTEST_OUTPUT)).returncode == 0  # no rule yet: no child
    setup.rules(BOTH)
    config = load_config(setup.a2)
    (fired,) = evaluate(setup.a2, config)
    assert isinstance(fired, FiredAlert) and fired.ok and fired.event_id is not None
    assert fired.to_json()["delivery"]["webhook"]["status"] == 200
    assert fired.alert.agent == "A1" and fired.alert.worktree == "wt-a1-mlops"
    assert evaluate(setup.a1, config) == [] and len(setup.delivered()) == 1


def test_the_server_fires_an_episode_once_and_streams_the_alert(
    setup: Setup, focus: FocusRunner
) -> None:
    """A failing run written straight into the journal (no hook, so no hook child): only
    the running `focus serve` can see it; it fires once, and its page hears of it."""
    import httpx

    from agent_focus.journal.events import record_event
    from agent_focus.readers.workspace import state_dir
    from tests.servers import focus_serve

    setup.rules(BOTH)
    folder = state_dir(setup.a1)
    failing = {"runner": "pytest", "passed": 7, "failed": 1, "skipped": 0}
    with focus_serve(setup.a1) as served:
        with httpx.stream("GET", served.url + "api/stream", timeout=20) as stream:
            record_event(folder, "tests", failing, "A1", setup.a1.name)
            alert, deadline = None, time.monotonic() + 10
            for line in stream.iter_lines():  # a ping every 15 s ends a silent wait
                if line.startswith("data:") and json.loads(line[5:])["kind"] == "alert":
                    alert = json.loads(line[5:])
                if alert or time.monotonic() > deadline:
                    break
        assert alert is not None and alert["agent"] == "A1"
        eventually(lambda: len(setup.delivered()) == 1 and len(setup.receiver.bodies) == 1)
        record_event(folder, "tests", failing, "A1", setup.a1.name)  # the same episode
        time.sleep(2.5)  # the server looks again within a second of an event
        assert len(setup.delivered()) == 1 and len(setup.receiver.bodies) == 1
        assert setup.receiver.bodies[0]["text"].startswith("A1's tests fail")
    assert len(alert_events(focus, setup.a1)) == 1
