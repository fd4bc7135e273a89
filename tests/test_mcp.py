"""`focus mcp` driven by the MCP SDK's own client over stdio, as a coding agent would."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tests.conftest import EXAMPLE_DIR, FocusRunner, skip_unless_ci

try:
    import mcp  # noqa: F401
except ImportError:  # a user's machine may lack it; CI=true must not (tests/conftest.py)
    skip_unless_ci("the MCP SDK (pip install -e '.[dev]')", allow_module_level=True)


async def session_calls(
    workspace: Path, calls: list[tuple[str, dict[str, Any]]], *server_args: str
) -> tuple[list[str], list[Any]]:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "agent_focus", "mcp", *server_args],
        cwd=str(workspace),
        env=dict(os.environ),
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = await session.list_tools()
        results = [await session.call_tool(name, arguments) for name, arguments in calls]
    return sorted(t.name for t in tools.tools), results


def payload(result: Any) -> Any:
    assert not result.is_error, result
    if result.structured_content is not None:
        content = result.structured_content
        return (
            content.get("result", content)
            if isinstance(content, dict) and set(content) == {"result"}
            else content
        )
    return json.loads(result.content[0].text)


def test_an_agent_lists_tools_reads_status_and_ticks_a_task(repo: Path, focus: FocusRunner) -> None:
    path = repo / "AGENT_FOCUS.md"
    path.write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    names, results = asyncio.run(
        asyncio.wait_for(
            session_calls(
                repo,
                [
                    ("status", {}),
                    ("complete", {"task": "log the baseline"}),
                    ("complete", {"task": "nothing like it"}),
                ],
            ),
            timeout=60,
        )
    )
    assert names == ["brief", "complete", "plan", "slo", "status", "update"]
    status = payload(results[0])
    assert (
        status["agent"] == {"id": "A1", "role": "MLOps Engineer"} and status["sprint"]["done"] == 1
    )
    done = payload(results[1])
    assert (
        done["task"] == "Log the baseline model's metrics to MLflow"
        and done["status"] == "completed"
    )
    assert "- [x] Log the baseline model's metrics to MLflow ✅" in path.read_text()
    unknown = results[2]
    assert unknown.is_error and "no task matches 'nothing like it'" in unknown.content[0].text
    # The tick went through the same core as the CLI: it is in the journal.
    events = json.loads(focus("log", "--json", cwd=repo).stdout)
    assert [e["kind"] for e in events] == ["complete"]


OTHER_FILE = """\
# AGENT_FOCUS: A3 · Docs Writer

## Identity & Mission
- Agent: A3
- Role: Docs Writer

## Current Sprint
- [x] Publish the style guide ✅ 2025-12-30
- [ ] Write the MCP how-to
- [ ] Review the README
"""


def run_session(
    workspace: Path, calls: list[tuple[str, dict[str, Any]]], *server_args: str
) -> list[Any]:
    return asyncio.run(asyncio.wait_for(session_calls(workspace, calls, *server_args), timeout=60))[
        1
    ]


def test_complete_acts_on_the_file_option_stamps_today_and_knows_done_tasks(
    repo: Path,
) -> None:
    default = repo / "AGENT_FOCUS.md"
    default.write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    other = repo / "plans" / "A3_FOCUS.md"
    other.parent.mkdir()
    other.write_bytes(OTHER_FILE.encode())
    default_before = default.read_bytes()

    before = date.today()
    results = run_session(
        repo,
        [
            ("status", {}),
            ("complete", {"task": "write the mcp"}),
            ("complete", {"task": "Publish the style guide"}),
            ("complete", {"task": "Write the MCP how-to"}),
        ],
        "--file",
        "plans/A3_FOCUS.md",  # relative to where the server starts, as a shell would pass it
    )
    after = date.today()
    days = {before.isoformat(), after.isoformat()}  # the test may straddle midnight

    status = payload(results[0])
    assert status["agent"] == {"id": "A3", "role": "Docs Writer"}
    assert [t["title"] for t in status["sprint"]["tasks"]] == [
        "Publish the style guide",
        "Write the MCP how-to",
        "Review the README",
    ]
    ticked = payload(results[1])
    assert ticked["task"] == "Write the MCP how-to" and ticked["status"] == "completed"
    assert ticked["completed_on"] in days
    line = next(x for x in other.read_text().splitlines() if "Write the MCP how-to" in x)
    assert line in {f"- [x] Write the MCP how-to ✅ {day}" for day in days}

    done = payload(results[2])
    assert done == {
        "file": done["file"],
        "agent": "A3",
        "line": done["line"],
        "task": "Publish the style guide",
        "status": "already_done",
        "matched_by": done["matched_by"],
        "completed_on": "2025-12-30",  # the day in the file, not today
    }
    again = payload(results[3])
    assert again["status"] == "already_done" and again["completed_on"] == ticked["completed_on"]

    # Only the chosen file changed, and only that one line of it.
    assert default.read_bytes() == default_before
    assert other.read_text() == OTHER_FILE.replace("- [ ] Write the MCP how-to", line)
