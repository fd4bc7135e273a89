"""The ASGI app of `focus serve`: routes, the guard, errors as JSON, the live parts.

:func:`create_app` builds it for one clone; :mod:`agent_focus.serve.run` binds and serves it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from agent_focus.errors import (
    ConcurrentEditError,
    FocusError,
    FocusFileLockedError,
    NoDataError,
    TaskNotFoundError,
    UsageError,
)
from agent_focus.planner.providers.base import PlanError
from agent_focus.serve import reads, writes
from agent_focus.serve.clone import Clone, UnknownAgentError
from agent_focus.serve.guard import Guard
from agent_focus.serve.middleware import GuardMiddleware
from agent_focus.serve.openapi import openapi
from agent_focus.serve.responses import JSONResponse
from agent_focus.serve.stream import event_messages, running

STATIC = Path(__file__).parent / "static"


async def page(request: Request) -> Response:
    """The control room. ``/?token=TOKEN`` (needed off loopback) sets the reading cookie."""
    guard: Guard = request.app.state.guard
    given = request.query_params.get("token")
    if given is not None:
        if not guard.token_ok(f"Bearer {given}"):
            return JSONResponse({"error": "wrong token"}, 401)
        response: Response = RedirectResponse("/", 303)
        # A key that lets the browser read, never the token itself: cookies are not kept
        # apart by port, so another service on this host may see it.
        response.set_cookie(
            guard.cookie, guard.read_key, httponly=True, samesite="strict", path="/"
        )
        return response
    index = STATIC / "index.html"
    if not index.exists():
        return JSONResponse({"error": "the page is not in this install; the API is at /api/"}, 404)
    return FileResponse(index, headers={"Cache-Control": "no-cache"})


async def stream(request: Request) -> Response:
    """Every new journal event as a server-sent event (``id:`` is the event's id)."""
    from sse_starlette import EventSourceResponse

    clone: Clone = request.app.state.clone
    agent = request.query_params.get("agent") or None
    messages = event_messages(request, clone.broadcaster, agent)
    return EventSourceResponse(messages, ping=15, send_timeout=30)


async def health(request: Request) -> Response:
    """Whether the server is up: its version, the last event it has seen, its stream clients."""
    from agent_focus import __version__

    clone: Clone = request.app.state.clone
    broadcaster = clone.broadcaster
    return JSONResponse(
        {
            "ok": True,
            "version": __version__,
            "root": str(clone.root),
            "last_event": broadcaster.last,
            "stream_clients": len(broadcaster.subscribers),
            "poll_error": broadcaster.failure,
        }
    )


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi())


def _error(status: int, exc: Exception, **extra: Any) -> Response:
    return JSONResponse({"error": str(exc), "status": status, **extra}, status)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    return JSONResponse({"error": getattr(exc, "detail", str(exc)), "status": status}, status)


async def _unknown_agent(request: Request, exc: Exception) -> Response:
    from anyio.to_thread import run_sync

    clone: Clone = request.app.state.clone
    known = await run_sync(clone.agent_ids)  # git and files: never on the event loop
    message = f"no agent {exc.args[0]!r} in this clone; known: {', '.join(known) or 'none'}"
    return JSONResponse({"error": message, "status": 404, "agents": known}, 404)


async def _journal_error(request: Request, exc: Exception) -> Response:
    return _error(503, Exception(f"the journal cannot be read now: {exc}"))


async def _focus_error(request: Request, exc: Exception) -> Response:
    match exc:
        case UsageError():
            return _error(422, exc)
        case TaskNotFoundError():
            return _error(404, exc, candidates=exc.candidates, candidate_count=exc.count)
        case FocusFileLockedError() | ConcurrentEditError():
            return _error(409, exc)
        case NoDataError():
            return _error(503, exc)
        case PlanError():  # the planner's provider is not set up, failed or answered garbage
            return _error(502, exc)
    return _error(500, exc)


def routes() -> list[Any]:
    return [
        Route("/", page),
        Route("/api/agents", reads.agents),
        Route("/api/agents/{agent}", reads.agent),
        Route("/api/agents/{agent}/complete", writes.complete, methods=["POST"]),
        Route("/api/agents/{agent}/plan", writes.plan, methods=["POST"]),
        Route("/api/update", writes.update, methods=["POST"]),
        Route("/api/events", reads.events),
        Route("/api/usage", reads.usage),
        Route("/api/slo", reads.slo),
        Route("/api/charts", reads.charts),
        Route("/api/stream", stream),
        Route("/api/export/{name}", reads.export),
        Route("/api/openapi.json", openapi_json),
        Route("/api/health", health),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]


def create_app(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str,
    allowed_hosts: tuple[str, ...] = (),
    background: list[Any] | None = None,
) -> Starlette:
    """The app serving the clone of ``root``, bound to ``host``:``port`` with ``token``.

    ``background``: async callables run for the server's lifetime (the alerts' loop)."""
    clone = Clone.at(root)
    guard = Guard(host, port, token, allowed_hosts)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import asyncio

        async with running(clone.broadcaster):
            tasks = [asyncio.create_task(job(clone)) for job in background or []]
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()

    app = Starlette(
        routes=routes(),
        exception_handlers={
            HTTPException: _http_error,
            UnknownAgentError: _unknown_agent,
            FocusError: _focus_error,
            sqlite3.Error: _journal_error,
        },
        lifespan=lifespan,
    )
    app.state.clone = clone
    app.state.guard = guard
    app.add_middleware(GuardMiddleware, guard=guard, log=sys.stderr)
    return app
