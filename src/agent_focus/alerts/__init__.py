"""Alerts: rules in focus.yaml (`alerts:`) on the agents' events and state, each firing
once per episode through a command and/or a webhook, recorded as an ``alert`` event.

The public face, for `focus serve` and the CLI: :func:`evaluate` (run every rule now, fire
the episodes no one fired yet), :func:`fire_tests` (`focus alerts test`), and the result
type :class:`FiredAlert`. They are loaded on first use: the hooks import only
:mod:`agent_focus.alerts.trigger`, which must stay lean.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_focus.alerts.firing import evaluate, fire_tests
    from agent_focus.alerts.model import Alert, FiredAlert

__all__ = ("Alert", "FiredAlert", "evaluate", "fire_tests")
_HOMES = {"evaluate": "firing", "fire_tests": "firing", "Alert": "model", "FiredAlert": "model"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"agent_focus.alerts.{_HOMES[name]}"), name)
