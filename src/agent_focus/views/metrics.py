"""Rich renderings of metrics and SLO reports."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from agent_focus.metrics.model import NO_DATA, NoData, SloResult, SourceReport


def _no_data_lines(no_data: NoData, indent: str = "  ") -> list[Text]:
    lines = [
        Text.assemble((f"{indent}{NO_DATA}", "bold red"), f": {no_data.reason}: {no_data.detail}")
    ]
    if no_data.hint:
        lines.append(Text(f"{indent}→ {no_data.hint}", style="yellow"))
    return lines


def _slo_table(slos: tuple[SloResult, ...] | list[SloResult]) -> Table:
    table = Table(box=None, padding=(0, 2), show_edge=False, header_style="bold")
    for column in ("SLO", "value", "target", "status", "agent"):
        table.add_column(column)
    for slo in slos:
        style = {"met": "green", "violated": "bold red"}.get(slo.status, "yellow")
        value = NO_DATA if slo.no_data else f"{slo.value:.4g}"
        status = slo.status if not slo.no_data else f"no data: {slo.no_data.reason}"
        table.add_row(slo.name, value, slo.target, Text(status, style=style), slo.agent or "all")
    return table


def metrics_view(reports: list[SourceReport], agent: str | None) -> RenderableType:
    parts: list[RenderableType] = [Text(f"Metrics for {agent or 'all agents'}", style="bold")]
    for report in reports:
        when = report.read_at.strftime("%H:%M:%S UTC")
        ok = report.no_data is None
        parts.append(
            Text.assemble(
                ("\n● " if ok else "\n✗ ", "green" if ok else "red"),
                (report.source, "bold"),
                f"  {report.location}  ",
                (f"read {when} in {report.elapsed * 1000:.0f} ms" if ok else "", "dim"),
            )
        )
        if report.no_data is not None:
            parts += _no_data_lines(report.no_data)
            continue
        if report.metrics:
            table = Table(box=None, padding=(0, 2), show_edge=False, header_style="bold")
            table.add_column("metric")
            table.add_column("value", justify="right")
            for metric in report.metrics:
                labels = ", ".join(
                    f"{k}={v}"
                    for k, v in sorted(metric.labels.items())
                    if k not in ("experiment", "run", "run_id")
                )
                name = f"{metric.name} {{{labels}}}" if labels else metric.name
                value = Text(metric.display, style="red" if metric.no_data else "")
                table.add_row(name, value)
                if metric.no_data:
                    table.add_row(
                        Text(f"  {metric.no_data.reason}: {metric.no_data.detail}", style="dim"), ""
                    )
            parts.append(table)
        if report.slos:
            parts.append(_slo_table(report.slos))
        if not report.metrics and not report.slos:
            parts.append(
                Text("  reachable; no queries or SLOs configured for it (focus.yaml)", style="dim")
            )
    return Group(*parts)


def slo_view(reports: list[SourceReport]) -> RenderableType:
    slos = [s for r in reports for s in r.slos]
    if not slos:
        return Text(
            "No SLOs configured: add `slos:` to focus.yaml (docs/metrics.md).", style="yellow"
        )
    parts: list[RenderableType] = [_slo_table(slos)]
    for report in reports:
        if report.no_data is not None and report.slos:
            parts += [Text(""), Text(report.source, style="bold"), *_no_data_lines(report.no_data)]
    for slo in slos:
        if slo.no_data and not any(r.no_data for r in reports if slo in r.slos):
            parts.append(Text(f"  {slo.name}: {slo.no_data.detail}", style="dim"))
    return Group(*parts)
