"""`focus alerts`: the rules and what holds now, `alerts test` (each rule once), and
`alerts run` (evaluate now: what the hooks start in the background, and a cron job's call).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from agent_focus.alerts.episodes import Episode, recent_episodes
from agent_focus.alerts.firing import Holding, evaluate, fire_tests, preview
from agent_focus.alerts.model import FiredAlert
from agent_focus.alerts.trigger import MAX_FOLLOW_UP
from agent_focus.errors import FocusError, NoDataError

POLL = 5.0  # seconds between two looks at a waiting agent's state
LOCK_WAIT = 10.0  # seconds a second follower waits for the first to leave

if TYPE_CHECKING:
    from agent_focus.config import FocusConfig
    from agent_focus.config_alerts import AlertRule
    from agent_focus.readers.workspace import Workspace


def rule_json(rule: AlertRule) -> dict[str, Any]:
    """A rule as shown: its command's program and its webhook's origin alone (the rest may
    hold a token)."""
    hook = urlsplit(rule.webhook) if rule.webhook else None
    return {
        "name": rule.name,
        "when": rule.when,
        "minutes": rule.minutes,
        "agent": rule.agent,
        "command": rule.argv[0] if rule.argv else None,
        "webhook": f"{hook.scheme}://{hook.hostname}{f':{hook.port}' if hook.port else ''}"
        if hook
        else None,
    }


@dataclass(frozen=True)
class AlertsOverview:
    config: str | None
    budgets: dict[str, float]
    rules: list[AlertRule]
    holding: list[Holding]
    episodes: list[Episode]

    def to_json(self) -> dict[str, Any]:
        return {
            "config": self.config,
            "budgets": self.budgets,
            "rules": [rule_json(rule) for rule in self.rules],
            "holding": [h.to_json() for h in self.holding],
            "episodes": [e.to_json() for e in self.episodes],
        }


@dataclass(frozen=True)
class AlertsFired:
    fired: list[FiredAlert]
    ingested: bool = False  # the agents' logs were read first (today's spend is current)

    def to_json(self) -> dict[str, Any]:
        return {"fired": [f.to_json() for f in self.fired], "ingested": self.ingested}


def alerts_overview(workspace: Workspace, config: FocusConfig) -> AlertsOverview:
    """The rules, the conditions holding now (fired or not) and the latest episodes."""
    return AlertsOverview(
        str(config.path) if config.path else None,
        config.budgets,
        config.alerts,
        preview(workspace.root, config, state_dir=workspace.state_dir),
        recent_episodes(workspace.state_dir),
    )


def _need_rules(config: FocusConfig) -> None:
    if not config.alerts:
        where = config.path or "focus.yaml"
        raise NoDataError(f"no alert rules: add `alerts:` to {where} (docs/alerts.md)")


def test_alerts(workspace: Workspace, config: FocusConfig) -> AlertsFired:
    """Fire every rule once, as a test."""
    _need_rules(config)
    return AlertsFired(
        fire_tests(workspace.root, config, agent=workspace.agent, state_dir=workspace.state_dir)
    )


def run_alerts(
    workspace: Workspace,
    config: FocusConfig,
    *,
    ingest: bool = False,
    waiting: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AlertsFired:
    """Evaluate the rules now; with ``ingest``, read the agents' logs first (when a rule
    needs today's spend); with ``waiting`` (an agent), stay to look again each time a
    waiting rule's minutes have passed, while that agent still waits (at most a day)."""
    folder = workspace.state_dir
    read = False
    if ingest and any(rule.when == "over_budget" for rule in config.alerts):
        from agent_focus.ingest.run import ingest_logs

        try:
            ingest_logs(folder, lambda: config.planner.prices)
            read = True
        except (FocusError, OSError, sqlite3.Error):
            pass  # today's spend as last read
    fired = evaluate(workspace.root, config, state_dir=folder)
    if waiting:
        fired += _follow_waiting(workspace, config, waiting.upper(), sleep)
    return AlertsFired(fired, read)


def _follow_waiting(
    workspace: Workspace, config: FocusConfig, agent: str, sleep: Callable[[float], None]
) -> list[FiredAlert]:
    """One follower per agent (a lock beside the journal): a second child, started by the
    next Notification while the first still follows, leaves it to the first."""
    import fcntl

    minutes = sorted(
        {r.minutes or 0.0 for r in config.alerts if r.when == "waiting" and r.applies_to(agent)}
    )
    if not minutes:
        return []
    folder = workspace.state_dir
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"alerts-{agent}.lock", "a") as handle:
        deadline = time.monotonic() + LOCK_WAIT  # the follower may be about to leave
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    return []  # another child follows this agent
                sleep(0.1)
        return _follow(workspace, config, agent, minutes, sleep)  # closing unlocks


def _follow(
    workspace: Workspace,
    config: FocusConfig,
    agent: str,
    minutes: list[float],
    sleep: Callable[[float], None],
) -> list[FiredAlert]:
    """While ``agent`` waits, evaluate each time one of ``minutes`` has passed since its wait
    began (a new wait starts over); re-read its state every :data:`POLL` seconds."""
    from agent_focus.journal.state import current_states

    folder = workspace.state_dir
    fired: list[FiredAlert] = []
    started = time.monotonic()
    passed: tuple[datetime, float] | None = None  # the wait, and the minutes evaluated at
    while time.monotonic() - started < MAX_FOLLOW_UP:
        state = current_states(folder).get(agent)
        if state is None or state.name != "waiting" or state.since is None:
            break  # it moved on: a new wait has a new Notification, and a new child
        done = passed[1] if passed and passed[0] == state.since else -1.0
        left = [m for m in minutes if m > done]
        if not left:
            break  # every rule looked at this wait
        due = state.since + timedelta(minutes=left[0], seconds=0.5)
        delay = (due - datetime.now(due.tzinfo)).total_seconds()
        if delay > 0:
            sleep(min(delay, POLL))
            continue
        fired += evaluate(workspace.root, config, state_dir=folder)
        passed = (state.since, left[0])
    return fired
