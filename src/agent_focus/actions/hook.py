"""`focus hook claude|codex`: a coding agent's hook reports in.

It records what happened in the journal, with the session and the agent resolved from the
hook's ``cwd``; on SessionStart it answers with the brief, so a new session knows who it is
and what to do; a shell command that ran tests becomes a ``tests`` event with its figures.
It runs inside the agent's loop: it never raises, never waits long on a locked journal,
and stores no prompt text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_focus.journal.events import EventKind, record_event
from agent_focus.readers.workspace import FOCUS_FILE_NAME, Workspace, worktree_root

JOURNAL_WAIT = 0.3  # seconds: a locked journal costs the agent no more than this
DETAILS = {  # what each hook event keeps, besides its name and session: never the prompt
    "SessionStart": ("source",),
    "PreToolUse": ("tool_name",),
    "PostToolUse": ("tool_name",),
    "Notification": ("notification_type", "message"),
    "SessionEnd": ("reason",),
}


@dataclass
class HookOutcome:
    recorded: list[str] = field(default_factory=list)  # event kinds written
    stdout: str = ""  # what the agent gets back (SessionStart: its context)


def _workspace(cwd: object) -> Workspace | None:
    """The agent's worktree of a hook's cwd; None outside any focus worktree."""
    if not isinstance(cwd, str) or not cwd:
        return None
    root = worktree_root(Path(cwd))
    if root is None or not (root / FOCUS_FILE_NAME).is_file():
        return None
    # The agent of that worktree (its .agent.env, else its focus file), never the $AGENT_ID
    # the agent's process inherited from whoever started it.
    from agent_focus.readers.agent import identify_agent

    workspace = Workspace(root, root / FOCUS_FILE_NAME)
    agent = identify_agent(workspace.document_or_none(), root).id
    return Workspace(root, root / FOCUS_FILE_NAME, agent) if agent else None


def _record(
    workspace: Workspace, kind: EventKind, payload: dict[str, Any], out: HookOutcome
) -> None:
    if workspace.agent is None:
        return
    if record_event(
        workspace.state_dir, kind, payload, workspace.agent, workspace.name, JOURNAL_WAIT
    ):
        out.recorded.append(str(kind))


def _tool_output(response: object) -> str:
    if isinstance(response, str):
        return response
    if isinstance(response, dict):
        parts = [response.get(k) for k in ("stdout", "stderr", "output", "content")]
        return "\n".join(p for p in parts if isinstance(p, str))
    return ""


def handle_claude(payload: dict[str, Any]) -> HookOutcome:
    """One Claude Code hook event (the JSON it sends on stdin)."""
    out = HookOutcome()
    workspace = _workspace(payload.get("cwd"))
    name = payload.get("hook_event_name")
    if workspace is None or not isinstance(name, str):
        return out
    event: dict[str, Any] = {
        "event": name,
        "session": payload.get("session_id"),
        "source": "claude",
    }
    for key in DETAILS.get(name, ()):
        value = payload.get(key)
        if isinstance(value, str):
            event["tool" if key == "tool_name" else key] = value[:300]
    _record(workspace, EventKind.HOOK, event, out)
    if name == "PostToolUse" and payload.get("tool_name") == "Bash":
        _record_tests(workspace, payload, out)
    if name == "SessionStart":
        out.stdout = _session_context(workspace)
    _alerts(
        workspace, out, waiting=name == "Notification" and _waits(event), turn_over=name == "Stop"
    )
    return out


def _waits(event: dict[str, Any]) -> bool:
    """Whether this Notification puts the agent in the waiting state (journal.state's rule)."""
    from datetime import UTC, datetime

    from agent_focus.journal.events import Event
    from agent_focus.journal.state import state_after

    moved = state_after(Event(0, datetime.now(UTC), None, None, EventKind.HOOK, event))
    return moved is not None and moved.name == "waiting"


def _alerts(workspace: Workspace, out: HookOutcome, *, waiting: bool, turn_over: bool) -> None:
    """Start the alert rules this event could fire, in a detached child (alerts.trigger)."""
    if workspace.agent is None or not out.recorded:
        return
    from agent_focus.alerts.trigger import after_hook

    tests = str(EventKind.TESTS) in out.recorded
    try:
        after_hook(
            workspace.root, workspace.agent, tests=tests, waiting=waiting, turn_over=turn_over
        )
    except Exception:  # the agent's loop comes first: an alert is never worth failing a hook
        return


def _record_tests(workspace: Workspace, payload: dict[str, Any], out: HookOutcome) -> None:
    from agent_focus.ingest.test_output import parse_test_output, runs_tests

    tool_input = payload.get("tool_input")
    command = tool_input.get("command") if isinstance(tool_input, dict) else None
    if not isinstance(command, str) or not runs_tests(command):
        return
    run = parse_test_output(command, _tool_output(payload.get("tool_response")))
    figures = {"command": command[:300], "session": payload.get("session_id"), **run.to_json()}
    _record(workspace, EventKind.TESTS, figures, out)


def _session_context(workspace: Workspace) -> str:
    """SessionStart's answer: the brief, as the session's additional context."""
    from agent_focus.actions.brief import build_brief
    from agent_focus.errors import FocusError

    try:
        text = build_brief(workspace, read_logs=False).text
    except FocusError:
        return ""
    reply = {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": text}}
    return json.dumps(reply, ensure_ascii=False)


def handle_codex(payload: dict[str, Any]) -> HookOutcome:
    """Codex's `notify` (one JSON argument): a turn completed."""
    out = HookOutcome()
    workspace = _workspace(payload.get("cwd"))
    kind = payload.get("type")
    if workspace is None or not isinstance(kind, str):
        return out
    session = payload.get("thread-id") or payload.get("thread_id")
    _record(workspace, EventKind.HOOK, {"event": kind, "session": session, "source": "codex"}, out)
    _alerts(workspace, out, waiting=False, turn_over=kind == "agent-turn-complete")
    return out
