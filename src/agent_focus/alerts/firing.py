"""Firing the rules: :func:`evaluate` fires the episodes no one fired yet (what `focus
serve` calls every few seconds, and a hook's background child once), :func:`fire_tests`
fires each rule once as a test, :func:`preview` says what holds now without firing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_focus.alerts.episodes import claim, claimed, record
from agent_focus.alerts.model import Alert, FiredAlert

if TYPE_CHECKING:
    from agent_focus.config import FocusConfig
    from agent_focus.config_alerts import AlertRule


def _folder(root: Path, state_dir: Path | None) -> Path:
    from agent_focus.readers.workspace import state_dir as default_state_dir

    return state_dir if state_dir is not None else default_state_dir(root)


def evaluate(
    root: Path,
    config: FocusConfig,
    *,
    state_dir: Path | None = None,
    now: datetime | None = None,
) -> list[FiredAlert]:
    """Check every rule of ``config.alerts`` against the journal and the worktrees of the
    clone at ``root`` (any of its worktrees); deliver each episode that holds and that no
    evaluator fired before, record it as an ``alert`` event, and return those fired now.

    Cheap when nothing is new: no rule, no read; each rule reads only its events (indexed
    by kind), and the worktrees are listed only for ``over_budget`` and ``sprint_done``.
    Deliveries block for at most a few seconds each (a dead receiver); a second evaluator
    running at the same moment fires none of the same episodes. Never raises for a failed
    delivery or a busy journal.
    """
    from agent_focus.alerts.conditions import find_alerts
    from agent_focus.alerts.delivery import deliver
    from agent_focus.journal.db import LOG_NAME

    folder = _folder(root, state_dir)
    if not config.alerts or not (folder / LOG_NAME).exists():
        return []
    moment = now or datetime.now().astimezone()
    fired = []
    for rule, alert in find_alerts(folder, root, config, moment):
        if claim(folder, alert):
            fired.append(record(folder, FiredAlert(alert, deliver(rule, alert), None)))
    return fired


def _sample(rule: AlertRule, agent: str | None, worktree: str | None, now: datetime) -> Alert:
    who = rule.agent or agent
    text = f"test of alert {rule.name!r} (when {rule.when}" + (f", {who}" if who else "") + ")"
    key = f"test|{rule.name}|{now.isoformat()}"
    return Alert(rule.name, rule.when, who, worktree if who == agent else None, text, key, now,
                 test=True, details={"minutes": rule.minutes} if rule.minutes is not None else {})  # fmt: skip


def fire_tests(
    root: Path,
    config: FocusConfig,
    *,
    agent: str | None = None,
    state_dir: Path | None = None,
) -> list[FiredAlert]:
    """Fire each rule once, now, as a test (``"test": true`` in its JSON), whatever holds;
    recorded as ``alert`` events, claiming no episode."""
    from agent_focus.alerts.delivery import deliver

    folder = _folder(root, state_dir)
    moment = datetime.now().astimezone()
    fired = []
    for rule in config.alerts:
        alert = _sample(rule, agent, root.name, moment)
        fired.append(record(folder, FiredAlert(alert, deliver(rule, alert), None)))
    return fired


@dataclass(frozen=True)
class Holding:
    """A rule's condition holding now, and whether its episode has fired."""

    alert: Alert
    fired: bool

    def to_json(self) -> dict[str, Any]:
        return {**self.alert.to_json(), "fired": self.fired}


def preview(root: Path, config: FocusConfig, *, state_dir: Path | None = None) -> list[Holding]:
    """What holds now, rule by rule, without firing anything."""
    from agent_focus.alerts.conditions import find_alerts

    folder = _folder(root, state_dir)
    found = find_alerts(folder, root, config, datetime.now().astimezone()) if config.alerts else []
    done = claimed(folder, [alert.episode for _, alert in found])
    return [Holding(alert, alert.episode in done) for _, alert in found]
