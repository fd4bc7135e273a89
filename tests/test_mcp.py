"""`focus mcp` driven by the MCP SDK's own client over stdio, as a coding agent would."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE_DIR, FocusRunner

mcp = pytest.importorskip("mcp", reason="the MCP SDK (pip install -e '.[dev]')")


async def session_calls(
    workspace: Path, calls: list[tuple[str, dict[str, Any]]]
) -> tuple[list[str], list[Any]]:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "agent_focus", "mcp"],
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
