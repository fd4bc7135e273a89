"""Alerts: rules in focus.yaml (`alerts:`) on the agents' events and state, each firing
once per episode through a command and/or a webhook, recorded as an ``alert`` event.

The public face, for `focus serve` and the CLI: :func:`evaluate` (run every rule now, fire
the episodes no one fired yet), :func:`fire_tests` (`focus alerts test`), and the result
type :class:`FiredAlert`. They are loaded on first use: the hooks import only
:mod:`agent_focus.alerts.trigger`, which must stay lean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_focus.alerts.evaluate import evaluate, fire_tests
    from agent_focus.alerts.model import Alert, FiredAlert

__all__ = ("Alert", "FiredAlert", "evaluate", "fire_tests")


def __getattr__(name: str) -> Any:
    if name in ("evaluate", "fire_tests"):
        from agent_focus.alerts import evaluate as module

        return getattr(module, name)
    if name in ("Alert", "FiredAlert"):
        from agent_focus.alerts import model

        return getattr(model, name)
    raise AttributeError(name)
