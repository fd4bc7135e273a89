"""Real servers for the metrics tests: an exporter Prometheus scrapes, and two faulty peers.

`focus_serve` starts the real control-room server in a process of its own.

The exporter serves the Prometheus text format from a dict the tests set; the silent server
accepts connections and never answers (a server slow past any timeout); the failing server
answers HTTP 500 to everything.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Exporter:
    """Serves ``/metrics`` with the gauges in :attr:`values` (name with labels -> value)."""

    def __init__(self, values: dict[str, str]):
        self.values = values
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = "".join(
                    f"{name} {value}\n" for name, value in exporter.values.items()
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Exporter:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def failing_server(status: int = 500) -> Iterator[str]:
    """An HTTP server answering ``status`` to every request; yields its URL."""
    with answering_server(status, b'{"error": "injected failure"}') as url:
        yield url


@contextlib.contextmanager
def answering_server(status: int, body: bytes) -> Iterator[str]:
    """An HTTP server answering every request with ``status`` and the JSON ``body``."""

    class Handler(BaseHTTPRequestHandler):
        def _fail(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _fail

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """Accepts TCP connections and never answers; yields its URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                connection, _ = listener.accept()
                held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for connection in held:
            connection.close()
        listener.close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class Served:
    """A real `focus serve` process: its URL, and its stderr once stopped."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        self.stderr = ""

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])


@contextlib.contextmanager
def focus_serve(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Start `focus serve --port 0` in ``cwd`` and yield once it prints its URL (it is
    listening by then); stop it (SIGTERM, then SIGKILL) at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "agent_focus", "serve", "--port", "0", *args],
        cwd=cwd, env={**os.environ, **(env or {})}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    served = Served(process, "")
    try:
        assert process.stdout is not None
        ready = select.select([process.stdout], [], [], 30)[0]
        line = process.stdout.readline() if ready else ""
        if not line.startswith("http://"):
            process.kill()
            raise AssertionError(f"focus serve did not start: {line!r} {process.communicate()[1]}")
        served.url = line.strip()
        yield served
    finally:
        process.terminate()
        try:
            _, served.stderr = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            _, served.stderr = process.communicate()


class Receiver:
    """A webhook receiver: records each POST's JSON body in :attr:`bodies`, answers 200."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                import json

                length = int(self.headers.get("Content-Length") or 0)
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                receiver.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
