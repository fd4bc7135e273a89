"""Honest data with nothing listening: NO DATA AVAILABLE where a figure would be, never a 0.

MLflow and Prometheus are pointed at a closed loopback port (through focus.yaml, or through
the environment variables that override it), so every figure is missing. The focus file that
`focus update` writes and the human output of `focus metrics` must say so, and must not show
a number in place of one (a 0 is the typical default that slips through).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_DIR, FocusRunner, git
from tests.servers import closed_port_url

NO_DATA = "NO DATA AVAILABLE"
# SLOs and a custom query whose targets contain no zero, so any standalone 0 is a made-up figure.
FIGURES_YAML = """\
  queries:
    - name: request rate
      query: sum(rate(http_requests_total[5m]))
slos:
  - name: p95-latency
    query: histogram_quantile(0.95, sum(rate(latency_bucket[5m])) by (le))
    max: 0.5
  - name: availability
    query: avg(up)
    min: 0.99
"""
# A 0 standing alone as a figure: "0", "0.0", "0 ms", "0%", "| 0 |". Not part of a time,
# a date, an address or a word.
ZERO_FIGURE = re.compile(r"(?:^|[\s|(=:])0(?:\.0*)?(?=$|[\s|%)]|ms\b)", re.MULTILINE)


def dead_workspace(repo: Path, how: str) -> dict[str, str]:
    """The example focus file and a focus.yaml whose services are dead; returns the env."""
    (repo / "AGENT_FOCUS.md").write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    dead = closed_port_url()
    env: dict[str, str] = {"COLUMNS": "250"}
    if how == "focus.yaml":
        urls = f"mlflow:\n  tracking_uri: {dead}\nprometheus:\n  url: {dead}\n"
    else:  # the environment overrides a focus.yaml that names no URL
        urls = "prometheus:\n"
        env |= {"MLFLOW_TRACKING_URI": dead, "PROMETHEUS_URL": dead}
    (repo / "focus.yaml").write_text(urls + FIGURES_YAML)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "dead services")
    return env


def test_the_zero_pattern_finds_zeros_and_nothing_else() -> None:
    for text in ("| x | 0 |", "value 0.0", "in 0 ms", "0", "rate 0%", "read at 00:00 (0)"):
        assert ZERO_FIGURE.search(text), text
    for text in ("2026-01-02 00:19 UTC", "http://127.0.0.1:40", ">= 0.99", "p95 0.5", "10 ms"):
        assert not ZERO_FIGURE.search(text), text


@pytest.mark.parametrize("how", ["focus.yaml", "env"])
def test_update_writes_no_data_and_no_zero_where_figures_would_be(
    repo: Path, focus: FocusRunner, how: str
) -> None:
    env = dead_workspace(repo, how)
    path = repo / "AGENT_FOCUS.md"
    result = focus("update", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr

    text = path.read_text(encoding="utf-8")
    body = text.split("## 📊 Progress Metrics\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("| ") and "---" not in line]
    header, *figures = rows
    assert header.startswith("| Metric | Value |")
    names = [row.split(" | ")[0].removeprefix("| ") for row in figures]
    assert names == ["mlflow", "SLO p95-latency", "SLO availability", "prometheus"]
    for row in figures:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[1] == NO_DATA, row
        assert "refused" in cells[3], row
    assert not ZERO_FIGURE.search(body), body
    assert f"> {NO_DATA} from mlflow" in body and f"> {NO_DATA} from prometheus" in body


@pytest.mark.parametrize("how", ["focus.yaml", "env"])
def test_metrics_on_screen_say_no_data_and_show_no_zero(
    repo: Path, focus: FocusRunner, how: str
) -> None:
    env = dead_workspace(repo, how)
    result = focus("metrics", cwd=repo, env=env)
    assert result.returncode == 4
    screen = result.stdout
    for source in ("mlflow", "prometheus"):
        block = screen.split(f"✗ {source}", 1)[1].split("✗ ", 1)[0]
        assert f"{NO_DATA}: refused" in block, screen
        assert "read " not in block  # no reading time, no "in 0 ms": nothing was read
    assert "●" not in screen  # no source is marked as read
    assert not ZERO_FIGURE.search(screen), screen

    slo = focus("slo", cwd=repo, env=env)
    assert slo.returncode == 4
    for name in ("p95-latency", "availability"):
        line = next(line for line in slo.stdout.splitlines() if line.split()[:1] == [name])
        assert NO_DATA in line and "no data: refused" in line, slo.stdout
    assert not ZERO_FIGURE.search(slo.stdout), slo.stdout
