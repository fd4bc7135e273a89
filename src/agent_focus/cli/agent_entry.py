"""`focus hook` and `focus statusline`, without Typer: they run inside the agent's loop.

They read their JSON, never fail the agent (exit 0 whatever they are given, within a
second) and never exit 2, which Claude Code would take as "block this action". The main
entry point calls these before it loads Typer, so they start quickly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

DEADLINE = 0.9  # seconds: a hook answers within a second whatever happens
MAX_INPUT = 4 * 1024 * 1024


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    def stop(_signum: int, _frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _payload(text: str) -> dict[str, Any]:
    """The hook's JSON object (else empty); half of a surrogate pair (``"\\ud800"``), which
    the journal's UTF-8 cannot hold, reads U+FFFD, as in the agents' logs."""
    from agent_focus.json_text import exact_loads

    data = exact_loads(text)
    return data if isinstance(data, dict) else {}


def run_agent_hook(args: list[str]) -> int:
    """`focus hook claude` (JSON on stdin) or `focus hook codex JSON`: always 0."""
    try:
        with _deadline(DEADLINE):
            from agent_focus.actions.hook import handle_claude, handle_codex

            if args[:1] == ["claude"]:
                outcome = handle_claude(_payload(sys.stdin.read(MAX_INPUT)))
            elif args[:1] == ["codex"] and len(args) > 1:
                outcome = handle_codex(_payload(args[1][:MAX_INPUT]))
            else:
                sys.stderr.write("focus hook: use `focus hook claude` or `focus hook codex JSON`\n")
                return 0
            if outcome.stdout:
                sys.stdout.write(outcome.stdout + "\n")
    except BaseException as exc:
        if os.environ.get("FOCUS_DEBUG"):
            sys.stderr.write(f"focus hook: {type(exc).__name__}: {exc}\n")
    return 0


def run_statusline() -> int:
    """`focus statusline`: one line for Claude Code's status-line JSON on stdin; always 0."""
    try:
        with _deadline(DEADLINE):
            from agent_focus.actions.statusline import status_line

            sys.stdout.write(status_line(_payload(sys.stdin.read(MAX_INPUT) or "{}")) + "\n")
    except BaseException as exc:
        sys.stdout.write("focus\n")
        if os.environ.get("FOCUS_DEBUG"):
            sys.stderr.write(f"focus statusline: {type(exc).__name__}: {exc}\n")
    return 0
