"""Slow and hostile services against the real `focus` process: every network call lives under
the configured timeout (counted from the command's start), answers are capped in size, and
the routines go on without the MLflow mirror when it is slow.

Each server here is real, on 127.0.0.1, started by the test: it drips bytes, sends a 200 MB
answer (with and without Content-Length), answers HTML, HTTP 500 or bytes that are not HTTP.
Each `focus` runs under a memory limit (RLIMIT_AS) and a wall-clock limit (the test's
timeout); its peak RSS is read with wait4 and bounded loosely.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_DIR, git
from tests.servers import closed_port_url

MEMORY_LIMIT = 1536 * 2**20  # address space; Python + mlflow-skinny + threads need ~600 MB
PEAK_RSS_MB = 600  # loosely: a 200 MB answer read whole costs 2.5-4 GB
TIMEOUT = 2  # focus.yaml `timeout:`; every child must finish well within WALL_LIMIT
WALL_LIMIT = 25.0
HUGE = 200 * 2**20

ATTACKS = ("drip", "huge", "huge-chunked", "html", "500", "garbage")


# --- a hostile HTTP server ------------------------------------------------------------------


def _huge_json_chunks(total: int) -> Iterator[bytes]:
    """A JSON document of about ``total`` bytes that is costly to parse: many small objects."""
    item = b'{"metric":{"__name__":"up","job":"x"},"value":[1,"1"]},'
    block = item * (2**20 // len(item))
    yield b'{"status":"success","data":{"resultType":"vector","result":['
    sent = 0
    while sent < total:
        yield block
        sent += len(block)
    yield item[:-1] + b"]}}"


def _answer(connection: socket.socket, attack: str, path: str) -> None:
    send = connection.sendall
    if attack == "drip":  # one byte at a time, from the status line on: each read succeeds
        for (
            byte
        ) in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 99\r\n\r\n":
            send(bytes([byte]))
            time.sleep(0.3)
        while True:
            send(b" ")
            time.sleep(0.3)
    elif attack == "huge":
        send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {sum(map(len, _huge_json_chunks(HUGE)))}\r\n\r\n".encode()
        )
        for chunk in _huge_json_chunks(HUGE):
            send(chunk)
    elif attack == "huge-chunked":  # no length announced: only counting the bytes stops it
        send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for chunk in _huge_json_chunks(HUGE):
            send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        send(b"0\r\n\r\n")
    elif attack in ("html", "500"):
        status = b"200 OK" if attack == "html" else b"500 Internal Server Error"
        body = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
        send(
            b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
        )  # fmt: skip
    elif attack == "garbage":  # not HTTP at all
        send(bytes(range(256)) * 64)
    else:  # pragma: no cover
        raise ValueError(attack)


@contextlib.contextmanager
def hostile_server(attack: str, only: tuple[str, ...] = ()) -> Iterator[str]:
    """A loopback server answering every request with ``attack``; when ``only`` is given, only
    requests whose path contains one of those strings are attacked, the others get HTTP 500."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve(connection: socket.socket) -> None:
        with contextlib.suppress(OSError):
            request = connection.recv(65536).decode("latin-1")
            path = request.split(" ")[1] if request.count(" ") >= 2 else "/"
            chosen = attack if not only or any(part in path for part in only) else "500"
            _answer(connection, chosen, path)
            connection.shutdown(socket.SHUT_WR)
            time.sleep(0.5)
        connection.close()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                connection, _ = listener.accept()
                connection.settimeout(60)
                held.append(connection)
                threading.Thread(target=serve, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for connection in held:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        listener.close()


# --- the real `focus`, bounded in time and memory -------------------------------------------


@dataclass
class Bounded:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_focus(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Bounded:
    """`focus ARGS` under RLIMIT_AS, killed at WALL_LIMIT (the test then fails), with its
    peak RSS read from wait4 (this child's own, not the test run's)."""
    out, err = cwd.parent / "focus.out", cwd.parent / "focus.err"
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "agent_focus", *args],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=stdout,
            stderr=stderr,
            preexec_fn=_limit_memory,
        )
        killer = threading.Timer(WALL_LIMIT, lambda: os.kill(child.pid, signal.SIGKILL))
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    result = Bounded(
        child.returncode, out.read_text(), err.read_text(), seconds, usage.ru_maxrss / 1024
    )
    print(f"focus {' '.join(args)}: exit {result.returncode}, {seconds:.1f} s, "
          f"peak RSS {result.peak_rss_mb:.0f} MB")  # fmt: skip
    assert result.returncode != -signal.SIGKILL, f"focus took longer than {WALL_LIMIT} s"
    assert "Traceback" not in result.stderr, result.stderr
    assert result.peak_rss_mb < PEAK_RSS_MB, result
    return result


def workspace(repo: Path, mlflow: str, prometheus: str, timeout: float = TIMEOUT) -> Path:
    (repo / "AGENT_FOCUS.md").write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    (repo / ".agent.env").write_text("AGENT_ID=A1\n")
    (repo / "focus.yaml").write_text(
        f"mlflow:\n  tracking_uri: {mlflow}\nprometheus:\n  url: {prometheus}\n"
        f"timeout: {timeout}\nslos:\n  - name: up\n    query: up\n    min: 1\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "workspace with a hostile service")
    return repo


# --- Prometheus -----------------------------------------------------------------------------


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_hostile_prometheus_is_no_data_within_the_timeout(repo: Path, attack: str) -> None:
    with hostile_server(attack) as url:
        root = workspace(repo, closed_port_url(), url)
        result = run_focus("metrics", "--source", "prometheus", "--json", cwd=root)
    assert result.returncode == 4, result
    source = json.loads(result.stdout)["sources"][0]
    assert source["no_data"] is not None, source
    if attack.startswith("huge"):
        assert "stopped reading" in source["no_data"]["detail"], source


# --- the MLflow mirror ----------------------------------------------------------------------

# The mirror's requests; the collector's (search) get a quick HTTP 500. The timeout leaves
# MLflow's client time to load (1-2 s, 6 s on a machine busy with other test runs), so that
# the server's answer, not the import, is what is tested.
MIRROR_PATHS = ("get-by-name", "experiments/create", "runs/")
MLFLOW_TIMEOUT = 10
MIRROR_NOTES = {
    "drip": f"no answer from {{url}} within {MLFLOW_TIMEOUT} s",
    "huge": "stopped reading",
    "huge-chunked": "stopped reading",
}


@pytest.mark.parametrize("attack", ["drip", "huge", "huge-chunked"])
@pytest.mark.parametrize("command", ["evening", "plan", "morning"])
def test_the_routines_go_on_without_a_slow_mirror(repo: Path, command: str, attack: str) -> None:
    with hostile_server(attack, only=MIRROR_PATHS) as url:
        root = workspace(repo, url, closed_port_url(), timeout=MLFLOW_TIMEOUT)
        args = (command, "--json") if command != "evening" else (command, "--json", "--no-commit")
        result = run_focus(*args, cwd=root)
    assert result.returncode in (0, 3, 4), result
    payload = json.loads(result.stdout)
    notes = payload["notes"] if command != "morning" else payload["plan"]["notes"]
    mirror = [note for note in notes if note.startswith("MLflow mirror")]
    assert len(mirror) == 1, notes
    assert MIRROR_NOTES[attack].format(url=url) in mirror[0], mirror
    assert mirror[0].endswith("(the local journal has it)"), mirror


@pytest.mark.parametrize("attack", ["drip", "huge"])
def test_a_slow_mlflow_everywhere_costs_one_timeout(repo: Path, attack: str) -> None:
    """The collector and the mirror share one deadline from the command's start."""
    with hostile_server(attack) as url:
        root = workspace(repo, url, closed_port_url())
        result = run_focus("evening", "--json", "--no-commit", cwd=root)
    assert result.returncode == 0, result
    notes = json.loads(result.stdout)["notes"]
    # Skipped at the deadline, or refused as too large before it: either way, without it.
    assert any(
        note.startswith(("MLflow mirror skipped", "MLflow mirror failed")) for note in notes
    ), notes


# --- focus usage --source mlflow ------------------------------------------------------------


@pytest.mark.parametrize("attack", ATTACKS)
def test_usage_from_a_hostile_mlflow_is_no_data(repo: Path, attack: str) -> None:
    with hostile_server(attack) as url:
        root = workspace(repo, url, closed_port_url(), timeout=MLFLOW_TIMEOUT)
        result = run_focus("usage", "--source", "mlflow", cwd=root)
    assert result.returncode == 4, result
    assert result.stderr.startswith("focus: error: NO DATA AVAILABLE from MLflow"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    expected = {"drip": f"no answer from {url} within", "500": "HTTP 500"}
    assert expected.get(attack, "") in result.stderr, result.stderr
    assert "still loading" not in result.stderr, result.stderr
    if attack.startswith("huge"):
        assert "stopped reading" in result.stderr, result.stderr
