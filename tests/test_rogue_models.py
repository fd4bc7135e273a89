"""Rogue models behind the real anthropic and openai SDKs: silent, trickling, asking to wait an
hour, answering HTML, or writing terminal escapes. Each gets a clear error within
planner.timeout (the whole call, retries included), or a plan cleaned of control characters."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE_DIR, Result, example_workspace
from tests.llm_server import LLMServer, Reply, anthropic_tool_reply, error_reply, openai_reply

EXAMPLE = (EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes()
TIMEOUT = 2.0
HTML = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
# Anything a terminal would act on, and NUL, which makes the file binary to every later read.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def task(title: str, **fields: Any) -> dict[str, Any]:
    return {
        "title": title,
        "reason": "the SLO demo video is missing",
        "serves_kind": "portfolio",
        "serves": "SLO demo video",
        "priority": "high",
        "estimate_hours": 2,
        **fields,
    }


GOOD = {"summary": "Close the portfolio gap first.", "tasks": [task("Script the SLO demo")]}


@pytest.fixture
def llm() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


@pytest.fixture
def workspace(repo: Path) -> Path:
    return example_workspace(repo, f"planner:\n  timeout: {TIMEOUT:g}\n  max_retries: 3\n")


def limited() -> None:
    """The child may not take the machine: 3 GB of address space at most."""
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def run(workspace: Path, llm: LLMServer, *args: str, timeout: float = 60) -> tuple[Result, float]:
    """The real `focus` in a subprocess pointed at the local model server: its result, and the
    seconds from the first request the server saw to the exit (startup and context excluded:
    those are not the model's)."""
    env = {
        **os.environ,
        "ANTHROPIC_API_KEY": "sk-ant-test",
        "ANTHROPIC_BASE_URL": llm.url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": llm.url + "/v1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "agent_focus", *args],
        cwd=workspace, env=env, capture_output=True, timeout=timeout, preexec_fn=limited,
    )  # fmt: skip
    elapsed = time.monotonic() - (llm.requests[0].at if llm.requests else time.monotonic())
    out, err = done.stdout.decode(), done.stderr.decode()
    return Result(done.returncode, out, err), elapsed


def reply(provider: str, plan: dict[str, Any], **kwargs: Any) -> Reply:
    if provider == "anthropic":
        return anthropic_tool_reply(plan)
    return openai_reply(json.dumps(plan), **kwargs)


# From the first request to the exit, beyond planner.timeout: the error, the journal, exit.
SLACK = 2.0

PROVIDERS = pytest.mark.parametrize("provider", ["anthropic", "openai"])


@PROVIDERS
def test_a_silent_model_fails_within_the_timeout_retries_included(
    workspace: Path, llm: LLMServer, provider: str
) -> None:
    llm.script(Reply(body=GOOD, delay=120))
    result, elapsed = run(workspace, llm, "plan", "--provider", provider)
    assert result.returncode == 1, result.stderr
    assert f"focus: error: {provider}: no answer within 2 s (1 attempt)" in result.stderr
    assert "Traceback" not in result.stderr
    # Before: 4 attempts of 2 s each plus the backoff between them (~11 s).
    assert elapsed < TIMEOUT + SLACK, elapsed
    assert (workspace / "AGENT_FOCUS.md").read_bytes() == EXAMPLE


@PROVIDERS
def test_a_trickling_reply_cannot_outlast_the_timeout(
    workspace: Path, llm: LLMServer, provider: str
) -> None:
    slow = reply(provider, GOOD)
    llm.script(Reply(body=slow.body, drip=0.2))  # a byte every 0.2 s: minutes for the body
    result, elapsed = run(workspace, llm, "plan", "--provider", provider)
    assert result.returncode == 1, result.stderr
    assert f"focus: error: {provider}: no answer within 2 s" in result.stderr
    assert elapsed < TIMEOUT + SLACK, elapsed


def test_retry_after_an_hour_is_not_waited_for(workspace: Path, llm: LLMServer) -> None:
    llm.script(error_reply(429, "slow down", {"retry-after": "3600", "retry-after-ms": "3600000"}))
    result, elapsed = run(workspace, llm, "plan", "--provider", "anthropic")
    assert result.returncode == 1, result.stderr
    assert "HTTP 429" in result.stderr and "Traceback" not in result.stderr
    assert elapsed < TIMEOUT + SLACK, elapsed
    assert len(llm.requests) == 1


def test_morning_with_a_silent_model_reports_it_and_plans_offline(
    workspace: Path, llm: LLMServer
) -> None:
    llm.script(Reply(body=GOOD, delay=120))
    result, elapsed = run(workspace, llm, "morning", "--provider", "anthropic", "--json")
    assert result.returncode == 0, result.stderr
    day = json.loads(result.stdout)
    assert day["plan_error"] == "anthropic: no answer within 2 s (1 attempt)"
    assert day["plan"]["provider"] == "offline" and day["plan"]["added"]
    assert elapsed < TIMEOUT + SLACK, elapsed


@PROVIDERS
@pytest.mark.parametrize("content_type", ["text/html", "application/json"])
def test_an_html_page_with_200_is_a_clear_error(
    workspace: Path, llm: LLMServer, provider: str, content_type: str
) -> None:
    llm.script(Reply(body=HTML, headers={"Content-Type": content_type}))
    result, _ = run(workspace, llm, "plan", "--provider", provider)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"focus: error: {provider}: the reply is not ")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert (workspace / "AGENT_FOCUS.md").read_bytes() == EXAMPLE


def test_morning_with_an_html_reply_reports_it_and_finishes(
    workspace: Path, llm: LLMServer
) -> None:
    llm.script(Reply(body=HTML, headers={"Content-Type": "text/html"}))
    result, _ = run(workspace, llm, "morning", "--provider", "openai", "--json")
    assert result.returncode == 0, result.stderr
    day = json.loads(result.stdout)
    assert day["plan_error"].startswith("openai: the reply is not ")
    assert day["plan"]["provider"] == "offline" and day["plan"]["added"]
    assert "Traceback" not in result.stderr


HOSTILE = [
    "Fix\x00 the gate",
    "\x1b[31mRed\x1b[0m alert on latency",
    "\x1b]8;;https://evil.example\x07Click\x1b]8;;\x07 the link",
    "Ship \u202eexe.tac\u202c the report",
    "Bell\x07 and backspace\x08 and DEL\x7f and CSI\x9b2J done",
]


@PROVIDERS
def test_control_characters_never_reach_the_file_or_the_terminal(
    workspace: Path, llm: LLMServer, provider: str
) -> None:
    plan = {
        "summary": "\x1b[2J\x1b[HCleared your screen\x00",
        "tasks": [task(t, reason="why\x1b[8m hidden", serves="x\u2066y") for t in HOSTILE],
    }
    llm.script(reply(provider, plan))
    result, _ = run(workspace, llm, "plan", "--provider", provider, "--json")
    assert result.returncode == 0, result.stderr
    text = (workspace / "AGENT_FOCUS.md").read_text(encoding="utf-8")
    assert not CONTROL.search(text) and not CONTROL.search(result.stderr + result.stdout)
    payload = json.loads(result.stdout)
    assert [t["title"] for t in payload["added"]] == [
        "Fix the gate",
        "Red alert on latency",
        "Click the link",
        "Ship exe.tac the report",
        "Bell and backspace and DEL and CSI done",
    ]
    assert payload["summary"] == "Cleared your screen"
    later, _ = run(workspace, llm, "status", "--json")  # the file is still text
    assert later.returncode == 0, later.stderr
    human, _ = run(workspace, llm, "plan", "--provider", provider, "--dry-run")
    assert not CONTROL.search(human.stderr + human.stdout)


def test_control_characters_in_an_error_are_not_printed(workspace: Path, llm: LLMServer) -> None:
    body = "bad \x1b]0;pwned\x07 request \x1b[31m\u202e"
    llm.script(Reply(400, body, {"Content-Type": "text/plain"}))
    result, _ = run(workspace, llm, "plan", "--provider", "anthropic")
    assert result.returncode == 1
    assert "HTTP 400" in result.stderr and not CONTROL.search(result.stderr)
