"""The control room page (`focus serve`, `/`) in a real headless Chromium: it shows the
agents, and a task completed from the CLI appears without a reload, over server-sent events.

Debian's `chromium` and `chromium-driver` with selenium; Selenium Manager is never asked for
anything (the driver's path is given). Missing: skipped on a user's machine, a failure under
CI=true. ``FOCUS_SCREENSHOT=docs/control-room.png`` also saves the page's screenshot there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, FocusRunner, example_workspace, skip_unless_ci

STATIC = REPO_ROOT / "src" / "agent_focus" / "serve" / "static"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 15  # seconds for the page to show what the API has
HOSTILE = 'Show <img src=x onerror="window.__xss=1"> & <b>tags</b> as text'


# --- the page's files, read as they are: no inline script, no outside address ----------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True


def test_the_page_needs_no_inline_script_and_no_outside_address() -> None:
    page = _Tags()
    page.feed((STATIC / "index.html").read_text())
    assert not page.inline_script
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") or name == "style" for name in attrs), tag
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/") and "defer" in attrs
        for name in ("src", "href"):
            if attrs.get(name) is not None:
                assert attrs[name].startswith("/static/"), (tag, attrs)  # type: ignore[union-attr]
    ours = [(STATIC / name).read_text() for name in ("index.html", "app.js", "app.css")]
    for text in ours:
        assert not re.search(r"(?i)\b(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text)
        assert "@import" not in text and "@font-face" not in text
    # API text goes in with textContent: no HTML parsing of data anywhere in the script.
    assert not re.search(r"\.(?:innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write", ours[1])
    vendor = STATIC / "vendor"
    assert (vendor / "chart.umd.min.js").stat().st_size > 100_000
    assert "MIT" in (vendor / "chart.js.LICENSE.md").read_text()
    assert "chart.js" in (vendor / "README.md").read_text()


# --- a real server and a real browser -----------------------------------------------------


def _browser() -> Any:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip_unless_ci("no selenium (pip install -e '.[dev]')")
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists():
            skip_unless_ci(f"no {path} (apt-get install -y {package})")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = Path(os.environ["CLAUDE_CONFIG_DIR"]).parent / "chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


@pytest.fixture
def served(repo: Path, control_room: dict[str, Path], tmp_path: Path) -> Iterator[str]:
    """`focus serve` on a free loopback port, in ``repo`` with its agents; its URL once it
    answers."""
    from agent_focus.metrics.local_services import free_port

    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "agent_focus", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=repo, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{url}/api/agents"):
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"focus serve never answered:\n{(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _hook(worktree: Path, payload: dict[str, Any]) -> None:
    """One Claude Code hook event, sent the way Claude Code sends it."""
    done = subprocess.run(
        [sys.executable, "-m", "agent_focus", "hook", "claude"],
        cwd=worktree, input=json.dumps({"cwd": str(worktree), "session_id": "s1", **payload}),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _claude_log(config: Path, worktree: Path, day: str, n: int, output_tokens: int) -> str:
    entry = {
        "cwd": str(worktree), "sessionId": f"s-{worktree.name}", "isSidechain": False,
        "type": "assistant", "timestamp": f"{day}T{8 + n % 9:02d}:{n % 60:02d}:00.000Z",
        "requestId": f"req_{worktree.name}_{day}_{n}",
        "message": {"id": f"msg_{worktree.name}_{day}_{n}", "model": "claude-sonnet-4-5-20250929",
                    "usage": {"input_tokens": 2000, "output_tokens": output_tokens,
                              "cache_creation_input_tokens": 4000,
                              "cache_read_input_tokens": 60000}},
    }  # fmt: skip
    return json.dumps(entry, separators=(",", ":"))  # compact, as Claude Code writes it


@pytest.fixture
def control_room(repo: Path, focus: FocusRunner) -> dict[str, Path]:
    """Two agents in their worktrees, with a few things done: hooks, a test run, usage."""
    from datetime import date, timedelta

    slos = (
        "slos:\n"
        "  - name: p95-latency\n"
        "    query: histogram_quantile(0.95, sum(rate(http_duration_bucket[5m])) by (le))\n"
        "    max: 0.5\n"
        "    agent: A1\n"
        "  - name: error-ratio\n"
        "    query: sum(rate(http_errors[5m])) / sum(rate(http_requests[5m]))\n"
        "    max: 0.01\n"
        "budgets:\n"
        "  A1: 50\n"
    )
    example_workspace(repo, slos, focus_file=False)  # its Prometheus is down: SLOs NO DATA
    for agent in ("A1", "A2"):
        added = focus("agents", "add", agent, cwd=repo)
        assert added.returncode == 0, added.stderr
    a1, a2 = repo.parent / "wt-a1-mlops", repo.parent / "wt-a2-genai"
    # A user-written title that is HTML: the page must show it as text, never run it.
    plan = a2 / "AGENT_FOCUS.md"
    text = plan.read_text()
    last = text.index("\n\n## ", text.index("## 🏃"))
    plan.write_text(text[:last] + f"\n- [ ] {HOSTILE}" + text[last:])
    _hook(a1, {"hook_event_name": "UserPromptSubmit", "prompt": "go"})
    _hook(a1, {"hook_event_name": "PreToolUse", "tool_name": "Edit"})
    _hook(a2, {"hook_event_name": "UserPromptSubmit", "prompt": "go"})
    _hook(a2, {
        "hook_event_name": "PostToolUse", "tool_name": "Bash",
        "tool_input": {"command": "python3 -m pytest -q"},
        "tool_response": {"stdout": "........\n41 passed, 2 skipped in 3.52s\n"},
    })  # fmt: skip
    _hook(a2, {
        "hook_event_name": "Notification", "notification_type": "permission_prompt",
        "message": "Claude needs your permission to use Bash",
    })  # fmt: skip
    # The agents' own session logs, a few days of them, read into the journal.
    config = Path(os.environ["CLAUDE_CONFIG_DIR"])
    (config / "projects" / "p").mkdir(parents=True, exist_ok=True)
    lines = []
    for back in range(5):
        day = (date.today() - timedelta(days=back)).isoformat()
        for n in range(3 + back % 3):
            lines.append(_claude_log(config, a1, day, n, 1500 + 300 * n))
            if back % 2 == 0:
                lines.append(_claude_log(config, a2, day, n, 900 + 200 * n))
    (config / "projects" / "p" / "s1.jsonl").write_text("\n".join(lines) + "\n")
    read = focus("usage", "--json", cwd=a1)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["ingest"]["calls_added"] == len(lines)
    return {"A1": a1, "A2": a2}


def _wait(driver: Any, what: str, check: Any, timeout: float = WAIT) -> Any:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: check(d))
    except TimeoutException:
        logs = [entry["message"] for entry in driver.get_log("browser")]
        pytest.fail(f"the page never showed {what} within {timeout} s; console: {logs}")


def _card_text(driver: Any, agent: str) -> str:
    """The text of an agent's card (read at once: the cards are redrawn on every change)."""
    return str(
        driver.execute_script(
            "const card = document.querySelector(`.card[data-agent='${arguments[0]}']`);"
            "return card ? card.innerText : '';",
            agent,
        )
    )


def _card_task_done(driver: Any, agent: str, title: str) -> bool:
    return bool(
        driver.execute_script(
            "const card = document.querySelector(`.card[data-agent='${arguments[0]}']`);"
            "if (!card) return false;"
            "return [...card.querySelectorAll('.task')].some("
            "  (t) => t.dataset.done === 'true' && t.textContent.includes(arguments[1]));",
            agent,
            title,
        )
    )


def _feed_has(driver: Any, kind: str, text: str) -> bool:
    return bool(
        driver.execute_script(
            "return [...document.querySelectorAll(`#feed .event[data-kind='${arguments[0]}']`)]"
            "  .some((e) => e.textContent.includes(arguments[1]));",
            kind,
            text,
        )
    )


def test_the_page_shows_the_agents_and_a_task_completed_from_the_cli_without_reload(
    served: str, control_room: dict[str, Path], focus: FocusRunner
) -> None:
    status = json.loads(focus("status", "--json", cwd=control_room["A1"]).stdout)
    title = next(task["title"] for task in status["sprint"]["tasks"] if not task["done"])
    driver = _browser()
    try:
        driver.set_window_size(1400, 1000)
        driver.get(served + "/")
        _wait(driver, "both agents", lambda d: d.execute_script(
            "return ['A1', 'A2'].every((a) => document.querySelector(`.card[data-agent='${a}']`))"
        ))  # fmt: skip
        one, two = _card_text(driver, "A1"), _card_text(driver, "A2")
        assert "MLOps Engineer" in one and title in one and "WORKING" in one.upper()
        assert "GenAI Engineer" in two and "WAITING" in two.upper() and "41 passed" in two
        assert "$50.00 budget" in one and "no budget set" in two  # budgets: in focus.yaml
        assert HOSTILE in two  # as text: no <img>, no <b> made of it, nothing ran
        assert driver.execute_script(
            "return window.__xss === undefined && !document.querySelector('#agents img, #agents b')"
        )
        _wait(driver, "the stream connected", lambda d: d.execute_script(
            "return document.getElementById('live').dataset.state === 'live'"
        ))  # fmt: skip
        driver.execute_script("window.__marker = 1")
        assert not _card_task_done(driver, "A1", title)

        completed = focus("complete", title, cwd=control_room["A1"])
        assert completed.returncode == 0, completed.stderr
        _wait(driver, "the task done", lambda d: _card_task_done(d, "A1", title), timeout=8)
        _wait(driver, "the event in the feed", lambda d: _feed_has(d, "complete", title), timeout=8)
        assert driver.execute_script("return window.__marker") == 1  # the same page: no reload
        _wait(driver, "today's completion in the tasks chart", lambda d: d.execute_script(
            "const chart = window.Chart && Chart.getChart('chart-tasks');"
            "if (!chart) return false;"
            "const done = chart.data.datasets.find((s) => s.label === 'done').data;"
            "return done[done.length - 1] >= 1;"
        ))  # fmt: skip
        slos = driver.find_element("id", "slos").text
        assert "p95-latency" in slos and "no data" in slos.lower()

        _wait(driver, "the charts drawn", lambda d: d.execute_script(
            "return document.querySelectorAll('.chart canvas').length === 5"
            " && [...document.querySelectorAll('.chart')].every((c) =>"
            "   !c.querySelector('.canvas-box').hidden || !c.querySelector('.nodata').hidden)"
        ))  # fmt: skip
        _screenshot(driver, served)

        # Only the server itself was asked for anything: no CDN, no font, no telemetry.
        asked = [
            json.loads(entry["message"])["message"]["params"]["request"]["url"]
            for entry in driver.get_log("performance")
            if '"Network.requestWillBeSent"' in entry["message"]
        ]
        web = [url for url in asked if not url.startswith(("chrome:", "data:", "about:", "blob:"))]
        assert served + "/static/app.js" in web, web
        assert all(url.startswith(served + "/") for url in web), web
        problems = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not problems, problems

        # A phone: the cards stack, nothing is wider than the screen.
        driver.set_window_size(390, 844)
        _wait(driver, "a phone layout", lambda d: d.execute_script(
            "return window.innerWidth <= 390"
        ))  # fmt: skip
        time.sleep(0.3)  # the charts redraw for the new width
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px phone"
        boxes = driver.execute_script(
            "return [...document.querySelectorAll('.card')].map((c) => c.getBoundingClientRect().x)"
        )
        assert len(set(boxes)) == 1, "the cards do not stack on a phone"
        assert driver.execute_script("return window.__marker") == 1
    finally:
        driver.quit()


def _screenshot(driver: Any, served: str) -> None:
    """The whole page, at desktop width; into FOCUS_SCREENSHOT when it is set."""
    target = os.environ.get("FOCUS_SCREENSHOT")
    for _ in range(5):  # the window's height is the page's (charts redraw on a resize)
        gap = driver.execute_script(
            "return document.documentElement.scrollHeight - window.innerHeight"
        )
        if gap <= 0:
            break
        driver.set_window_size(1400, min(driver.get_window_size()["height"] + gap, 4000))
        time.sleep(0.5)
    png = driver.get_screenshot_as_png()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    if target:
        path = Path(target) if Path(target).is_absolute() else REPO_ROOT / target
        path.write_bytes(png)
    driver.set_window_size(1400, 1000)
