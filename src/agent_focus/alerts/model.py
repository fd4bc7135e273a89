"""What an alert is: the JSON a command reads on stdin and a webhook receives, and what
became of its delivery.

An alert carries what the rule saw (agent, worktree, since when, the figures) and one human
line, ``text``. It never carries a secret: no environment, no token, no prompt, not even the
rule's own command or webhook URL (a Slack or ntfy URL is a credential).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def stamp(moment: datetime | None) -> str | None:
    """Local time with its offset, to the second."""
    return moment.astimezone().isoformat(timespec="seconds") if moment is not None else None


@dataclass(frozen=True)
class Alert:
    """One rule's condition, holding for one agent now (or a test firing)."""

    rule: str  # the rule's name
    when: str  # waiting, over_budget, slo_violated, tests_failed, sprint_done
    agent: str | None
    worktree: str | None
    text: str  # one human line: what Slack or a phone shows
    episode: str  # the key that makes it fire once: rule, agent and where the episode began
    at: datetime
    since: datetime | None = None  # when the condition began
    details: dict[str, Any] = field(default_factory=dict)  # the figures: value, limit, ...
    test: bool = False  # fired by `focus alerts test`

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "when": self.when,
            "agent": self.agent,
            "worktree": self.worktree,
            "text": self.text,
            "since": stamp(self.since),
            "at": stamp(self.at),
            "test": self.test,
            "episode": self.episode,
            "details": self.details,
        }


@dataclass(frozen=True)
class FiredAlert:
    """An alert that was delivered (or tried to be), and its ``alert`` event in the journal.

    ``delivery`` maps ``command`` and ``webhook`` (those the rule has) to their outcome:
    ``{"ok": bool, "exit_code" | "status": int, "error": str, "seconds": float}``."""

    alert: Alert
    delivery: dict[str, dict[str, Any]]
    event_id: int | None  # None: the journal could not be written

    @property
    def ok(self) -> bool:
        return all(result.get("ok") for result in self.delivery.values())

    def to_json(self) -> dict[str, Any]:
        return {**self.alert.to_json(), "delivery": self.delivery, "event_id": self.event_id}
