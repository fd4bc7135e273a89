"""Fire once per episode: who claims an episode, and the ``alert`` event that records it.

An episode's key (rule, agent and where the episode began) goes into the journal's
``alert_episodes`` table, whose primary key it is. Two evaluators at once (`focus serve` and
a hook's background child, or two hooks) both try the INSERT; SQLite lets exactly one of
them add the row, and only that one delivers. A claim is made before the delivery: an
evaluator killed between the two loses that alert (at most once, never twice).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_focus.alerts.model import Alert, FiredAlert
from agent_focus.errors import FocusError
from agent_focus.journal.db import LOG_NAME, open_log
from agent_focus.journal.events import EventKind, append_event
from agent_focus.journal.spend import stamp

WAIT = 5.0  # seconds a busy journal is waited for: evaluators run off the agents' loop


def claim(folder: Path, alert: Alert) -> bool:
    """True for the one evaluator that records ``alert``'s episode first; False when it was
    claimed before (or the journal cannot be written: better silent than twice)."""
    try:
        db = open_log(folder, WAIT)
        try:
            cursor = db.execute(
                "INSERT OR IGNORE INTO alert_episodes (key, rule, agent, at) VALUES (?, ?, ?, ?)",
                (alert.episode, alert.rule, alert.agent, stamp(alert.at)),
            )
            return cursor.rowcount == 1
        finally:
            db.close()
    except (sqlite3.Error, FocusError):
        return False


def claimed(folder: Path, keys: list[str]) -> set[str]:
    """Which of these episode keys have fired."""
    if not keys or not (folder / LOG_NAME).exists():
        return set()
    try:
        db = open_log(folder, WAIT)
        try:
            marks = ", ".join("?" * len(keys))
            query = f"SELECT key FROM alert_episodes WHERE key IN ({marks})"
            return {row[0] for row in db.execute(query, keys)}
        finally:
            db.close()
    except (sqlite3.Error, FocusError):
        return set()


def record(folder: Path, fired: FiredAlert) -> FiredAlert:
    """Append the ``alert`` event (the alert and its delivery) and link its episode to it;
    the alert with its event id (None when the journal cannot be written)."""
    alert = fired.alert
    payload = {**alert.to_json(), "delivery": fired.delivery}
    for key in ("agent", "worktree", "at"):
        payload.pop(key)  # the event's own columns
    event_id = append_event(folder, EventKind.ALERT, payload, alert.agent, alert.worktree, WAIT)
    if event_id is None:
        return fired
    try:
        db = open_log(folder, WAIT)
        try:
            with db:
                db.execute(
                    "UPDATE alert_episodes SET event_id = ? WHERE key = ?",
                    (event_id, alert.episode),
                )
        finally:
            db.close()
    except (sqlite3.Error, FocusError):
        pass  # the event is recorded; only its link from the episode is missing
    return FiredAlert(alert, fired.delivery, event_id)


@dataclass(frozen=True)
class Episode:
    key: str
    rule: str
    agent: str | None
    at: str
    event_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rule": self.rule,
            "agent": self.agent,
            "at": self.at,
            "event_id": self.event_id,
        }


def recent_episodes(folder: Path, limit: int = 20) -> list[Episode]:
    """The episodes that fired last, newest first."""
    if not (folder / LOG_NAME).exists():
        return []
    try:
        db = open_log(folder, WAIT)
        try:
            rows = db.execute(
                "SELECT key, rule, agent, at, event_id FROM alert_episodes"
                " ORDER BY at DESC, rowid DESC LIMIT ?",
                (limit,),
            ).fetchall()
        finally:
            db.close()
    except (sqlite3.Error, FocusError):
        return []
    return [Episode(*row) for row in rows]
