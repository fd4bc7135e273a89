"""`focus mcp`: a Model Context Protocol server over stdio, for the coding agent of one
worktree. Its tools call the same core as the CLI (so every change is journaled) and act on
the worktree the server was started in.

Built on the `mcp` SDK 2.x (`MCPServer`, the 1.x `FastMCP` renamed), imported only here.
Nothing may be printed to stdout: it is the protocol's channel.

The SDK's stdio reader drops a line it cannot validate without a word and reads a line of
any size; so stdin reaches it through :class:`GuardedStdin`, which answers what JSON-RPC
says to answer (-32700 parse error, -32600 invalid request, batches included: MCP sends one
message a line), refuses a message over ``MAX_MESSAGE`` bytes without holding it, and
answers a tool call with an argument over ``MAX_ARGUMENT`` characters with a tool error
before any tool sees it.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from agent_focus.errors import FocusError

if TYPE_CHECKING:
    from agent_focus.readers.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])
MAX_ARGUMENT = 64 * 1024  # characters of one tool argument, as JSON
MAX_MESSAGE = 16 * 1024 * 1024  # bytes of one JSON-RPC line
PARSE_ERROR, INVALID_REQUEST = -32700, -32600
_ID_RE = re.compile(rb'"id"\s*:\s*(-?\d{1,18}|"[^"\\]{0,200}")')


def _as_tool_errors(function: F) -> F:
    """Our errors are meant for the user: pass their one line on as the tool's error (the
    SDK shows anything else as a bare "Error executing tool")."""
    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except FocusError as error:
            listed = [
                *getattr(error, "candidates", []),
                *filter(None, [getattr(error, "more", None)]),
            ]
            raise ToolError(
                str(error) + (f" (candidates: {'; '.join(listed)})" if listed else "")
            ) from None

    return wrapper  # type: ignore[return-value]


def build_server(workspace: Workspace) -> Any:
    """The MCP server for the workspace's focus file. Each tool returns the same JSON
    object as the CLI command of the same name with `--json`."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(
        "agent-focus",
        instructions=(
            f"Focus tools for the agent of worktree {workspace.name}. Read `status` first; tick "
            "a task with `complete` only when it is done; `update` refreshes real metrics; "
            "`plan` adds tasks when the sprint runs dry; `brief` says who you are."
        ),
    )

    def config() -> Any:
        from agent_focus.config import load_config

        return load_config(workspace.root)

    @server.tool()
    @_as_tool_errors
    def status() -> dict[str, Any]:
        """The sprint (tasks, done or not, numbered as `complete` accepts) and the portfolio
        (whether each file really exists). Reading never writes."""
        from agent_focus.readers.status import load_status

        return load_status(workspace.focus_file).to_json()

    @server.tool()
    @_as_tool_errors
    def complete(task: str) -> dict[str, Any]:
        """Tick one sprint task: its exact title, a unique prefix, a close match, or its number
        in `status`. Only that line of AGENT_FOCUS.md changes; it gets a ✅ date.
        `status` in the answer says "completed" or "already_done"."""
        from agent_focus.actions.complete import complete as complete_task

        return complete_task(workspace, task, date.today()).to_json()

    @server.tool()
    @_as_tool_errors
    def plan(dry_run: bool = False, provider: str | None = None) -> dict[str, Any]:
        """Plan new tasks from the strategy, real gaps and recent activity, and add them after
        the existing ones (nothing existing changes). `dry_run` shows them without writing."""
        from agent_focus.actions.plan import plan_sprint

        outcome = plan_sprint(
            workspace, config(), provider_name=provider, model=None,
            dry_run=dry_run, fallback=None, today=date.today(),
        )  # fmt: skip
        return outcome.to_json()

    @server.tool()
    @_as_tool_errors
    def update() -> dict[str, Any]:
        """Collect real metrics into Progress Metrics and set portfolio boxes to the real files."""
        from agent_focus.actions.update import update_focus

        return update_focus(workspace, config()).to_json()

    @server.tool()
    @_as_tool_errors
    def slo() -> dict[str, Any]:
        """Evaluate the SLOs of focus.yaml: exit_code 0 all met, 3 one violated, 4 no data
        (or none configured: `reason` says)."""
        from agent_focus.metrics.gate import slo_gate

        return slo_gate(workspace, config()).to_json()

    @server.tool()
    @_as_tool_errors
    def brief() -> str:
        """Who this agent is, today's open tasks, the portfolio gaps, the commands it may use."""
        from agent_focus.actions.brief import build_brief

        return build_brief(workspace).text

    return server


def _error(ident: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "error": {"code": code, "message": message}}


def check_message(raw: bytes) -> dict[str, Any] | None:
    """The answer to a line the SDK must not see, or None to pass it on."""
    import mcp_types as types
    from pydantic import ValidationError

    try:
        message = json.loads(raw.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError alike
        return _error(None, PARSE_ERROR, f"Parse error: {exc}"[:200])
    if isinstance(message, list):
        return _error(None, INVALID_REQUEST, "Invalid Request: batches are not supported")
    ident = message.get("id") if isinstance(message, dict) else None
    ident = ident if isinstance(ident, int | str) and not isinstance(ident, bool) else None
    try:
        types.jsonrpc_message_adapter.validate_python(message, by_name=False)
    except ValidationError:
        return _error(ident, INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message")
    arguments = (message.get("params") or {}).get("arguments") or {}
    if message.get("method") == "tools/call" and isinstance(arguments, dict):
        for name, value in arguments.items() if len(raw) > MAX_ARGUMENT else ():
            size = len(json.dumps(value, ensure_ascii=False))
            if size > MAX_ARGUMENT:
                text = f"argument {name!r} is {size:,} characters, over {MAX_ARGUMENT:,}"
                content = [{"type": "text", "text": text}]
                return {
                    "jsonrpc": "2.0",
                    "id": ident,
                    "result": {"content": content, "isError": True},
                }
    return None


class GuardedStdin:
    """stdin for the SDK's stdio reader: an async iterable of the lines it may see."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.write_stream: Any = None  # the SDK's, set once the transport is up

    def __aiter__(self) -> AsyncIterator[str]:
        return self._lines()

    async def _read(self, limit: int) -> bytes:
        import anyio.to_thread

        return await anyio.to_thread.run_sync(self.source.readline, limit, abandon_on_cancel=True)

    async def _lines(self) -> AsyncIterator[str]:
        answer: dict[str, Any] | None
        while raw := await self._read(MAX_MESSAGE + 1):
            if len(raw) > MAX_MESSAGE and not raw.endswith(b"\n"):
                found = _ID_RE.search(raw[:4096])
                ident = json.loads(found.group(1)) if found else None
                while (rest := await self._read(1 << 20)) and not rest.endswith(b"\n"):
                    pass  # the rest of the line, read and dropped a megabyte at a time
                answer = _error(
                    ident, INVALID_REQUEST, f"Invalid Request: over {MAX_MESSAGE:,} bytes"
                )
            elif raw.strip():
                answer = check_message(raw)
                if answer is None:
                    yield raw.decode("utf-8")
                    continue
            else:
                continue
            await self._answer(answer)

    async def _answer(self, payload: dict[str, Any]) -> None:
        import mcp_types as types
        from mcp.shared.message import SessionMessage

        message = types.jsonrpc_message_adapter.validate_python(payload, by_name=False)
        await self.write_stream.send(SessionMessage(message))


async def _serve_stdio(server: Any) -> None:
    """The SDK's `run_stdio_async`, with stdin guarded. fd 0 points at the null device while
    serving (as the SDK does), so no child process reads the protocol's bytes."""
    from mcp.server.stdio import stdio_server

    wire = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    guard = GuardedStdin(os.fdopen(wire, "rb", closefd=False))
    try:
        async with stdio_server(stdin=guard) as (read_stream, write_stream):  # type: ignore[arg-type]
            guard.write_stream = write_stream
            lowlevel = server._lowlevel_server  # what MCPServer.run_stdio_async runs
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
    finally:
        os.dup2(wire, 0)


def serve(workspace: Workspace) -> None:
    try:
        import anyio
        import mcp  # noqa: F401
    except ImportError:
        raise FocusError("`focus mcp` needs the MCP SDK: pip install 'agent-focus[mcp]'") from None
    anyio.run(_serve_stdio, build_server(workspace))
