"""planner.timeout bounds the whole call to a model: every attempt, every wait between
retries and the one corrective re-ask share one deadline.

The SDKs' own retries are turned off: they give each attempt the full timeout (three silent
attempts of 60 s took 182 s) and sleep as long as a server's ``retry-after`` says (an hour,
if it says so). :meth:`Deadline.attempts_of` retries as they would (timeouts, lost
connections, 408, 409, 429, 5xx, ``x-should-retry``), giving each attempt what is left, and
never waits past the deadline. :meth:`Deadline.run` abandons a reply still trickling in at
the deadline (a byte at a time never times out a socket read).
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
RETRIED_STATUSES = frozenset({408, 409, 429})
GRACE_S = 0.5  # the SDK's own timeout, at the deadline, reports first and better


class DeadlineExceeded(TimeoutError):
    """The deadline passed before the model answered; the message says so in full."""


class Deadline:
    """One budget of ``seconds`` for a whole provider call, from its creation."""

    def __init__(self, seconds: float, max_retries: int) -> None:
        self.seconds = seconds
        self.max_retries = max_retries
        self.end = time.monotonic() + seconds
        self.attempts = 0

    def remaining(self) -> float:
        return max(self.end - time.monotonic(), 0.0)

    def attempts_note(self) -> str:
        return f"{self.attempts} attempt{'' if self.attempts == 1 else 's'}"

    def timed_out(self) -> str:
        return f"no answer within {self.seconds:g} s ({self.attempts_note()})"

    def attempts_of(self, send: Callable[[float, int], T]) -> T:
        """``send(timeout, retries_taken)`` until it succeeds, fails in a way not worth a
        retry, runs out of retries, or would outlast the deadline; then the last failure is
        raised as it was."""
        retries = 0
        while True:
            if self.remaining() <= 0:
                raise DeadlineExceeded(self.timed_out())
            self.attempts += 1
            try:
                return send(self.remaining(), retries)
            except Exception as exc:
                wait = retry_wait(exc, retries)
                if wait is None or retries >= self.max_retries or wait >= self.remaining():
                    raise
            time.sleep(wait)
            retries += 1

    def run(self, work: Callable[[], T]) -> T:
        """``work()`` in a daemon thread; at the deadline it is abandoned (it ends when its
        socket read times out) and :class:`DeadlineExceeded` is raised."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def target() -> None:
            try:
                box["value"] = work()
            except BaseException as exc:  # handed to the caller's thread as is
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=target, name="focus-model-call", daemon=True).start()
        if not done.wait(self.remaining() + GRACE_S):
            raise DeadlineExceeded(self.timed_out())
        if "error" in box:
            raise box["error"]
        return box["value"]  # type: ignore[no-any-return]


def retry_wait(exc: Exception, retries_taken: int) -> float | None:
    """Seconds to wait before retrying after ``exc`` (an anthropic or openai SDK error: they
    name their classes alike), or None when a retry would not help."""
    status = getattr(exc, "status_code", None)
    if status is None:
        names = {cls.__name__ for cls in type(exc).__mro__}
        return _backoff(retries_taken) if "APIConnectionError" in names else None
    headers: Mapping[str, str] = getattr(getattr(exc, "response", None), "headers", None) or {}
    should = headers.get("x-should-retry")
    if should == "false" or (should != "true" and status not in RETRIED_STATUSES and status < 500):
        return None
    asked = _asked_wait(headers)
    return asked if asked is not None else _backoff(retries_taken)


def _backoff(retries_taken: int) -> float:
    return min(0.5 * 2.0**retries_taken, 8.0) * (1 - 0.25 * random.random())


def _asked_wait(headers: Mapping[str, str]) -> float | None:
    """What ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date) asks for."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(float(value) * scale, 0.0)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(email.utils.mktime_tz(parsed) - time.time(), 0.0)
    return None
