"""The control room under load (issue 13): SSE clients and API requests at once.

    python bench/serve.py [--clients 50] [--rate 200] [--seconds 20] [--events-per-second 10]

Makes a clone with four agents in their worktrees, starts the real `focus serve` on a free
loopback port, opens ``--clients`` event streams, then for ``--seconds`` sends ``--rate``
API requests a second (open loop: on a fixed schedule, whether or not the last answered;
a mix of /api/agents, /api/agents/A1, /api/events?limit=50 and /api/health) while this
process writes ``--events-per-second`` journal events (as hooks would). At the end each
stream must have received every event written, exactly once and in order.

Prints, and with --json emits: requests sent and answered, errors, the achieved rate,
request latency p50/p95/p99, SSE delivery latency (event written to received) p50/p95/max,
events missed and duplicated per client. Every loop is bounded in count and time; only
127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import focus_command

PATHS = ("api/agents", "api/agents/A1", "api/events?limit=50", "api/health")


def make_clone(work: Path) -> Path:
    """A git repository with the example strategy and agents A1-A4 in worktrees."""
    repo = work / "repo"
    repo.mkdir()
    example = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "example"
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@localhost",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@localhost"}  # fmt: skip
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    (repo / "AI_JOB_STRATEGY.md").write_bytes((example / "AI_JOB_STRATEGY.md").read_bytes())
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "strategy"], cwd=repo, check=True, env=env)
    for agent in ("A1", "A2", "A3", "A4"):
        subprocess.run([*focus_command(), "agents", "add", agent], cwd=repo, check=True,
                       env=env, capture_output=True)  # fmt: skip
    return repo


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def stream_client(url: str, seen: list[tuple[int, float, str]], stop: asyncio.Event) -> None:
    import httpx

    async with (
        httpx.AsyncClient(timeout=None) as client,
        client.stream("GET", url + "api/stream") as response,
    ):
        event_id = None
        async for line in response.aiter_lines():
            if line.startswith("id:"):
                event_id = int(line[3:])
            elif line.startswith("data:") and event_id is not None:
                seen.append((event_id, time.time(), json.loads(line[5:])["at"]))
            if stop.is_set():
                return


async def load(url: str, rate: int, seconds: float) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:

        async def one(path: str) -> None:
            started = time.perf_counter()
            try:
                answer = await client.get(url + path)
                if answer.status_code != 200:
                    errors[str(answer.status_code)] = errors.get(str(answer.status_code), 0) + 1
                    return
                latencies.append(time.perf_counter() - started)
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1

        tasks = []
        start = time.perf_counter()
        total = int(rate * seconds)
        for n in range(total):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(PATHS[n % len(PATHS)])))
        await asyncio.gather(*tasks)
        took = time.perf_counter() - start
    return {"sent": total, "answered": len(latencies), "errors": errors,
            "rate": round(len(latencies) / took, 1), "latencies": latencies}  # fmt: skip


async def write_events(folder: Path, per_second: float, seconds: float) -> list[int]:
    from agent_focus.journal.events import latest_id, record_event

    written = []
    count = int(per_second * seconds)
    for n in range(count):
        await asyncio.sleep(1 / per_second)
        await asyncio.to_thread(record_event, folder, "hook", {"event": "PostToolUse", "n": n},
                                f"A{n % 4 + 1}", "bench")  # fmt: skip
        written.append(await asyncio.to_thread(latest_id, folder))
    return written


async def streams(url: str, count: int, seconds: float) -> list[list[tuple[int, float, str]]]:
    """``count`` SSE clients until a line on stdin (at most ``seconds``); what each
    received: (id, when, written at)."""
    stop = asyncio.Event()
    seen: list[list[tuple[int, float, str]]] = [[] for _ in range(count)]
    clients = [asyncio.create_task(stream_client(url, s, stop)) for s in seen]
    print("connected", flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.to_thread(sys.stdin.readline), seconds)
    stop.set()
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    return seen


def stream_child(url: str, count: int, seconds: float) -> None:
    """`--stream-child`: the SSE clients in a process of their own (print what they saw)."""
    seen = asyncio.run(streams(url, count, seconds))
    print(json.dumps(seen))


async def run(args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    from datetime import datetime

    child = subprocess.Popen(
        [sys.executable, __file__, "--stream-child", url, str(args.clients), "600"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    await asyncio.to_thread(child.stdout.readline)
    for _ in range(100):  # every stream connected
        if (await asyncio.to_thread(_health, url))["stream_clients"] >= args.clients:
            break
        await asyncio.sleep(0.1)
    cpu_before = _cpu(args.server_pid)
    loaded, written = await asyncio.gather(
        load(url, args.rate, args.seconds),
        write_events(folder, args.events_per_second, args.seconds),
    )
    server_cpu = _cpu(args.server_pid) - cpu_before
    await asyncio.sleep(2)  # the last events reach every stream
    seen = [[tuple(x) for x in s] for s in json.loads(child.communicate("stop\n")[0])]
    wanted = set(written)
    missed = [len(wanted - {i for i, _, _ in s}) for s in seen]
    duplicated = [len(s) - len({i for i, _, _ in s}) for s in seen]
    in_order = all([i for i, _, _ in s] == sorted(i for i, _, _ in s) for s in seen)
    delays = [got - datetime.fromisoformat(at).timestamp() for s in seen for _, got, at in s]
    lat = loaded.pop("latencies")
    return {
        "clients": args.clients, "connected": sum(1 for s in seen if s), "target_rate": args.rate,
        "seconds": args.seconds, **loaded,
        "request_ms": {k: round((percentile(lat, q) or 0) * 1000, 1) for k, q in
                       (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))},
        "events_written": len(written), "deliveries": sum(len(s) for s in seen),
        "missed_per_client_max": max(missed), "duplicated_per_client_max": max(duplicated),
        "in_order": in_order,
        "delivery_ms": {"p50": round(statistics.median(delays) * 1000, 1) if delays else None,
                        "p95": round((percentile(delays, 0.95) or 0) * 1000, 1),
                        "max": round(max(delays, default=0) * 1000, 1)},
        "server_cpu_s": round(server_cpu, 2),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--events-per-second", type=float, default=10)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--stream-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stream_child:
        url, count, seconds = args.stream_child
        stream_child(url, int(count), float(seconds))
        return
    work = Path(tempfile.mkdtemp(prefix="focus-bench-serve-"))
    repo = make_clone(work)
    server = subprocess.Popen([*focus_command(), "serve", "--port", "0"], cwd=repo,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        args.server_pid = server.pid
        result = asyncio.run(run(args, url, repo / ".git" / "agent-focus"))
    finally:
        server.terminate()
        server.wait(10)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:28} {value}")


def _health(url: str) -> dict[str, Any]:
    import httpx

    return httpx.get(url + "api/health").json()  # type: ignore[no-any-return]


def _cpu(pid: int) -> float:
    """User + system seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
