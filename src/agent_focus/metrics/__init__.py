"""Real metrics: collectors for MLflow and Prometheus, SLO results, NO DATA with reasons."""

from agent_focus.metrics.model import NO_DATA, Metric, NoData, SloResult, SourceReport
from agent_focus.metrics.registry import register_collector, run_collectors

__all__ = (
    "NO_DATA",
    "Metric",
    "NoData",
    "SloResult",
    "SourceReport",
    "register_collector",
    "run_collectors",
)
