"""The agents' logs read before an agent's spend is shown (:func:`catch_up`: `focus status`,
`status --all`, `focus brief`, the dashboard), and focus.yaml's prices for any read of them
(:func:`overrides_of`). Light: the ingester is imported only when there is a journal."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agent_focus.readers.workspace import config_path

if TYPE_CHECKING:
    from agent_focus.config import Price


def overrides_of(root: Path) -> Callable[[], dict[str, Price]]:
    """focus.yaml's prices, read only when asked for (when some log has something new)."""

    def overrides() -> dict[str, Price]:
        if config_path(root) is None and not os.environ.get("FOCUS_TIMEOUT"):
            return {}  # no focus.yaml: its defaults price nothing (and need no pydantic)
        from agent_focus.config import load_config

        return load_config(root).planner.prices

    return overrides


_CAUGHT_UP: dict[Path, float] = {}  # a journal's folder: when its logs were last read here
CATCH_UP_EVERY = 2.0  # seconds: the dashboard redraws more often than this
CATCH_UP_BYTES = 8 * 1024 * 1024  # more than this (a night's backlog): left to `focus usage`


def catch_up(root: Path, folder: Path) -> None:
    """Read what is new in the agents' logs before an agent's spend is shown, so that it is
    the spend of now, not of the last `focus usage`. At most once every
    :data:`CATCH_UP_EVERY` seconds a process, and at most :data:`CATCH_UP_BYTES` of new
    lines (more, and a first read, a journal that never read a log, are `focus usage`'s,
    with its progress: the figures are then the journal's); the lines parsed before the
    journal is locked for writing (the hooks wait for it a fraction of a second); never
    waiting for another ingester, and at most half a second for another writer of the
    journal; and never an error: a log or journal that cannot be read leaves the figures as
    the journal has them. A deadline (a hook's alarm, :class:`TimeoutError`) still stops
    it."""
    import time

    now = time.monotonic()
    if now - _CAUGHT_UP.get(folder, -CATCH_UP_EVERY) < CATCH_UP_EVERY:
        return
    _CAUGHT_UP[folder] = now
    import sqlite3

    from agent_focus.errors import FocusError
    from agent_focus.journal.spend import read_one

    if read_one(folder, "SELECT 1 FROM log_files LIMIT 1", ()) is None:
        return
    from agent_focus.ingest.run import ingest_logs

    try:
        ingest_logs(folder, overrides_of(root), wait=False, budget=CATCH_UP_BYTES)
    except TimeoutError:  # an OSError, but a deadline's: not ours to swallow
        raise
    except (OSError, sqlite3.Error, FocusError):
        return


def catch_up_here(root: Path) -> None:
    """:func:`catch_up` of the journal of the clone ``root`` is in, when it has one."""
    from agent_focus.readers.workspace import state_dir

    folder = state_dir(root)
    if (folder / "focus.db").exists():
        catch_up(root, folder)
