"""The control room's API: the real `focus serve` process on a free loopback port, a real
HTTP client (httpx), real worktrees, the real CLI writing beside it."""

from __future__ import annotations

import concurrent.futures
import csv
import fcntl
import io
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FocusRunner
from tests.servers import Served, focus_serve

httpx = pytest.importorskip("httpx", reason="httpx is in the dev extra")


@pytest.fixture
def clone(two_agents: tuple[Path, Path]) -> tuple[Path, Path]:
    """Agents A1 and A2 in their worktrees (conftest's fixture)."""
    return two_agents


@pytest.fixture
def served(clone: tuple[Path, Path]) -> Iterator[Served]:
    with focus_serve(clone[0]) as server:
        yield server


def token_of(focus: FocusRunner, cwd: Path) -> str:
    done = focus("serve", "--show-token", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def write(served: Served, path: str, body: Any, token: str | None, **headers: str) -> Any:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(served.url + path.lstrip("/"), json=body, headers=headers, timeout=30)


def test_reads_are_the_clis_json(served: Served, clone: tuple[Path, Path], focus: FocusRunner) -> None:  # fmt: skip
    a1, _ = clone
    agents = httpx.get(served.url + "api/agents").json()
    cli = json.loads(focus("status", "--all", "--json", cwd=a1).stdout)
    assert agents == cli and [a["agent"]["id"] for a in agents] == ["A1", "A2"]
    one = httpx.get(served.url + "api/agents/a2")
    assert one.status_code == 200 and one.json() == cli[1]
    unknown = httpx.get(served.url + "api/agents/A9")
    assert unknown.status_code == 404 and unknown.json()["agents"] == ["A1", "A2"]
    events = httpx.get(served.url + "api/events").json()
    assert events == json.loads(focus("log", "--json", "--limit", "500", cwd=a1).stdout)
    assert httpx.get(served.url + "api/events", params={"agent": "A2"}).json() == [
        e for e in events if e["agent"] == "A2"
    ]
    page = httpx.get(served.url + "api/events", params={"after": events[0]["id"], "limit": 1})
    assert page.json() == [events[1]]  # with after: the next ones, a cursor
    assert httpx.get(served.url + "api/events", params={"limit": 1}).json() == [events[-1]]
    usage = httpx.get(served.url + "api/usage", params={"by": "day"}).json()
    assert usage["by"] == "day" and set(usage) >= {"total", "rows", "ingest"}
    assert httpx.get(served.url + "api/usage", params={"by": "colour"}).status_code == 422
    assert httpx.get(served.url + "api/usage", params={"since": "soon"}).status_code == 422
    slo = httpx.get(served.url + "api/slo").json()
    assert slo["exit_code"] == 4 and "no SLO configured" in slo["reason"]
    spec = httpx.get(served.url + "api/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/api/agents/{agent}/complete" in spec["paths"]


def test_writes_need_the_token_and_change_one_line(
    served: Served, clone: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, _ = clone
    before = (a1 / "AGENT_FOCUS.md").read_bytes()
    assert write(served, "api/agents/A1/complete", {"task": "1"}, None).status_code == 401
    assert write(served, "api/agents/A1/complete", {"task": "1"}, "wrong" * 10).status_code == 401
    assert (a1 / "AGENT_FOCUS.md").read_bytes() == before
    token = token_of(focus, a1)
    token_file = Path(
        focus("serve", "--show-token", cwd=a1).stderr.split(" is in ")[1].split(" (")[0]
    )
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    done = write(served, "api/agents/A1/complete", {"task": "1"}, token)
    assert done.status_code == 200, done.text
    answer = done.json()
    assert answer["status"] == "completed" and answer["agent"] == "A1"
    after = (a1 / "AGENT_FOCUS.md").read_bytes()
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert len(changed) == 1 and b"[x]" in changed[0][1]
    again = write(served, "api/agents/A1/complete", {"task": answer["task"]}, token)
    assert again.json()["status"] == "already_done"
    assert token not in json.dumps(httpx.get(served.url + "api/events").json())
    served.process.terminate()
    served.process.wait(10)
    assert served.process.stderr is not None
    log = served.process.stderr.read()
    assert "POST /api/agents/A1/complete 200" in log and token not in log


def test_bad_bodies_unknown_tasks_and_agents(served: Served, clone: tuple[Path, Path], focus: FocusRunner) -> None:  # fmt: skip
    a1, _ = clone
    token = token_of(focus, a1)
    before = (a1 / "AGENT_FOCUS.md").read_bytes()
    for body in ([1], {"task": 3}, {"task": "1", "colour": "red"}, {}):
        answer = write(served, "api/agents/A1/complete", body, token)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["error"].startswith("body:")
    raw = httpx.post(
        served.url + "api/agents/A1/complete", content=b"{not json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert raw.status_code == 422 and "not JSON" in raw.json()["error"]
    unknown = write(served, "api/agents/A1/complete", {"task": "paint the moon"}, token)
    assert unknown.status_code == 404 and "candidates" in unknown.json()
    assert write(served, "api/agents/A7/complete", {"task": "1"}, token).status_code == 404
    assert write(served, "api/agents/A1/plan", {"provider": "oracle"}, token).status_code == 422
    assert (a1 / "AGENT_FOCUS.md").read_bytes() == before


def test_a_locked_focus_file_is_409_and_unchanged(
    served: Served, clone: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, _ = clone
    token = token_of(focus, a1)
    path = a1 / "AGENT_FOCUS.md"
    before = path.read_bytes()
    fd = os.open(a1 / ".AGENT_FOCUS.md.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # what another `focus` writer holds while it edits
        answer = write(served, "api/agents/A1/complete", {"task": "1"}, token)
        assert answer.status_code == 409, answer.text
        assert "another writer" in answer.json()["error"]
        assert path.read_bytes() == before
    finally:
        os.close(fd)
    assert write(served, "api/agents/A1/complete", {"task": "1"}, token).status_code == 200


def test_plan_and_update_triggers(served: Served, clone: tuple[Path, Path], focus: FocusRunner) -> None:  # fmt: skip
    a1, a2 = clone
    token = token_of(focus, a1)
    keyless = write(served, "api/agents/A2/plan", {"provider": "openai"}, token)
    assert keyless.status_code == 502 and "OPENAI_API_KEY is not set" in keyless.json()["error"]
    dry = write(served, "api/agents/A2/plan", {"provider": "offline", "dry_run": True}, token)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    planned = write(served, "api/agents/A2/plan", {"provider": "offline"}, token)
    assert planned.status_code == 200 and planned.json()["added"]
    for task in planned.json()["added"]:
        assert task["title"] in (a2 / "AGENT_FOCUS.md").read_text()
    updated = write(served, "api/update", {}, token)
    assert updated.status_code == 200, updated.text
    assert [u["agent"] for u in updated.json()["updated"]] == ["A1", "A2"]
    kinds = [e["kind"] for e in httpx.get(served.url + "api/events").json()]
    assert kinds.count("update") == 2 and "plan" in kinds


def test_host_and_origin_checks(served: Served, clone: tuple[Path, Path], focus: FocusRunner) -> None:  # fmt: skip
    a1, _ = clone
    token = token_of(focus, a1)
    rebinding = httpx.get(served.url + "api/agents", headers={"Host": "evil.example:80"})
    assert rebinding.status_code == 400
    other_port = httpx.get(served.url + "api/agents", headers={"Host": "127.0.0.1:1"})
    assert other_port.status_code == 400
    named = httpx.get(served.url + "api/agents", headers={"Host": f"localhost:{served.port}"})
    assert named.status_code == 200
    cross = write(
        served, "api/agents/A1/complete", {"task": "1"}, token, Origin="http://evil.example"
    )
    assert cross.status_code == 403
    site = write(served, "api/agents/A1/complete", {"task": "1"}, token, **{"Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert site.status_code == 403
    own = write(
        served, "api/agents/A1/complete", {"task": "1"}, token, Origin=served.url.rstrip("/")
    )
    assert own.status_code == 200
    page = httpx.get(served.url + "api/agents")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_off_loopback_reads_need_the_token(clone: tuple[Path, Path], focus: FocusRunner) -> None:
    a1, _ = clone
    with focus_serve(a1, "--host", "0.0.0.0") as served:
        url = f"http://127.0.0.1:{served.port}/"
        token = token_of(focus, a1)
        assert httpx.get(url + "api/agents").status_code == 401
        header = {"Authorization": f"Bearer {token}"}
        assert httpx.get(url + "api/agents", headers=header).status_code == 200
        assert httpx.get(url + "?token=nope").status_code == 401
        with httpx.Client(follow_redirects=True) as browser:
            login = browser.get(url + f"?token={token}")
            assert [r.status_code for r in login.history] == [303] and str(login.url) == url
            assert "token" not in str(login.url)  # the token leaves the address bar
            assert browser.get(url + "api/agents").status_code == 200
    assert token not in served.stderr


def sse_events(response: Any, count: int, deadline: float) -> list[dict[str, Any]]:
    """The next ``count`` SSE messages of a streaming response, as {id, data}."""
    found: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for line in response.iter_lines():
        if line.startswith("id:"):
            current["id"] = int(line[3:].strip())
        elif line.startswith("data:"):
            current["data"] = json.loads(line[5:].strip())
        elif line == "" and current:
            found.append(current)
            current = {}
            if len(found) >= count:
                return found
        if time.monotonic() > deadline:
            break
    return found


def test_stream_delivers_another_process_event_within_a_second_and_resumes(
    served: Served, clone: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, a2 = clone
    with httpx.stream("GET", served.url + "api/stream", timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        got: list[dict[str, Any]] = []
        reader = threading.Thread(
            target=lambda: got.extend(sse_events(response, 1, time.monotonic() + 8))
        )
        reader.start()
        time.sleep(0.3)
        done = focus("complete", "1", cwd=a2)
        written = time.monotonic()
        reader.join(10)
        received = time.monotonic()
    assert done.returncode == 0 and got, done.stderr
    assert got[0]["data"]["kind"] == "complete" and got[0]["data"]["agent"] == "A2"
    assert received - written < 1.0
    last = got[0]["id"]
    assert focus("complete", "1", cwd=a1).returncode == 0  # while nobody listens
    assert focus("complete", "2", cwd=a2).returncode == 0
    headers = {"Last-Event-ID": str(last)}
    with httpx.stream("GET", served.url + "api/stream", headers=headers, timeout=10) as again:
        missed = sse_events(again, 2, time.monotonic() + 5)
    assert [m["data"]["agent"] for m in missed] == ["A1", "A2"]
    assert [m["id"] for m in missed] == sorted(m["id"] for m in missed) and missed[0]["id"] > last
    health = httpx.get(served.url + "api/health").json()
    for _ in range(50):
        if health["stream_clients"] == 0:
            break
        time.sleep(0.1)
        health = httpx.get(served.url + "api/health").json()
    assert health["stream_clients"] == 0  # a client that went away frees its queue


def test_exports(served: Served, clone: tuple[Path, Path], focus: FocusRunner) -> None:
    a1, _ = clone
    logs = Path(os.environ["CLAUDE_CONFIG_DIR"]) / "projects" / "p"
    logs.mkdir(parents=True)
    entry = {
        "cwd": str(a1), "sessionId": "s1", "isSidechain": False, "type": "assistant",
        "timestamp": "2026-11-20T10:00:00.000Z", "requestId": "req_1",
        "message": {"id": "msg_1", "model": "claude-sonnet-4-5-20250929", "usage": {
            "input_tokens": 10, "output_tokens": 100, "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 1000}},
    }  # fmt: skip
    (logs / "s1.jsonl").write_text(json.dumps(entry, separators=(",", ":")) + "\n")
    assert httpx.get(served.url + "api/usage").json()["total"]["calls"] == 1  # ingests
    events = httpx.get(served.url + "api/export/events.jsonl")
    assert events.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in events.text.splitlines()]
    assert rows == httpx.get(served.url + "api/events").json()
    table = list(csv.DictReader(io.StringIO(httpx.get(served.url + "api/export/events.csv").text)))
    assert [int(r["id"]) for r in table] == [r["id"] for r in rows]
    assert json.loads(table[0]["payload"]) == rows[0]["payload"]
    usage = httpx.get(served.url + "api/export/usage.jsonl").text.splitlines()
    call = json.loads(usage[0])
    assert len(usage) == 1 and (call["agent"], call["worktree"]) == ("A1", "wt-a1-mlops")
    assert (call["input_tokens"], call["output_tokens"], call["cached_tokens"]) == (10, 100, 1000)
    assert call["cost_usd"] == pytest.approx((10 * 3 + 100 * 15 + 1000 * 0.3) / 1e6)
    usage_csv = list(
        csv.DictReader(io.StringIO(httpx.get(served.url + "api/export/usage.csv").text))
    )
    assert usage_csv[0]["model"] == "claude-sonnet-4-5-20250929"
    assert httpx.get(served.url + "api/export/secrets.csv").status_code == 404


def _strict(text: str) -> Any:
    """JSON as the standard has it: ``Infinity`` and ``NaN`` are not numbers a browser reads."""

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_an_infinite_cost_is_null_not_a_500(served: Served, clone: tuple[Path, Path]) -> None:
    """A log's own costUSD may say 1e999 (docs/usage.md): the API says null, as --json does,
    and the exports stay JSON."""
    a1, _ = clone
    logs = Path(os.environ["CLAUDE_CONFIG_DIR"]) / "projects" / "p"
    logs.mkdir(parents=True)
    entry = (
        '{"cwd":"CWD","sessionId":"s1","type":"assistant","timestamp":"2026-11-20T10:00:00.000Z",'
        '"requestId":"req_1","costUSD":1e999,"message":{"id":"msg_1","model":"claude-sonnet-4-5",'
        '"usage":{"input_tokens":10,"output_tokens":100}}}\n'
    ).replace("CWD", str(a1))
    (logs / "s1.jsonl").write_text(entry)
    answer = httpx.get(served.url + "api/usage", params={"by": "day"})
    assert answer.status_code == 200, answer.text
    usage = _strict(answer.text)
    assert usage["total"]["calls"] == 1 and usage["total"]["cost_usd"] is None
    assert usage["rows"][0]["cost_usd"] is None
    exported = httpx.get(served.url + "api/export/usage.jsonl")
    assert exported.status_code == 200
    (row,) = [_strict(line) for line in exported.text.splitlines()]
    assert row["cost_usd"] is None and row["output_tokens"] == 100
    csv_rows = list(
        csv.DictReader(io.StringIO(httpx.get(served.url + "api/export/usage.csv").text))
    )
    assert csv_rows[0]["cost_usd"] == "inf"  # as docs/usage.md says


def test_charts(served: Served, clone: tuple[Path, Path], focus: FocusRunner) -> None:
    a1, _ = clone
    assert focus("complete", "1", cwd=a1).returncode == 0
    charts = httpx.get(served.url + "api/charts", params={"days": 3}).json()
    assert len(charts["days"]) == 3 and charts["tasks"]["done"][-1] == 1
    assert charts["tests"]["pass_rate"] == [None, None, None]  # no test run: no rate, not 0
    assert httpx.get(served.url + "api/charts", params={"days": 0}).status_code == 422


def test_odd_inputs_are_422_never_500(served: Served) -> None:
    for path in (
        "api/events?limit=%C2%B2", "api/charts?days=%C2%B2", "api/events?since=0001-01-01",
        "api/usage?since=0001-01-01T00:00%2B05:00", "api/export/events.csv?since=0001-01-01",
        "api/export/usage.jsonl?until=9999-12-31T23:59-05:00",
        "api/usage?since=today&until=yesterday", "api/export/events.csv?since=1h&until=2h",
    ):  # fmt: skip
        answer = httpx.get(served.url + path)
        assert answer.status_code == 422, (path, answer.status_code, answer.text)
    odd = {"Last-Event-ID": b"\xb2"}  # a superscript two: str.isdigit() says yes, int() no
    with httpx.stream("GET", served.url + "api/stream", headers=odd, timeout=5) as stream:
        assert stream.status_code == 200  # read from now on: the header is ignored
    assert httpx.get(served.url + "api/health").json()["ok"]


def test_a_malformed_journal_row_stops_neither_the_stream_nor_the_reads(
    served: Served, clone: tuple[Path, Path], focus: FocusRunner
) -> None:
    import sqlite3

    from agent_focus.readers.workspace import state_dir

    a1, _ = clone
    db = sqlite3.connect(state_dir(a1) / "focus.db")
    with db:  # rows a person or an older tool wrote by hand: a list, and no JSON at all
        db.execute("INSERT INTO events (at, agent, worktree, kind, payload) VALUES"
                   " ('2026-12-01T00:00:00.000+00:00', 'A1', 'x', 'hook', '[]'),"
                   " ('2026-12-01T00:00:01.000+00:00', 'A1', 'x', 'tests', '{not json')")  # fmt: skip
    db.close()
    time.sleep(0.6)
    assert focus("complete", "1", cwd=a1).returncode == 0
    for _ in range(30):
        events = httpx.get(served.url + "api/events").json()
        if events[-1]["kind"] == "complete":
            break
        time.sleep(0.1)
    assert events[-1]["kind"] == "complete"
    assert {"value": []} in [e["payload"] for e in events]
    assert {"unreadable": True} in [e["payload"] for e in events]
    for _ in range(50):  # the stream's poller (every 0.2 s) may be a poll behind the reads
        health = httpx.get(served.url + "api/health").json()
        if health["last_event"] == events[-1]["id"]:
            break
        time.sleep(0.1)
    assert health["last_event"] == events[-1]["id"] and health["poll_error"] is None
    assert httpx.get(served.url + "api/agents").status_code == 200


def test_exports_stream_to_several_clients_at_once(
    served: Served, clone: tuple[Path, Path]
) -> None:
    from agent_focus.journal.events import record_event
    from agent_focus.readers.workspace import state_dir

    folder = state_dir(clone[0])
    for n in range(4500):  # past the export's 2,000-row pages
        record_event(folder, "hook", {"event": "PostToolUse", "n": n}, "A1", "x")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        bodies = list(pool.map(
            lambda _: httpx.get(served.url + "api/export/events.jsonl", timeout=60).text, range(4)
        ))  # fmt: skip
    counts = {len(body.splitlines()) for body in bodies}
    assert len(counts) == 1 and counts.pop() >= 4500


def test_exports_quote_what_a_spreadsheet_would_run(
    served: Served, clone: tuple[Path, Path]
) -> None:
    from agent_focus.journal.events import record_event
    from agent_focus.readers.workspace import state_dir

    record_event(state_dir(clone[0]), "note", {"t": 1}, '=HYPERLINK("http://x","y")', "=1+2")
    table = list(csv.DictReader(io.StringIO(httpx.get(served.url + "api/export/events.csv").text)))
    assert (table[-1]["agent"], table[-1]["worktree"]) == ('\'=HYPERLINK("http://x","y")', "'=1+2")


def test_the_reading_cookie_is_not_the_token_and_log_lines_stay_one(
    clone: tuple[Path, Path], focus: FocusRunner
) -> None:
    a1, _ = clone
    with focus_serve(a1, "--host", "0.0.0.0") as served:
        url = f"http://127.0.0.1:{served.port}/"
        token = token_of(focus, a1)
        with httpx.Client(follow_redirects=True) as browser:
            browser.get(url + f"?token={token}")
            cookie = next(iter(browser.cookies.jar))
            assert cookie.value != token and token not in (cookie.value or "")
            forged = {"Authorization": f"Bearer {cookie.value}"}
            assert browser.post(url + "api/update", json={}, headers=forged).status_code == 401
        httpx.get(url + "x%0Afocus%20serve:%20POST%20/api/update%20200")
    lines = served.stderr.splitlines()
    assert not any(line.startswith("focus serve: POST /api/update 200") for line in lines)


def test_the_agents_spend_is_of_now(clone: tuple[Path, Path], focus: FocusRunner) -> None:
    """`/api/agents` reads what the agents did since (their logs) before it reads them
    again, as `focus status` does: a call an agent makes shows within seconds, without
    anyone running `focus usage`."""
    from datetime import UTC, datetime, timedelta

    from tests.test_agent_usage import assistant

    a1, _a2 = clone
    log = Path(os.environ["CLAUDE_CONFIG_DIR"]) / "projects" / "p" / "s1.jsonl"
    log.parent.mkdir(parents=True)
    at = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    log.write_text(assistant(a1, 1, timestamp=at))
    assert focus("usage", cwd=a1).returncode == 0  # the first read is `focus usage`'s

    def calls_today() -> int:
        agents = httpx.get(served.url + "api/agents", timeout=30).json()
        return int(next(a for a in agents if a["agent"]["id"] == "A1")["spend"]["calls_today"])

    with focus_serve(a1) as served:
        assert calls_today() == 1
        with log.open("a") as handle:  # the agent goes on
            handle.write(assistant(a1, 2, timestamp=at))
        deadline = time.monotonic() + 30
        while calls_today() != 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert calls_today() == 2
