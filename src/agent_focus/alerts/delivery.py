"""Delivering an alert: run the rule's command with the alert's JSON on stdin, POST it to
the rule's webhook. Each has a short timeout and never raises: what went wrong is returned,
to be recorded in the ``alert`` event.

The command is run without a shell (a string is split as a shell would, with ``shlex``),
in its own session, so that a command that hangs is killed with everything it started. The
webhook gets ``{"text": "<one line>", "alert": {...}}``: Slack's incoming webhooks and
ntfy-style receivers read ``text``. An outcome never holds the command's arguments or the
webhook's URL, which may carry a token.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import TYPE_CHECKING, Any

from agent_focus.json_text import dumps

if TYPE_CHECKING:
    from agent_focus.alerts.model import Alert
    from agent_focus.config_alerts import AlertRule

COMMAND_TIMEOUT = 5.0  # seconds
WEBHOOK_TIMEOUT = 5.0


def alert_body(alert: Alert) -> bytes:
    """The JSON both receive: the one line as ``text``, the alert under ``alert``."""
    return dumps({"text": alert.text, "alert": alert.to_json()}, ensure_ascii=False).encode()


def run_command(argv: list[str], body: bytes, timeout: float = COMMAND_TIMEOUT) -> dict[str, Any]:
    """Run ``argv`` with ``body`` on stdin; its outcome, never an exception."""
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return {"ok": False, "error": f"cannot run {argv[0]!r}: {exc.strerror or exc}"}
    try:
        process.communicate(body, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        return {"ok": False, "error": f"timed out after {timeout:g} s", "seconds": timeout}
    except OSError as exc:  # stdin closed early is fine; anything else is reported
        _kill(process)
        return {"ok": False, "error": f"cannot write to it: {exc.strerror or exc}"}
    code = process.returncode
    seconds = round(time.monotonic() - started, 3)
    outcome: dict[str, Any] = {"ok": code == 0, "exit_code": code, "seconds": seconds}
    if code != 0:
        outcome["error"] = f"exited with {code}"
    return outcome


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.wait()


def post_webhook(url: str, body: bytes, timeout: float = WEBHOOK_TIMEOUT) -> dict[str, Any]:
    """POST ``body`` (JSON) to ``url``; its outcome, never an exception."""
    import http.client
    import urllib.error
    import urllib.request

    started = time.monotonic()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "agent-focus alerts"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return {"ok": False, "status": exc.code, "error": f"HTTP {exc.code}"}
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        text = "timed out" if isinstance(reason, TimeoutError) else str(reason)
        return {"ok": False, "error": _without(text, url)[:200]}
    seconds = round(time.monotonic() - started, 3)
    return {"ok": 200 <= status < 300, "status": status, "seconds": seconds}


def _without(text: str, url: str) -> str:
    """An error message with the URL (and so any token in it) taken out."""
    return text.replace(url, "<webhook>") if url else text


def deliver(rule: AlertRule, alert: Alert) -> dict[str, dict[str, Any]]:
    """Run the rule's command and POST to its webhook (those it has); each one's outcome."""
    body = alert_body(alert)
    outcome: dict[str, dict[str, Any]] = {}
    if rule.command is not None:
        outcome["command"] = run_command(rule.argv, body)
    if rule.webhook is not None:
        outcome["webhook"] = post_webhook(rule.webhook, body)
    return outcome
