"""Which rules hold now, for which agent: the journal's events and the worktrees, read.

Each finding is an :class:`~agent_focus.alerts.model.Alert` whose ``episode`` names where
its episode began, so that it fires once per episode:

- ``waiting``: the agent is waiting (journal.state) for ``minutes`` or more; the episode
  is that wait (its start): once the agent moves on, the next wait is a new one.
- ``over_budget``: today's spend (journal.spend: the agents' sessions and the planner,
  as of the last read of their logs) is over ``budgets:``; the episode is the local day.
- ``tests_failed``: the agent's latest test run failed; the episode is the run of failures
  since the last passing one.
- ``slo_violated``: the latest SLO gate (`focus slo`) of the agent (or of no agent) was
  violated (exit 3); the episode is the run of violations since the last other result.
- ``sprint_done``: the agent ticked a task (a ``complete`` event) and its focus file has
  no open sprint task left; the episode is that last tick.

Only what the configured rules need is read: no rule, no query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_focus.alerts.model import Alert

if TYPE_CHECKING:
    from agent_focus.config import FocusConfig
    from agent_focus.config_alerts import AlertRule
    from agent_focus.readers.worktrees import AgentSeat

RECENT = 2000  # events of one kind looked at: a streak longer than this starts at its edge


@dataclass(frozen=True)
class Row:
    id: int
    at: datetime
    agent: str | None
    worktree: str | None
    payload: dict[str, Any]


def read_rows(folder: Path, kind: str, limit: int = RECENT) -> list[Row]:
    """The newest ``limit`` events of ``kind``, newest first; [] when there is no journal
    or it cannot be read now (the next evaluation tries again)."""
    from agent_focus.journal.spend import read_all

    query = (
        "SELECT id, at, agent, worktree, payload FROM events WHERE kind = ?"
        " ORDER BY id DESC LIMIT ?"
    )
    rows = read_all(folder, query, (kind, limit), wait=1.0)
    from agent_focus.journal.events import payload_of

    return [Row(r[0], datetime.fromisoformat(r[1]), r[2], r[3], payload_of(r[4])) for r in rows]


def streaks(rows: Iterable[Row], bad: Callable[[Row], bool]) -> dict[str | None, list[Row]]:
    """Per agent, the latest results that are all ``bad`` (newest first); agents whose latest
    result is good are left out."""
    found: dict[str | None, list[Row]] = {}
    settled: set[str | None] = set()
    for row in rows:  # newest first
        if row.agent in settled:
            continue
        if bad(row):
            found.setdefault(row.agent, []).append(row)
        else:
            settled.add(row.agent)
    return found


def _waiting(rule: AlertRule, folder: Path, now: datetime) -> list[Alert]:
    from agent_focus.journal.state import agent_states, latest_hook_events

    events = latest_hook_events(folder, wait=1.0)
    places = {e.agent: e.worktree for e in events}
    found = []
    for agent, state in sorted(agent_states(events).items()):
        if state.name != "waiting" or state.since is None or not rule.applies_to(agent):
            continue
        minutes = (now - state.since).total_seconds() / 60
        if minutes < (rule.minutes or 0):
            continue
        took = f"{minutes:.0f} min" if minutes >= 1 else f"{minutes * 60:.0f} s"
        text = f"{agent} has been waiting {took}: {state.reason}"
        found.append(
            Alert(rule.name, rule.when, agent, places.get(agent), text,
                  f"{rule.name}|{agent}|waiting|{state.since.isoformat()}", now, state.since,
                  {"minutes": round(minutes, 1), "limit_minutes": rule.minutes,
                   "reason": state.reason})
        )  # fmt: skip
    return found


def _tests_failed(rule: AlertRule, folder: Path, now: datetime) -> list[Alert]:
    def failing(row: Row) -> bool:
        failed = row.payload.get("failed")
        return isinstance(failed, int) and failed > 0

    found = []
    for agent, rows in sorted(streaks(read_rows(folder, "tests"), failing).items(), key=str):
        if agent is None or not rule.applies_to(agent):
            continue
        first, last = rows[-1], rows[0]
        p = last.payload
        figures = ", ".join(
            f"{p[k]} {k}" for k in ("failed", "passed", "skipped") if p.get(k) is not None
        )
        runs = f" ({len(rows)} failing runs in a row)" if len(rows) > 1 else ""
        runner = f" ({p['runner']})" if p.get("runner") else ""
        text = f"{agent}'s tests fail: {figures or 'failures'}{runner}{runs}"
        details = {k: p.get(k) for k in ("runner", "failed", "passed", "skipped", "duration_s")}
        found.append(
            Alert(rule.name, rule.when, agent, last.worktree, text,
                  f"{rule.name}|{agent}|tests|{first.id}", now, first.at,
                  {**details, "failing_runs": len(rows)})
        )  # fmt: skip
    return found


def _slo_violated(rule: AlertRule, folder: Path, now: datetime) -> list[Alert]:
    def violated(row: Row) -> bool:
        return row.payload.get("exit_code") == 3

    found = []
    for agent, rows in sorted(streaks(read_rows(folder, "slo"), violated).items(), key=str):
        if not rule.applies_to(agent):
            continue
        first, last = rows[-1], rows[0]
        bad = [r for r in last.payload.get("results", []) if r.get("status") == "violated"]
        names = ", ".join(f"{r.get('name')} = {r.get('value')}" for r in bad) or "an SLO"
        text = f"SLO violated{f' for {agent}' if agent else ''}: {names}"
        found.append(
            Alert(rule.name, rule.when, agent, last.worktree, text,
                  f"{rule.name}|{agent or '-'}|slo|{first.id}", now, first.at,
                  {"violated": bad, "failing_runs": len(rows)})
        )  # fmt: skip
    return found


def _over_budget(
    rule: AlertRule, folder: Path, seats: list[AgentSeat], budgets: dict[str, float], now: datetime
) -> list[Alert]:
    from agent_focus.journal.spend import agent_spend

    found = []
    for seat in seats:
        agent = seat.agent_id
        if agent is None or agent not in budgets or not rule.applies_to(agent):
            continue
        spend = agent_spend(folder, seat.worktree.path, agent, None)
        limit = budgets[agent]
        if spend is None or spend.today_usd is None or spend.today_usd <= limit:
            continue
        day = now.astimezone().date().isoformat()
        text = f"{agent} spent ${spend.today_usd:,.2f} today, over its ${limit:,.2f} budget"
        found.append(
            Alert(rule.name, rule.when, agent, seat.worktree.path.name, text,
                  f"{rule.name}|{agent}|{day}|{limit:g}", now, None,
                  {"spent_usd": spend.today_usd, "budget_usd": limit, "day": day,
                   "calls_today": spend.calls_today})
        )  # fmt: skip
    return found


def _sprint_done(
    rule: AlertRule, folder: Path, seats: list[AgentSeat], now: datetime
) -> list[Alert]:
    ticks: dict[str | None, Row] = {}
    for row in read_rows(folder, "complete"):
        ticks.setdefault(row.agent, row)  # newest first: each agent's last tick
    found = []
    for seat in seats:
        agent, status = seat.agent_id, seat.status
        tick = ticks.get(agent)
        if agent is None or status is None or tick is None or not rule.applies_to(agent):
            continue
        if not status.tasks or any(not task.done for task in status.tasks):
            continue
        total = len(status.tasks)
        last = tick.payload.get("task")
        text = f"{agent} finished its sprint: {total}/{total} tasks done (last: {last!r})"
        found.append(
            Alert(rule.name, rule.when, agent, seat.worktree.path.name, text,
                  f"{rule.name}|{agent}|sprint|{tick.id}", now, tick.at,
                  {"tasks": total, "last_task": last})
        )  # fmt: skip
    return found


def find_alerts(
    folder: Path, root: Path, config: FocusConfig, now: datetime
) -> list[tuple[AlertRule, Alert]]:
    """Every rule's findings now, in the order of the rules."""
    seats: list[AgentSeat] | None = None
    found: list[tuple[AlertRule, Alert]] = []
    for rule in config.alerts:
        if rule.when in ("over_budget", "sprint_done") and seats is None:
            seats = _seats(root)
        match rule.when:
            case "waiting":
                alerts = _waiting(rule, folder, now)
            case "tests_failed":
                alerts = _tests_failed(rule, folder, now)
            case "slo_violated":
                alerts = _slo_violated(rule, folder, now)
            case "over_budget":
                alerts = _over_budget(rule, folder, seats or [], config.budgets, now)
            case _:
                alerts = _sprint_done(rule, folder, seats or [], now)
        found += [(rule, alert) for alert in alerts]
    return found


def _seats(root: Path) -> list[AgentSeat]:
    """Every worktree's agent and focus file; [] when git cannot list them."""
    from agent_focus.errors import FocusError
    from agent_focus.readers.worktrees import seats

    try:
        return seats(root)
    except FocusError:
        return []
