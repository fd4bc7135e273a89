"""Alerts from inside an agent's loop, without the server and without waiting.

A hook (`focus hook claude|codex`), `focus complete` and `focus slo` record their event,
then ask here whether a rule could care; if so they start `focus alerts run` as a detached
child (its own session, no stdin, stdout or stderr of theirs) and return at once: the child
evaluates the rules, delivers and records what fires. This module is imported by the hooks,
so it is lean: it reads focus.yaml as text (which ``when:`` kinds appear under ``alerts:``),
never through pydantic and PyYAML; the child reads it properly.

What can fire at the moment of an event:

- a test run: ``tests_failed``;
- a Notification that makes the agent wait: ``waiting`` (the child stays to look again when
  the rules' minutes have passed, at most :data:`MAX_FOLLOW_UP` later);
- the end of a turn (Stop, Codex's agent-turn-complete): ``over_budget`` (the child reads the
  agents' logs first, so today's spend is current);
- a tick (`focus complete`): ``sprint_done``; an SLO gate (`focus slo`): ``slo_violated``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from agent_focus.readers.workspace import config_path

MAX_FOLLOW_UP = 24 * 3600  # seconds a child waits to look at a waiting agent again
_ALERTS = re.compile(r"^alerts\s*:", re.MULTILINE)
_WHEN = re.compile(r"""\bwhen\s*:\s*['"]?(\w+)""")


def configured_kinds(root: Path) -> set[str]:
    """The ``when:`` kinds focus.yaml's ``alerts:`` name ({} without alerts). A guess from
    the text, good enough to decide whether to start the child, which reads it strictly."""
    path = config_path(root)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:1_000_000] if path else ""
    except OSError:
        return set()
    return set(_WHEN.findall(text)) if _ALERTS.search(text) else set()


def start_evaluation(root: Path, *, ingest: bool = False, waiting: str | None = None) -> bool:
    """Start `focus alerts run` for the clone at ``root`` in the background; False when it
    could not be started (nothing is raised: the caller's work is done already)."""
    import subprocess

    argv = [sys.executable, "-m", "agent_focus", "alerts", "run", "--root", str(root)]
    argv += ["--ingest"] * ingest + (["--waiting", waiting] if waiting else [])
    try:
        subprocess.Popen(  # our own program, no shell
            argv,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # the agent reads the hook's stdout until it closes
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not killed with the hook, not waited for by it
            close_fds=True,
        )
    except OSError:
        return False
    return True


def after_hook(root: Path, agent: str, *, tests: bool, waiting: bool, turn_over: bool) -> bool:
    """After a hook recorded its events: start the child if a configured rule could fire."""
    if not (tests or waiting or turn_over):
        return False
    kinds = configured_kinds(root)
    budget = turn_over and "over_budget" in kinds
    follow = waiting and "waiting" in kinds
    if not (budget or follow or (tests and "tests_failed" in kinds)):
        return False
    return start_evaluation(root, ingest=budget, waiting=agent if follow else None)


def after_event(root: Path, when: str) -> bool:
    """After `focus complete` (``sprint_done``) or `focus slo` (``slo_violated``)."""
    return when in configured_kinds(root) and start_evaluation(root)
