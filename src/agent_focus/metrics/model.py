"""What a collector returns: real values with their source and time, or NO DATA and why."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

NO_DATA = "NO DATA AVAILABLE"


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class NoData:
    """Why there is no value: ``reason`` is a short kind, ``detail`` the specifics."""

    reason: (
        str  # refused, timed out, HTTP error, bad query, empty result, NaN, no experiments, error
    )
    detail: str
    hint: str = ""

    def to_json(self) -> dict[str, str]:
        return {"reason": self.reason, "detail": self.detail, "hint": self.hint}


@dataclass(frozen=True)
class Metric:
    """One figure read from a source, or NO DATA for it."""

    source: str
    name: str
    read_at: datetime
    value: float | None = None
    text: str | None = None  # a value that is not a number: "v3 @champion"
    no_data: NoData | None = None
    labels: dict[str, str] = field(default_factory=dict)
    agent: str | None = None

    @property
    def display(self) -> str:
        if self.no_data is not None:
            return NO_DATA
        if self.text is not None:
            return self.text
        return format_number(self.value)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "name": self.name,
            "value": self.value,
            "text": self.text,
            "labels": self.labels,
            "read_at": self.read_at.isoformat(timespec="seconds"),
            "no_data": self.no_data.to_json() if self.no_data else None,
        }


@dataclass(frozen=True)
class SloResult:
    """An SLO evaluated on a real reading: met, violated, or no data."""

    name: str
    query: str
    target: str
    read_at: datetime
    value: float | None = None
    met: bool | None = None
    no_data: NoData | None = None
    agent: str | None = None
    source: str = "prometheus"

    @property
    def status(self) -> str:
        if self.no_data is not None:
            return "no data"
        return "met" if self.met else "violated"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "target": self.target,
            "value": self.value,
            "status": self.status,
            "agent": self.agent,
            "source": self.source,
            "read_at": self.read_at.isoformat(timespec="seconds"),
            "no_data": self.no_data.to_json() if self.no_data else None,
        }


@dataclass(frozen=True)
class SourceReport:
    """Everything one source gave: its metrics and SLO results, or NO DATA for all of it."""

    source: str
    location: str
    read_at: datetime
    elapsed: float
    metrics: tuple[Metric, ...] = ()
    slos: tuple[SloResult, ...] = ()
    no_data: NoData | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "location": self.location,
            "read_at": self.read_at.isoformat(timespec="seconds"),
            "elapsed_ms": round(self.elapsed * 1000, 1),
            "no_data": self.no_data.to_json() if self.no_data else None,
            "metrics": [m.to_json() for m in self.metrics],
            "slos": [s.to_json() for s in self.slos],
        }


def format_number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return NO_DATA
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def metrics_exit_status(reports: list[SourceReport]) -> int:
    """0 when every figure was read, 4 (no data) when any source or figure gave none."""
    missing = any(
        r.no_data or any(m.no_data for m in r.metrics) or any(s.no_data for s in r.slos)
        for r in reports
    )
    return 4 if missing else 0


def slo_exit_status(reports: list[SourceReport]) -> int:
    """0 all SLOs met, 3 one is violated (wins over no data), 4 no data for one."""
    results = [s for r in reports for s in r.slos]
    if any(s.status == "violated" for s in results):
        return 3
    return 4 if any(s.no_data for s in results) else 0
