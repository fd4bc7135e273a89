"""One deadline per command: network work runs in daemon threads that are abandoned when it
passes, so a server that drips bytes (each read within the socket timeout, the whole answer
never) costs the command its timeout and no more.

The deadline is the config's (``FocusConfig.deadline``: the command's start plus
``timeout:``), so the collectors and the MLflow mirror of one command share it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class DeadlineExceeded(TimeoutError):
    """The work did not finish before the command's deadline; its thread was abandoned."""


class Background(Generic[T]):
    """``function`` running in a daemon thread; :meth:`wait` gives its result by a deadline."""

    def __init__(self, function: Callable[[], T], name: str = "focus-network"):
        self.function = function
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.value = self.function()
        except BaseException as exc:  # handed to the waiting thread, which decides
            self.error = exc
        finally:
            self.done.set()

    def finished_by(self, deadline: float) -> bool:
        """Wait until the work is done or ``deadline`` (time.monotonic) passes; a thread still
        running then is abandoned (the CLI exits without waiting for it)."""
        if self.done.wait(max(deadline - time.monotonic(), 0.0)):
            return True
        abandon(self.thread)
        return False

    def result(self, deadline: float) -> T:
        """The function's value (or its exception) if it finished in time, else
        :class:`DeadlineExceeded`."""
        if not self.finished_by(deadline):
            raise DeadlineExceeded(self.thread.name)
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


def call_before(deadline: float, function: Callable[[], T], name: str = "focus-network") -> T:
    """``function()`` if it returns before ``deadline``, else :class:`DeadlineExceeded`."""
    if deadline <= time.monotonic():
        raise DeadlineExceeded(name)
    return Background(function, name).result(deadline)


_ABANDONED: list[threading.Thread] = []


def abandon(thread: threading.Thread) -> None:
    """Give up waiting for ``thread``; :func:`abandoned_work` remembers it."""
    _ABANDONED.append(thread)


def abandoned_work() -> bool:
    """Whether work abandoned at its deadline is still running (the CLI then exits at once)."""
    return any(thread.is_alive() for thread in _ABANDONED)
