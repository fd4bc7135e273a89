"""Agents report in: the real `focus hook` process fed the JSON Claude Code and Codex send
(their docs' shapes), the live state it derives, the status line, and lossless installs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FocusRunner, example_workspace, git


def hook(payload: object, *, raw: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    text = raw if raw is not None else json.dumps(payload)
    return subprocess.run(
        [sys.executable, "-m", "agent_focus", "hook", "claude"],
        input=text, capture_output=True, text=True, timeout=20, env={**os.environ, **(env or {})},
    )  # fmt: skip


def claude_event(cwd: Path, name: str, session: str = "sess-1", **extra: Any) -> dict[str, Any]:
    return {
        "session_id": session, "transcript_path": f"/tmp/{session}.jsonl", "cwd": str(cwd),
        "hook_event_name": name, **extra,
    }  # fmt: skip


def states(focus: FocusRunner, cwd: Path) -> dict[str, dict[str, Any]]:
    seats = json.loads(focus("status", "--all", "--json", cwd=cwd).stdout)
    return {s["agent"]["id"]: s for s in seats if s["agent"]["id"]}


def test_session_start_answers_with_the_brief(two_agents: tuple[Path, Path]) -> None:
    a1, _ = two_agents
    done = hook(claude_event(a1, "SessionStart", source="startup"))
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)["hookSpecificOutput"]
    assert reply["hookEventName"] == "SessionStart"
    assert reply["additionalContext"].startswith("I am Agent A1, MLOps Engineer")


def test_states_move_as_events_arrive_for_two_sessions_of_two_agents(
    two_agents: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, a2 = two_agents
    assert {a: s["state"]["name"] for a, s in states(focus, a1).items()} == {"A1": "unknown", "A2": "unknown"}  # fmt: skip
    hook(claude_event(a1, "UserPromptSubmit", prompt="secret plan: do X"))
    hook(claude_event(a2 / "src", "UserPromptSubmit", session="sess-2", prompt="y"))
    now = states(focus, a1)
    assert (now["A1"]["state"]["name"], now["A2"]["state"]["name"]) == ("working", "working")
    notice = "Claude needs your permission to use Bash"
    hook(claude_event(a2, "Notification", session="sess-2", notification_type="permission_prompt", message=notice))  # fmt: skip
    hook(claude_event(a1, "Stop", stop_hook_active=False))
    now = states(focus, a2)
    assert now["A1"]["state"]["name"] == "idle"
    assert now["A2"]["state"] == {**now["A2"]["state"], "name": "waiting", "reason": notice}
    hook(claude_event(a1, "SessionEnd", reason="logout"))
    assert states(focus, a1)["A1"]["state"]["name"] == "ended"
    events = json.loads(focus("log", "--json", "--limit", "0", cwd=a1).stdout)
    hooks = [e for e in json.loads(focus("log", "--json", cwd=a1).stdout) if e["kind"] == "hook"]
    assert events == [] and {e["agent"] for e in hooks} == {"A1", "A2"}
    assert {e["payload"]["session"] for e in hooks} == {"sess-1", "sess-2"}
    assert all("secret plan" not in json.dumps(e) for e in hooks)  # no prompt text is kept
    human = focus("agents", cwd=a1).stdout
    assert "waiting" in human and "ended" in human


PYTEST_OUTPUT = """\
============================= test session starts ==============================
collected 9 items

tests/test_x.py ..F.s....                                                [100%]

=================================== FAILURES ===================================
=========================== short test summary info ============================
FAILED tests/test_x.py::test_three - assert 1 == 2
=================== 1 failed, 7 passed, 1 skipped in 0.42s ====================
"""


def test_a_pytest_run_becomes_a_tests_event(
    two_agents: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, _ = two_agents
    post = claude_event(
        a1, "PostToolUse", tool_name="Bash",
        tool_input={"command": "python -m pytest -q tests/", "description": "Run the tests"},
        tool_response={"stdout": PYTEST_OUTPUT, "stderr": "", "interrupted": False},
    )  # fmt: skip
    assert hook(post).returncode == 0
    (tests,) = [
        e for e in json.loads(focus("log", "--json", cwd=a1).stdout) if e["kind"] == "tests"
    ]
    assert tests["agent"] == "A1"
    assert {k: tests["payload"][k] for k in ("runner", "passed", "failed", "skipped", "duration_s")} == {
        "runner": "pytest", "passed": 7, "failed": 1, "skipped": 1, "duration_s": 0.42,
    }  # fmt: skip
    line = subprocess.run(
        [sys.executable, "-m", "agent_focus", "statusline"],
        input=json.dumps({"session_id": "s", "cwd": str(a1), "workspace": {"current_dir": str(a1)},
                          "model": {"id": "claude-sonnet-4-5", "display_name": "Sonnet 4.5"},
                          "cost": {"total_cost_usd": 0.42}}),
        capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert line.returncode == 0
    assert line.stdout.startswith("A1 · MLOps Engineer │ ▶ Ship an SLO gate")
    assert "sprint 0/3" in line.stdout and "tests ✗ 1 failed" in line.stdout
    assert "session $0.42" in line.stdout  # logs never read: the session's own cost


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "[1, 2]",
        '{"hook_event_name": "Stop"}',
        '{"cwd": "/", "hook_event_name": "Stop"}',
        "\x00\xff",
    ],
    ids=["empty", "garbage", "array", "no-cwd", "outside", "binary"],
)
def test_garbage_exits_0_quickly_and_writes_nothing(two_agents: tuple[Path, Path], focus: FocusRunner, raw: str) -> None:  # fmt: skip
    a1, _ = two_agents
    before = (a1 / "AGENT_FOCUS.md").read_bytes()
    done = hook(None, raw=raw)
    assert done.returncode == 0 and done.stdout == ""
    assert (a1 / "AGENT_FOCUS.md").read_bytes() == before
    assert [
        e for e in json.loads(focus("log", "--json", cwd=a1).stdout) if e["kind"] == "hook"
    ] == []


def test_a_lone_surrogate_in_a_payload_is_kept_as_a_replacement_character(
    two_agents: tuple[Path, Path], focus: FocusRunner
) -> None:
    """JSON may escape half of a surrogate pair (``\\ud800``), which UTF-8, so the journal,
    cannot hold: the event is recorded with U+FFFD, not lost."""
    a1, _ = two_agents
    raw = json.dumps(
        claude_event(a1, "Notification", notification_type="permission_prompt", message="ok ?")
    ).replace("ok ?", "ok \\ud800")
    assert "\\ud800" in raw
    done = hook(None, raw=raw)
    assert done.returncode == 0, done.stderr
    (event,) = [e for e in json.loads(focus("log", "--json", cwd=a1).stdout) if e["kind"] == "hook"]
    assert event["payload"]["message"] == "ok \ufffd"
    assert states(focus, a1)["A1"]["state"] == {
        **states(focus, a1)["A1"]["state"],
        "name": "waiting",
        "reason": "ok \ufffd",
    }


def test_a_locked_journal_costs_the_agent_under_a_second(two_agents: tuple[Path, Path]) -> None:
    a1, _ = two_agents
    journal = a1.parent / "repo" / ".git" / "agent-focus" / "focus.db"
    import sqlite3
    import time

    holder = sqlite3.connect(journal, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        done = hook(claude_event(a1, "Stop"))
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 0
    assert elapsed < 5  # generous for a loaded machine; the hook itself gives up at 0.9 s


def test_codex_notify_moves_the_agent_to_idle(
    two_agents: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, _ = two_agents
    notice = {"type": "agent-turn-complete", "thread-id": "t-1", "turn-id": "1", "cwd": str(a1),
              "input-messages": ["fix it"], "last-assistant-message": "done"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "agent_focus", "hook", "codex", json.dumps(notice)],
        capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert done.returncode == 0
    assert states(focus, a1)["A1"]["state"]["name"] == "idle"


SETTINGS = """{
  "permissions": {
    "allow": ["Bash(npm run lint)"]
  },
  "hooks": {
    "Stop": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "notify-send done"
          }
        ]
      }
    ]
  },
  "unknownKey": {"nested": [1, 2, 3]}
}
"""
CODEX = '# my codex settings\nmodel = "gpt-5-codex"  # chosen\n\n[mcp_servers.focus]\ncommand = "focus"\n'


def test_install_and_uninstall_keep_everything_else_byte_for_byte(
    two_agents: tuple[Path, Path], focus: FocusRunner, tmp_path: Path
) -> None:
    a1, _ = two_agents
    settings = a1 / ".claude" / "settings.local.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps(json.loads(SETTINGS), indent=2) + "\n")
    original = settings.read_bytes()
    codex_home = tmp_path / "codex"
    codex_home.mkdir()
    (codex_home / "config.toml").write_text(CODEX)
    env = {"CODEX_HOME": str(codex_home)}
    assert focus("hooks", "install", "--codex", cwd=a1, env=env).returncode == 0
    installed = json.loads(settings.read_text())
    assert installed["hooks"]["Stop"][0]["hooks"][0]["command"] == "notify-send done"
    assert set(installed["hooks"]) >= {"SessionStart", "UserPromptSubmit", "PostToolUse", "Notification", "Stop", "SubagentStop", "SessionEnd"}  # fmt: skip
    assert installed["statusLine"]["command"] == "focus statusline"
    assert installed["unknownKey"] == {"nested": [1, 2, 3]}
    assert 'notify = ["focus", "hook", "codex"]' in (codex_home / "config.toml").read_text()
    once = settings.read_bytes()
    assert focus("hooks", "install", "--codex", cwd=a1, env=env).returncode == 0
    assert settings.read_bytes() == once  # twice changes nothing
    status = json.loads(focus("hooks", "status", "--json", cwd=a1, env=env).stdout)["installed"]
    assert "SessionStart" in status[str(settings)] and status[str(codex_home / "config.toml")] == ["notify"]  # fmt: skip
    assert focus("hooks", "uninstall", "--codex", cwd=a1, env=env).returncode == 0
    assert settings.read_bytes() == original
    assert (codex_home / "config.toml").read_text() == CODEX


def test_overlaps_are_found_for_two_worktrees_that_touch_one_file(
    two_agents: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, a2 = two_agents
    (a1 / "shared.py").write_text("a = 1\n")
    git(a1, "add", "shared.py")
    git(a1, "commit", "-qm", "A1 adds shared.py")
    (a2 / "shared.py").write_text("a = 2\n")  # uncommitted, new
    (a2 / "own.py").write_text("b = 1\n")
    now = states(focus, a1)
    assert now["A1"]["overlaps"] == [{"agent": "A2", "files": ["shared.py"]}]
    assert now["A2"]["overlaps"] == [{"agent": "A1", "files": ["shared.py"]}]


def test_agents_add_installs_the_hooks_when_the_user_opted_in(
    repo: Path, focus: FocusRunner
) -> None:
    example_workspace(repo, "hooks: true\n", focus_file=False)
    added = json.loads(focus("agents", "add", "A3", "--json", cwd=repo).stdout)
    settings = Path(added["worktree"]) / ".claude" / "settings.local.json"
    assert added["hooks"] == str(settings)
    assert json.loads(settings.read_text())["statusLine"]["command"] == "focus statusline"
    config = repo / "focus.yaml"
    config.write_text(config.read_text().replace("hooks: true\n", ""))
    plain = json.loads(focus("agents", "add", "A4", "--json", cwd=repo).stdout)
    assert plain["hooks"] is None  # not opted in: nothing installed
    assert not (Path(plain["worktree"]) / ".claude").exists()


def test_a_hook_records_the_worktrees_agent_not_the_inherited_agent_id(
    two_agents: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, _ = two_agents
    assert hook(claude_event(a1, "UserPromptSubmit"), env={"AGENT_ID": "A9"}).returncode == 0
    assert states(focus, a1)["A1"]["state"]["name"] == "working"


@pytest.mark.parametrize(
    "content",
    [b'{"statusLine": "x"}', b"\xff\xfe not utf-8", b"[1, 2]"],
    ids=["statusline-not-object", "not-utf8", "not-an-object"],
)
def test_install_on_a_bad_settings_file_is_one_line_and_changes_nothing(
    two_agents: tuple[Path, Path], focus: FocusRunner, content: bytes
) -> None:
    a1, _ = two_agents
    settings = a1 / ".claude" / "settings.local.json"
    settings.parent.mkdir()
    settings.write_bytes(content)
    done = focus("hooks", "install", cwd=a1)
    if content.startswith(b'{"statusLine"'):  # a status line of the user's own: left alone
        assert done.returncode == 0 and json.loads(settings.read_text())["statusLine"] == "x"
        return
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and str(settings) in done.stderr
    assert settings.read_bytes() == content


def test_the_dashboard_puts_the_waiting_agent_first(
    two_agents: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, a2 = two_agents
    hook(claude_event(a1, "UserPromptSubmit"))
    hook(claude_event(a2, "Notification", session="s2", notification_type="idle_prompt", message="Claude is waiting for your input"))  # fmt: skip
    frame = focus("dashboard", "--once", cwd=a1, env={"COLUMNS": "220"}).stdout
    a2_row = next(i for i, line in enumerate(frame.splitlines()) if " A2 " in line)
    a1_row = next(i for i, line in enumerate(frame.splitlines()) if " A1 " in line)
    assert a2_row < a1_row and "waiting" in frame.splitlines()[a2_row]
