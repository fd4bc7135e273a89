"""Large inputs stay bounded: a mistyped task among 100,000, `focus plan` on a huge sprint,
and the MCP server fed malformed JSON-RPC, batches and a 10 MB argument."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

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
