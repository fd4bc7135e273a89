"""Bind, say where, serve: what `focus serve` does once its options are read.

The socket is bound (and listening) before the URL is printed, so whoever reads the URL can
connect at once; ``--port 0`` takes a free port and prints it.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent_focus.errors import FocusError, UsageError
from agent_focus.serve.guard import is_loopback, load_or_create_token


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (one error line if it cannot be had)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise FocusError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    root: Path,
    state_dir: Path,
    host: str,
    port: int,
    *,
    allowed_hosts: tuple[str, ...] = (),
    on_ready: Callable[[str], None] | None = None,
    background: list[Any] | None = None,
) -> None:
    """Serve the clone of ``root`` until interrupted."""
    import uvicorn

    from agent_focus.serve.app import create_app

    token = load_or_create_token(state_dir)
    sock = bind(host, port)
    bound_address, bound_port = sock.getsockname()[:2]
    # Loopback is what was bound, not what the name says (a hosts file may send `localhost`
    # elsewhere): then the guard knows only that address, and reads need the token.
    guard_host = host if is_loopback(bound_address) or not is_loopback(host) else bound_address
    app = create_app(
        root, host=guard_host, port=bound_port, token=token, allowed_hosts=allowed_hosts,
        background=background,
    )  # fmt: skip
    url = url_of(sock, host)
    sys.stdout.write(f"{url}\n")
    sys.stdout.flush()
    if not is_loopback(host):
        sys.stderr.write(
            f"focus serve: listening beyond loopback ({host}): every API read needs the token "
            f"too; open {url}?token=TOKEN once (TOKEN: focus serve --show-token)\n"
        )
    if on_ready is not None:
        on_ready(url)
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on",
        timeout_graceful_shutdown=2, server_header=False, proxy_headers=False,
    )  # fmt: skip
    uvicorn.Server(config).run(sockets=[sock])
