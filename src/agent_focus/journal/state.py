"""An agent's live state, derived from the latest hook events its sessions sent.

``working`` (a prompt was submitted, tools are running), ``waiting`` (a permission prompt
or an idle prompt: the agent needs the human), ``idle`` (its turn is over), ``ended`` (the
session closed), ``unknown`` (no hook has reported yet). Each comes with since when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from agent_focus.journal.events import Event, EventKind

# Claude Code hook events (and Codex's notify) and the state each one moves an agent to.
STATE_OF = {
    "SessionStart": "idle",
    "UserPromptSubmit": "working",
    "PreToolUse": "working",
    "PostToolUse": "working",
    "SubagentStop": "working",
    "PreCompact": "working",
    "Stop": "idle",
    "SessionEnd": "ended",
    "agent-turn-complete": "idle",
}
WAITING_NOTICES = ("permission_prompt", "idle_prompt")


@dataclass(frozen=True)
class AgentState:
    name: str
    since: datetime | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "since": self.since.isoformat(timespec="seconds") if self.since else None,
            "reason": self.reason,
        }


UNKNOWN = AgentState("unknown", None, "no hook has reported yet (`focus hooks install`)")


def state_after(event: Event) -> AgentState | None:
    """The state a hook event moves its agent to; None for an event that moves none."""
    if event.kind != EventKind.HOOK:
        return None
    name = str(event.payload.get("event", ""))
    if name == "Notification":
        notice = str(event.payload.get("notification_type") or "")
        message = str(event.payload.get("message") or notice or "notification")
        if (
            notice in WAITING_NOTICES
            or "permission" in message.lower()
            or "waiting" in message.lower()
        ):
            return AgentState("waiting", event.at, message[:200])
        return None
    state = STATE_OF.get(name)
    if state is None:
        return None
    reason = {
        "SessionStart": f"session started ({event.payload.get('source') or 'startup'})",
        "UserPromptSubmit": "prompt submitted",
        "PreToolUse": f"running {event.payload.get('tool') or 'a tool'}",
        "PostToolUse": f"ran {event.payload.get('tool') or 'a tool'}",
        "SubagentStop": "a subagent finished",
        "PreCompact": "compacting its context",
        "Stop": "its turn is over",
        "SessionEnd": f"session ended ({event.payload.get('reason') or 'exit'})",
        "agent-turn-complete": "Codex finished its turn",
    }[name]
    return AgentState(state, event.at, reason)


def advance(states: dict[str, AgentState], event: Event) -> bool:
    """Move ``states`` by one event; True when an agent's state changed."""
    moved = state_after(event)
    if moved is None or not event.agent:
        return False
    current = states.get(event.agent)
    if current is not None and current.name == moved.name:
        return False  # the same state again keeps its first time: "waiting since" is when it began
    states[event.agent] = moved
    return True


def agent_states(events: list[Event]) -> dict[str, AgentState]:
    """Each agent's state after ``events`` (oldest first)."""
    states: dict[str, AgentState] = {}
    for event in events:
        advance(states, event)
    return states


def latest_hook_events(folder: Path, limit: int = 5000, wait: float = 0.2) -> list[Event]:
    """The journal's latest ``limit`` hook events, oldest first ([] when it cannot be read
    within ``wait`` seconds)."""
    from agent_focus.journal.events import payload_of
    from agent_focus.journal.spend import read_all

    query = (
        "SELECT id, at, agent, worktree, kind, payload FROM events WHERE kind = 'hook'"
        " ORDER BY id DESC LIMIT ?"
    )
    return [
        Event(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], payload_of(r[5]))
        for r in reversed(read_all(folder, query, (limit,), wait))
    ]


def current_states(folder: Path, limit: int = 5000) -> dict[str, AgentState]:
    """Every agent's state from the journal's latest hook events."""
    return agent_states(latest_hook_events(folder, limit))


def last_test_runs(folder: Path) -> dict[str, dict[str, Any]]:
    """Each agent's latest `tests` event: {agent: {"at", runner, passed, failed, ...}}."""
    from agent_focus.journal.events import payload_of
    from agent_focus.journal.spend import read_all

    query = (
        "SELECT agent, at, payload FROM events WHERE id IN"
        " (SELECT max(id) FROM events WHERE kind = 'tests' AND agent IS NOT NULL GROUP BY agent)"
    )
    return {
        agent: {"at": at, **payload_of(payload)} for agent, at, payload in read_all(folder, query)
    }
