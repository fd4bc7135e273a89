"""The Progress Metrics body that `focus update` writes: a markdown table, NO DATA explained."""

from __future__ import annotations

from datetime import datetime

from agent_focus.metrics.model import NO_DATA, SourceReport


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def progress_metrics_lines(reports: list[SourceReport], written_at: datetime) -> list[str]:
    """Lines (without endings) of the Progress Metrics body for these reports."""
    lines = [
        f"<!-- Written by `focus update` at {_when(written_at)}; this body is replaced on each run. -->",
        "| Metric | Value | Target | Status | Source | Read at |",
        "|---|---|---|---|---|---|",
    ]
    hints: list[str] = []
    for report in reports:
        for slo in report.slos:
            value = NO_DATA if slo.no_data else f"{slo.value:.4g}"
            status = {"met": "✅ met", "violated": "❌ violated"}.get(slo.status, "")
            if slo.no_data:
                status = f"no data: {slo.no_data.reason}"
            row = [f"SLO {slo.name}", value, slo.target, status, slo.source, _when(slo.read_at)]
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        if report.no_data is not None:
            row = [
                report.source,
                NO_DATA,
                "",
                f"{report.no_data.reason}: {report.no_data.detail}",
                report.source,
                _when(report.read_at),
            ]
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
            if report.no_data.hint:
                hints.append(f"> {NO_DATA} from {report.source}: {report.no_data.hint}")
            continue
        for metric in report.metrics:
            status = f"no data: {metric.no_data.reason}" if metric.no_data else ""
            labels = ", ".join(
                f"{k}={v}"
                for k, v in sorted(metric.labels.items())
                if k not in ("experiment", "run", "run_id")
            )
            name = f"{metric.name} {{{labels}}}" if labels else metric.name
            row = [name, metric.display, "", status, metric.source, _when(metric.read_at)]
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    if hints:
        lines += ["", *hints]
    return lines
