"""The guard as ASGI middleware (it must not buffer the event stream), with the security
headers every answer carries and one log line per write or error (never a query string:
``/?token=`` would put the token in it)."""

from __future__ import annotations

from typing import TextIO

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent_focus.serve.guard import READ_METHODS, Guard
from agent_focus.serve.responses import JSONResponse

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]


class GuardMiddleware:
    def __init__(self, app: ASGIApp, guard: Guard, log: TextIO | None = None) -> None:
        self.app = app
        self.guard = guard
        self.log = log

    def refusal(self, scope: Scope) -> JSONResponse | None:
        """Why this request may not pass, as the answer to give; None when it may."""
        headers = Headers(scope=scope)
        guard, method, path = self.guard, scope["method"], scope["path"]
        host = headers.get("host")
        if not guard.host_ok(host):
            return JSONResponse(
                {"error": "this Host is not the server's address", "status": 400}, 400
            )
        if method not in READ_METHODS:
            if not guard.origin_ok(headers.get("origin"), host, headers.get("sec-fetch-site")):
                return JSONResponse(
                    {"error": "cross-origin writes are refused", "status": 403}, 403
                )
            if not guard.token_ok(headers.get("authorization")):
                return _unauthorized(
                    "writes need Authorization: Bearer TOKEN (focus serve --show-token)"
                )
        elif (
            path.startswith("/api/")
            and guard.reads_need_token()
            and not guard.token_ok(
                headers.get("authorization"), HTTPConnection(scope).cookies.get(guard.cookie)
            )
        ):
            return _unauthorized(
                "off loopback, reads need the token too (focus serve --show-token)"
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self.refusal(scope)
        status: list[int] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        try:
            if refused is not None:
                await refused(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            self._log(scope, status[0] if status else 500)

    def _log(self, scope: Scope, status: int) -> None:
        if self.log is None or (scope["method"] in READ_METHODS and status < 400):
            return
        try:
            path = scope["path"].encode("unicode_escape").decode("ascii")  # one line, always
            self.log.write(f"focus serve: {scope['method']} {path} {status}\n")
            self.log.flush()
        except (OSError, ValueError):
            pass


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse(
        {"error": message, "status": 401}, 401, headers={"WWW-Authenticate": "Bearer"}
    )
