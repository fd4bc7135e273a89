"""Large inputs stay bounded: a mistyped task among 100,000, `focus plan` on a huge sprint,
and the MCP server fed malformed JSON-RPC, batches and a 10 MB argument."""

from __future__ import annotations

import json
import os
import queue
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE_DIR, example_workspace, git

GIGABYTE = 1 << 30


def big_sprint(repo: Path, count: int) -> Path:
    """The example workspace with ``count`` more open tasks in its sprint, committed."""
    workspace = example_workspace(repo, "planner:\n  provider: offline\n")
    text = (EXAMPLE_DIR / "AGENT_FOCUS.md").read_text()
    anchor = "- [ ] Record the SLO demo video\n"
    tasks = "".join(
        f"- [ ] Write integration test number {i} for the deploy gate\n" for i in range(count)
    )
    (workspace / "AGENT_FOCUS.md").write_text(text.replace(anchor, anchor + tasks))
    git(workspace, "commit", "-qam", "a huge sprint")
    return workspace


def focus_limited(
    cwd: Path, *args: str, cpu_seconds: int = 60, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The real `focus` under a CPU-time and an address-space limit (it cannot take the box)."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (3 * GIGABYTE, 3 * GIGABYTE))

    return subprocess.run(
        [sys.executable, "-m", "agent_focus", *args],
        cwd=cwd, env=dict(os.environ), capture_output=True, text=True, timeout=timeout,
        preexec_fn=limits,
    )  # fmt: skip


def test_a_mistyped_task_among_100000_lists_the_best_five_and_the_count(repo: Path) -> None:
    workspace = big_sprint(repo, 100_000)
    done = focus_limited(workspace, "complete", "write integration test number 1", "--json")
    assert done.returncode == 1, done.stderr
    payload = json.loads(done.stdout)
    assert payload["candidates"] == [
        f"Write integration test number {n} for the deploy gate" for n in (1, 10, 11, 12, 13)
    ]
    assert payload["candidate_count"] == 11_111
    assert "matches 11,111 tasks" in payload["error"]
    lines = done.stderr.splitlines()
    assert len(lines) == 7 and lines[-1] == "  ... and 11,106 more"


def test_plan_on_a_30000_task_sprint_stays_within_a_cpu_budget(repo: Path) -> None:
    """Duplicate detection used to run difflib's ratio for every planned task against every
    task (30,000 x 14 ratios, ~30 s of CPU); now an index and cheap bounds skip nearly all."""
    workspace = big_sprint(repo, 30_000)
    before = (workspace / "AGENT_FOCUS.md").read_bytes()
    done = focus_limited(workspace, "plan", "--dry-run", "--json", cpu_seconds=15)
    assert done.returncode == 0, done.stderr[-500:]
    payload = json.loads(done.stdout)
    assert payload["provider"] == "offline" and payload["added"] == []  # the sprint is full
    assert payload["skipped_sprint_full"]
    assert (workspace / "AGENT_FOCUS.md").read_bytes() == before


class McpProcess:
    """The real `python -m agent_focus mcp`, spoken to in raw bytes; every read has a deadline."""

    def __init__(self, cwd: Path) -> None:
        def limits() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (3 * GIGABYTE, 3 * GIGABYTE))

        self.process = subprocess.Popen(
            [sys.executable, "-m", "agent_focus", "mcp"],
            cwd=cwd, env=dict(os.environ), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, preexec_fn=limits,
        )  # fmt: skip
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def send(self, raw: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(raw)
        self.process.stdin.flush()

    def answer(self, timeout: float = 15) -> dict[str, Any]:
        try:
            return json.loads(self.lines.get(timeout=timeout))  # type: ignore[no-any-return]
        except queue.Empty:
            raise AssertionError(f"no answer within {timeout} s") from None

    def request(self, id_: int, method: str, params: dict[str, Any]) -> dict[str, Any]:
        message = {"jsonrpc": "2.0", "id": id_, "method": method, "params": params}
        self.send(json.dumps(message).encode() + b"\n")
        return self.answer()

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def server(repo: Path) -> Iterator[McpProcess]:
    pytest.importorskip("mcp", reason="the MCP SDK (pip install -e '.[dev]')")
    workspace = example_workspace(repo)
    process = McpProcess(workspace)
    try:
        init = process.request(
            1, "initialize",
            {"protocolVersion": "2025-06-18", "capabilities": {},
             "clientInfo": {"name": "raw", "version": "0"}},
        )  # fmt: skip
        assert "result" in init, init
        process.send(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
        yield process
    finally:
        process.close()


def still_serves(server: McpProcess, id_: int) -> None:
    answer = server.request(id_, "tools/call", {"name": "status", "arguments": {}})
    assert answer["id"] == id_ and answer["result"]["isError"] is False, answer


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"jsonrpc": "2.0", "id": 7, "method": "tools/list"\n', -32700),  # cut short
        (b"not json at all\n", -32700),
        (b"\xff\xfe\x00garbage\n", -32700),
        (b"[]\n", -32600),  # an empty batch
        (b'[{"jsonrpc": "2.0", "id": 8, "method": "tools/list"}]\n', -32600),  # a batch
        (b'{"jsonrpc": "2.0", "id": 9}\n', -32600),  # no method
        (b'{"jsonrpc": "1.0", "id": 10, "method": "tools/list"}\n', -32600),
        (b"42\n", -32600),
    ],
)
def test_malformed_json_rpc_gets_the_protocol_s_error(
    server: McpProcess, raw: bytes, code: int
) -> None:
    server.send(raw)
    answer = server.answer()
    assert answer["jsonrpc"] == "2.0" and answer["error"]["code"] == code, answer
    assert answer["id"] in (None, 9, 10)
    still_serves(server, 100)


def test_a_10_mb_argument_is_a_tool_error_at_once(server: McpProcess, repo: Path) -> None:
    before = (repo / "AGENT_FOCUS.md").read_bytes()
    huge = {"name": "complete", "arguments": {"task": "x" * 10_000_000}}
    message = {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": huge}
    server.send(json.dumps(message).encode() + b"\n")
    answer = server.answer(timeout=10)  # before: blocked for ~53 s
    assert answer["id"] == 5 and answer["result"]["isError"] is True, str(answer)[:300]
    assert "over 65,536" in answer["result"]["content"][0]["text"]
    assert (repo / "AGENT_FOCUS.md").read_bytes() == before
    still_serves(server, 101)


def test_a_line_past_the_message_limit_is_refused_without_reading_it_all(
    server: McpProcess,
) -> None:
    head = b'{"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "brief", '
    server.send(head + b'"arguments": {"x": "' + b"y" * (20 << 20) + b'"}}}\n')
    answer = server.answer(timeout=20)
    assert answer["id"] == 6 and answer["error"]["code"] == -32600, str(answer)[:300]
    still_serves(server, 102)
