"""Start and stop a local MLflow tracking server and Prometheus on loopback, for real demos
(`focus services up|down|status`).

State (SQLite backend, artifacts, TSDB, logs, pids) lives in ``.focus-services/`` of the
main checkout. The test fixtures use the same functions on free ports in temporary folders.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

STATE_DIR = Path(".focus-services")


@dataclass
class Service:
    name: str
    url: str
    ready_path: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, grace: float = 10.0) -> None:
        stop_process(self.process.pid, grace)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(pid: int, grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
                finished, _ = os.waitpid(pid, os.WNOHANG)
                if finished:
                    return
            except (ProcessLookupError, ChildProcessError):
                return
            time.sleep(0.1)


def wait_ready(
    url: str, process: subprocess.Popen[bytes] | None, log: Path, timeout: float
) -> None:
    """Poll ``url`` until it answers 200; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{url}: the server exited with {process.returncode}:\n{tail}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} was not ready within {timeout:.0f} s (log: {log})")


def _spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _serve(
    name: str, command: list[str], port: int, ready_path: str, log: Path, timeout: float
) -> Service:
    """Spawn ``command``, wait until ``ready_path`` answers, stop it again if it never does."""
    url = f"http://127.0.0.1:{port}"
    service = Service(name, url, ready_path, _spawn(command, log), log)
    try:
        wait_ready(url + ready_path, service.process, log, timeout)
    except BaseException:
        service.stop()
        raise
    return service


def mlflow_command() -> list[str] | None:
    """How to run the MLflow server here (the full `mlflow` package has it), or None."""
    exe = shutil.which("mlflow")
    if exe is None:
        return None
    probe = subprocess.run([exe, "server", "--help"], capture_output=True, timeout=60)
    return [exe] if probe.returncode == 0 else None


def start_mlflow(folder: Path, port: int, timeout: float = 90.0) -> Service:
    """An MLflow tracking server with a SQLite backend in ``folder``, on 127.0.0.1:``port``."""
    command = mlflow_command()
    if command is None:
        raise RuntimeError("no MLflow server here: `pip install mlflow` (the dev extra has it)")
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        *command,
        "server",
        "--backend-store-uri", f"sqlite:///{folder.resolve() / 'mlflow.db'}",
        "--default-artifact-root", str((folder / "artifacts").resolve()),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", "1",
    ]  # fmt: skip
    return _serve("mlflow", command, port, "/health", folder / "mlflow.log", timeout)


def prometheus_config(scrape_targets: list[str], interval: str = "5s") -> str:
    targets = ", ".join(f'"{t}"' for t in scrape_targets)
    return (
        "global:\n"
        f"  scrape_interval: {interval}\n"
        f"  evaluation_interval: {interval}\n"
        "scrape_configs:\n"
        "  - job_name: focus\n"
        f"    static_configs:\n      - targets: [{targets}]\n"
    )


def start_prometheus(
    folder: Path,
    port: int,
    scrape_targets: list[str] | None = None,
    interval: str = "5s",
    timeout: float = 60.0,
) -> Service:
    """Prometheus on 127.0.0.1:``port``, scraping ``scrape_targets`` (itself by default)."""
    exe = shutil.which("prometheus")
    if exe is None:
        raise RuntimeError("no `prometheus` binary: `apt-get install -y prometheus`")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "prometheus.yml"
    config.write_text(prometheus_config(scrape_targets or [f"127.0.0.1:{port}"], interval))
    command = [
        exe,
        f"--config.file={config}",
        f"--storage.tsdb.path={folder / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    return _serve("prometheus", command, port, "/-/ready", folder / "prometheus.log", timeout)


SERVICES = (("mlflow", start_mlflow, 5000), ("prometheus", start_prometheus, 9090))


@dataclass(frozen=True)
class ServiceState:
    """One line of `focus services`: a service, whether it runs, and what was done."""

    name: str
    pid: int | None
    message: str
    ok: bool = True

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "pid": self.pid, "running": self.pid is not None,
                "message": self.message, "ok": self.ok}  # fmt: skip


def _pid_file(folder: Path, name: str) -> Path:
    return folder / f"{name}.pid"


def _running(folder: Path, name: str) -> int | None:
    try:
        pid = int(_pid_file(folder, name).read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def services_up(folder: Path = STATE_DIR) -> list[ServiceState]:
    """Start what is not running yet, each on its usual port; state under ``folder``."""
    states = []
    for name, start, port in SERVICES:
        pid = _running(folder, name)
        if pid:
            states.append(ServiceState(name, pid, f"already running (pid {pid})"))
            continue
        try:
            service = start(folder / name, port)
        except RuntimeError as exc:
            states.append(ServiceState(name, None, f"not started: {exc}", ok=False))
            continue
        _pid_file(folder, name).write_text(str(service.process.pid))
        message = f"{service.url} (pid {service.process.pid}, log {service.log})"
        states.append(ServiceState(name, service.process.pid, message))
    return states


def services_down(folder: Path = STATE_DIR) -> list[ServiceState]:
    """Stop what `services_up` started."""
    states = []
    for name, _start, _port in SERVICES:
        pid = _running(folder, name)
        if pid is None:
            states.append(ServiceState(name, None, "not running"))
            continue
        stop_process(pid)
        _pid_file(folder, name).unlink(missing_ok=True)
        states.append(ServiceState(name, None, f"stopped (was pid {pid})"))
    return states


def services_status(folder: Path = STATE_DIR) -> list[ServiceState]:
    states = []
    for name, _start, _port in SERVICES:
        pid = _running(folder, name)
        states.append(ServiceState(name, pid, f"running, pid {pid}" if pid else "not running"))
    return states
