"""Collectors behind one interface, found through a registry, run concurrently with deadlines.

A collector is a small class with a ``name`` and a ``collect`` method. The runner gives each
its own daemon thread: a source that hangs past its timeout is reported as timed out and
abandoned, and never holds up the others or the exit of the process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from agent_focus.config import FocusConfig
from agent_focus.errors import UsageError
from agent_focus.metrics.deadline import abandon
from agent_focus.metrics.errors import START_HINTS, probe
from agent_focus.metrics.model import NoData, SourceReport
from agent_focus.registry import Registry


class Collector(Protocol):
    """Reads one source. ``prepare`` imports the client; ``collect`` talks to the server."""

    name: str

    def location(self, config: FocusConfig) -> str: ...

    def prepare(self) -> None: ...

    def collect(self, config: FocusConfig, agent: str | None) -> SourceReport: ...

    def unavailable(self, config: FocusConfig, agent: str | None, no_data: NoData) -> SourceReport:
        """The report when the whole source gives no data (SLOs it owns included)."""
        ...


COLLECTORS: Registry[Collector] = Registry(
    ("agent_focus.metrics.mlflow_source", "agent_focus.metrics.prometheus_source")
)
register_collector = COLLECTORS.register


def collectors() -> dict[str, Callable[[], Collector]]:
    """Every registered collector, the built-in ones included."""
    return COLLECTORS.all()


class _Job:
    def __init__(self, collector: Collector, config: FocusConfig, agent: str | None):
        self.collector = collector
        self.done = threading.Event()
        self.loading = True  # still importing the client library
        self.report: SourceReport | None = None
        self.thread = threading.Thread(target=self._run, args=(config, agent), daemon=True)

    def _run(self, config: FocusConfig, agent: str | None) -> None:
        try:
            unreachable = probe(
                self.collector.name, self.collector.location(config), config.timeout
            )
            if unreachable is not None:
                self.report = self.collector.unavailable(config, agent, unreachable)
                return
            self.collector.prepare()
            self.loading = False
            self.report = self.collector.collect(config, agent)
        except Exception as exc:  # a collector bug must not take the others down
            self.report = self.collector.unavailable(
                config, agent, NoData("error", f"{type(exc).__name__}: {exc}")
            )
        finally:
            self.done.set()


def run_collectors(
    config: FocusConfig, agent: str | None = None, only: list[str] | None = None
) -> list[SourceReport]:
    """Run the collectors (all, or those named in ``only``) at once, all within one timeout.

    The deadline is the command's (``config.deadline``: its start plus the timeout), client
    imports included, so the command's network work takes at most the timeout (plus a
    little), whatever the sources do.
    """
    known = collectors()
    unknown = sorted(set(only or ()) - set(known))
    if unknown:
        raise UsageError(f"--source {unknown[0]!r}: choose one of {', '.join(sorted(known))}")
    jobs = [
        _Job(factory(), config, agent)
        for name, factory in known.items()
        if only is None or name in only
    ]
    deadline = config.deadline
    for job in jobs:
        job.thread.start()
    reports: list[SourceReport] = []
    for job in jobs:
        if job.done.wait(max(deadline - time.monotonic(), 0.0)) and job.report is not None:
            reports.append(job.report)
            continue
        where = job.collector.location(config)
        detail = f"no answer from {where} within {config.timeout:g} s"
        hint = START_HINTS.get(job.collector.name, "")
        if job.loading:
            detail = f"the {job.collector.name} client was still loading after {config.timeout:g} s"
            hint = "raise `timeout:` in focus.yaml (or FOCUS_TIMEOUT) on a slow machine"
        reports.append(job.collector.unavailable(config, agent, NoData("timed out", detail, hint)))
        abandon(job.thread)
    return reports
