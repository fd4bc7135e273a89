"""Events: every state change of every agent (plan, complete, sync, update, SLO result,
evening commit), with time, agent, worktree, kind and a JSON payload.

Recording an event never fails the command that caused it: the file on disk is the truth,
the journal is its history. ``follow`` polls for new rows, so another process's event is
seen within the poll interval.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_focus.errors import FocusError
from agent_focus.journal.db import LOG_NAME, open_log
from agent_focus.journal.spend import stamp

if TYPE_CHECKING:
    from agent_focus.readers.workspace import Workspace


class EventKind(StrEnum):
    """What happened. Stored as its text; a kind this version does not know reads as is."""

    INIT = "init"
    PLAN = "plan"
    COMPLETE = "complete"
    SYNC = "sync"
    UPDATE = "update"
    SLO = "slo"
    COMMIT = "commit"
    HOOK = "hook"  # a coding agent's hook reported (focus hook claude|codex)
    TESTS = "tests"  # a test run an agent made, parsed from its output
    ALERT = "alert"  # an alert rule fired (alerts/), with how its delivery went


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    agent: str | None
    worktree: str | None
    kind: str  # an EventKind's value, or a newer version's kind
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(timespec="milliseconds"),
            "agent": self.agent,
            "worktree": self.worktree,
            "kind": self.kind,
            "payload": self.payload,
        }


def record_event(
    folder: Path,
    kind: EventKind,
    payload: dict[str, Any],
    agent: str | None,
    worktree: str | None,
    wait: float = 30.0,
) -> bool:
    """Append one event; False (and nothing raised) if the journal cannot be written."""
    return append_event(folder, kind, payload, agent, worktree, wait) is not None


def append_event(
    folder: Path,
    kind: EventKind,
    payload: dict[str, Any],
    agent: str | None,
    worktree: str | None,
    wait: float = 30.0,
) -> int | None:
    """Append one event; its id, or None (and nothing raised) if the journal cannot be
    written."""
    try:
        db = open_log(folder, wait)
        try:
            with db:
                cursor = db.execute(
                    "INSERT INTO events (at, agent, worktree, kind, payload) VALUES (?, ?, ?, ?, ?)",
                    (
                        stamp(datetime.now(UTC)),
                        agent,
                        worktree,
                        kind,
                        json.dumps(payload, ensure_ascii=False),
                    ),
                )
        finally:
            db.close()
    except (sqlite3.Error, OSError, FocusError):
        return None
    return cursor.lastrowid


def payload_of(text: str) -> dict[str, Any]:
    """A row's payload: its JSON object; a row written by hand that is not one still reads
    (``{"value": ...}`` or ``{"unreadable": true}``), so one bad row stops no reader."""
    try:
        value = json.loads(text)
    except (ValueError, TypeError):
        return {"unreadable": True}
    return value if isinstance(value, dict) else {"value": value}


def read_events(
    folder: Path,
    *,
    after: int = 0,
    agent: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    first: int | None = None,
) -> list[Event]:
    """Events with id > ``after``, oldest first: the newest ``limit`` when given, else the
    oldest ``first`` when given (a page to resume from), else all."""
    if not (folder / LOG_NAME).exists():
        return []
    query = "SELECT id, at, agent, worktree, kind, payload FROM events WHERE id > ?"
    params: list[Any] = [after]
    if agent:
        query += " AND agent = ?"
        params.append(agent.upper())
    if since is not None:
        query += " AND at >= ?"
        params.append(stamp(since))
    if first and not limit:
        query += f" ORDER BY id LIMIT {int(first)}"
    else:
        query += " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    db = open_log(folder)
    try:
        rows = db.execute(query, params).fetchall()
    finally:
        db.close()
    if not (first and not limit):
        rows.reverse()
    return [
        Event(row[0], datetime.fromisoformat(row[1]), row[2], row[3], row[4], payload_of(row[5]))
        for row in rows
    ]


def follow(
    folder: Path, *, after: int, agent: str | None = None, interval: float = 0.25
) -> Iterator[Event]:
    """Yield new events forever, as other processes write them."""
    last = after
    while True:
        for event in read_events(folder, after=last, agent=agent):
            last = event.id
            yield event
        time.sleep(interval)


def latest_id(folder: Path) -> int:
    if not (folder / LOG_NAME).exists():
        return 0
    db = open_log(folder)
    try:
        return int(db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
    finally:
        db.close()


def describe(event: Event) -> str:
    """One human line for an event."""
    p = event.payload
    match event.kind:
        case EventKind.COMPLETE:
            return f"completed {p.get('task')!r}"
        case EventKind.PLAN:
            added = p.get("added", [])
            return f"planned {len(added)} task(s) with {p.get('provider')} ({p.get('model')})" + (
                f": {', '.join(repr(t) for t in added[:3])}" if added else ""
            )
        case EventKind.SYNC:
            return f"synced with the strategy: {len(p.get('changes', []))} change(s)"
        case EventKind.UPDATE:
            down = [s for s, state in p.get("sources", {}).items() if state != "ok"]
            return "updated metrics" + (f" (NO DATA: {', '.join(down)})" if down else "")
        case EventKind.SLO:
            return f"SLO gate: exit {p.get('exit_code')} " + ", ".join(
                f"{r['name']} {r['status']}" for r in p.get("results", [])
            )
        case EventKind.COMMIT:
            return f"committed {p.get('sha')}: {p.get('subject')}"
        case EventKind.INIT:
            return f"started as {p.get('role') or 'an agent'}"
        case EventKind.HOOK:
            from agent_focus.journal.state import state_after

            moved = state_after(event)
            what = f"{p.get('source', 'agent')} {p.get('event')}"
            return f"{what}: {moved.name} ({moved.reason})" if moved else what
        case EventKind.TESTS:
            figures = ", ".join(
                f"{p[k]} {k}" for k in ("passed", "failed", "skipped") if p.get(k) is not None
            )
            took = f" in {p['duration_s']:g} s" if p.get("duration_s") is not None else ""
            return f"tests ({p.get('runner')}): {figures or 'no summary'}{took}"
        case EventKind.ALERT:
            sent = p.get("delivery") or {}
            failed = [way for way, result in sent.items() if not result.get("ok")]
            outcome = f" (failed: {', '.join(failed)})" if failed else ""
            test = "test " if p.get("test") else ""
            return f"{test}alert {p.get('rule')}: {p.get('text')}{outcome}"
    return json.dumps(p)[:120]


def journal(workspace: Workspace, kind: EventKind, payload: dict[str, Any]) -> bool:
    """Record an event of ``workspace``'s agent in its clone's journal; never raises."""
    return record_event(workspace.state_dir, kind, payload, workspace.agent, workspace.name)
