"""`focus metrics`, `focus slo` and `focus update` against a real Prometheus and MLflow.

Faults are real too: a port where nothing listens, a server that never answers, one that
answers HTTP 500, a bad PromQL expression, an empty and a NaN result, an empty MLflow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE_DIR, FocusRunner, LiveServers, Result
from tests.servers import closed_port_url, failing_server, silent_server


def write_config(
    root: Path, mlflow: str, prometheus: str, slos: str = "", extra: str = "", timeout: float = 20
) -> None:
    """A focus.yaml; the generous default timeout covers the full `mlflow` import on a busy
    CI machine (the fault tests pass a short one)."""
    (root / "focus.yaml").write_text(
        f"mlflow:\n  tracking_uri: {mlflow}\nprometheus:\n  url: {prometheus}\n{extra}"
        + (f"slos:\n{slos}" if slos else "")
        + f"timeout: {timeout}\n"
    )


SLOS = """\
  - name: api-latency
    query: max(demo_latency_seconds)
    max: 0.5
    agent: A1
  - name: error-ratio
    query: demo_error_ratio
    max: 0.05
"""


def sources(result: Result) -> dict[str, Any]:
    return {s["source"]: s for s in json.loads(result.stdout)["sources"]}


def test_metrics_shows_what_was_logged_and_scraped(
    repo: Path, focus: FocusRunner, live: LiveServers
) -> None:
    write_config(
        repo,
        live.mlflow_url,
        live.prometheus_url,
        SLOS,
        extra="  queries:\n    - name: latency by service\n      query: demo_latency_seconds\n",
    )
    result = focus("metrics", "--json", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    found = sources(result)
    mlflow = {m["name"]: m for m in found["mlflow"]["metrics"]}
    assert mlflow["model churn-clf"]["text"] == "v1 @champion"
    assert mlflow["churn-training/baseline: accuracy"]["value"] == pytest.approx(
        live.logged["accuracy"]
    )
    assert mlflow["rag-eval/eval-1: faithfulness"]["value"] == pytest.approx(
        live.logged["faithfulness"]
    )
    prom = found["prometheus"]
    assert {
        m["labels"].get("service"): m["value"]
        for m in prom["metrics"]
        if m["name"] == "latency by service"
    } == {
        "api": 0.23,
        "batch": 0.41,
    }
    assert next(m for m in prom["metrics"] if m["name"] == "scrape targets up")["text"] == "1/1"
    assert {s["name"]: (s["value"], s["status"]) for s in prom["slos"]} == {
        "api-latency": (0.41, "met"),
        "error-ratio": (0.01, "met"),
    }
    assert all(m["read_at"] for m in prom["metrics"] + found["mlflow"]["metrics"])


def test_metrics_human_view_names_sources_and_values(
    repo: Path, focus: FocusRunner, live: LiveServers
) -> None:
    write_config(repo, live.mlflow_url, live.prometheus_url, SLOS)
    result = focus("metrics", cwd=repo, env={"COLUMNS": "160"})
    assert result.returncode == 0
    assert f"● mlflow  {live.mlflow_url}" in result.stdout
    assert "v1 @champion" in result.stdout and "0.912" in result.stdout
    assert "api-latency" in result.stdout and "met" in result.stdout


def test_metrics_for_one_agent_leave_out_the_others_runs(
    repo: Path, focus: FocusRunner, live: LiveServers
) -> None:
    write_config(repo, live.mlflow_url, live.prometheus_url, SLOS)
    found = sources(focus("metrics", "--json", "--agent", "A2", cwd=repo))
    names = [m["name"] for m in found["mlflow"]["metrics"]]
    assert names == ["rag-eval/eval-1: faithfulness"]
    assert [s["name"] for s in found["prometheus"]["slos"]] == [
        "error-ratio"
    ]  # A1's SLO is not A2's


def test_agent_comes_from_agent_env(repo: Path, focus: FocusRunner, live: LiveServers) -> None:
    write_config(repo, live.mlflow_url, live.prometheus_url)
    (repo / ".agent.env").write_text("AGENT_ID=A1\n")
    payload = json.loads(focus("metrics", "--json", "--source", "mlflow", cwd=repo).stdout)
    assert payload["agent"] == "A1"
    assert {m["name"] for m in payload["sources"][0]["metrics"]} == {
        "model churn-clf",
        "churn-training/baseline: accuracy",
        "churn-training/baseline: f1",
    }


def test_env_overrides_focus_yaml(repo: Path, focus: FocusRunner, live: LiveServers) -> None:
    write_config(repo, closed_port_url(), closed_port_url())
    result = focus(
        "metrics",
        "--json",
        cwd=repo,
        env={"MLFLOW_TRACKING_URI": live.mlflow_url, "PROMETHEUS_URL": live.prometheus_url},
    )
    assert result.returncode == 0
    assert {s["location"] for s in sources(result).values()} == {
        live.mlflow_url,
        live.prometheus_url,
    }


@pytest.mark.parametrize(
    ("slos", "code", "statuses"),
    [
        (SLOS, 0, {"api-latency": "met", "error-ratio": "met"}),
        (
            "  - name: tight\n    query: max(demo_latency_seconds)\n    max: 0.3\n",
            3,
            {"tight": "violated"},
        ),
        ("  - name: floor\n    query: demo_error_ratio\n    min: 0.5\n", 3, {"floor": "violated"}),
        ("  - name: ghost\n    query: demo_does_not_exist\n    max: 1\n", 4, {"ghost": "no data"}),
        (
            "  - name: ghost\n    query: demo_does_not_exist\n    max: 1\n"
            "  - name: tight\n    query: max(demo_latency_seconds)\n    max: 0.3\n",
            3,
            {"ghost": "no data", "tight": "violated"},
        ),
    ],
    ids=["all-met", "max-violated", "min-violated", "no-data", "violated-wins-over-no-data"],
)
def test_slo_gate_exit_codes(
    repo: Path,
    focus: FocusRunner,
    live: LiveServers,
    slos: str,
    code: int,
    statuses: dict[str, str],
) -> None:
    write_config(repo, live.mlflow_url, live.prometheus_url, slos)
    result = focus("slo", "--json", cwd=repo)
    assert result.returncode == code, result.stdout + result.stderr
    payload = json.loads(result.stdout)
    assert {s["name"]: s["status"] for s in payload["slos"]} == statuses
    assert payload["exit_code"] == code


def test_update_writes_real_figures_into_progress_metrics_only(
    repo: Path, focus: FocusRunner, live: LiveServers
) -> None:
    write_config(repo, live.mlflow_url, live.prometheus_url, SLOS)
    original = (EXAMPLE_DIR / "AGENT_FOCUS.md").read_text()
    path = repo / "AGENT_FOCUS.md"
    path.write_text(original)
    (repo / "docs" / "portfolio").mkdir(parents=True)
    (repo / "docs" / "portfolio" / "mlflow.png").write_bytes(b"\x89PNG")  # appeared: gets ticked
    # docs/portfolio/a1-architecture.md is ticked in the file but missing here: gets unticked

    result = focus("update", "--json", cwd=repo)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["agent"] == "A1"
    assert payload["ticked"] == ["MLflow screenshot"] and payload["unticked"] == [
        "Architecture overview"
    ]

    after = path.read_text()
    body = after.split("## 📊 Progress Metrics\n", 1)[1].split("\n## ", 1)[0]
    assert "| SLO api-latency | 0.41 | <= 0.5 | ✅ met | prometheus |" in body
    assert "| churn-training/baseline: accuracy | 0.912 |" in body
    assert "rag-eval" not in body  # A2's experiment
    # Every line outside the metrics body and the two boxes is byte-identical.
    before_lines, after_lines = original.splitlines(), after.splitlines()
    start = before_lines.index("## 📊 Progress Metrics") + 1
    assert after_lines[:start] == [
        line.replace("- [x] Architecture overview", "- [ ] Architecture overview").replace(
            "- [ ] MLflow screenshot", "- [x] MLflow screenshot"
        )
        for line in before_lines[:start]
    ]
    notes = before_lines.index("## 📝 Notes & Learnings")
    assert after_lines[-(len(before_lines) - notes) :] == before_lines[notes:]


def test_update_with_services_down_writes_no_data_and_keeps_going(
    repo: Path, focus: FocusRunner
) -> None:
    write_config(repo, closed_port_url(), closed_port_url(), SLOS)
    path = repo / "AGENT_FOCUS.md"
    path.write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    result = focus("update", cwd=repo)
    assert result.returncode == 0
    assert "NO DATA AVAILABLE from mlflow: refused" in result.stderr
    assert "just services-up" in result.stderr
    body = path.read_text().split("## 📊 Progress Metrics\n", 1)[1]
    assert (
        "| mlflow | NO DATA AVAILABLE |" in body
        and "| SLO api-latency | NO DATA AVAILABLE |" in body
    )
    assert "Traceback" not in result.stderr


# --- faults ------------------------------------------------------------------------------


def no_data(result: Result, source: str) -> dict[str, str]:
    report = sources(result)[source]
    assert report["no_data"] is not None, report
    return report["no_data"]


def test_both_servers_down(repo: Path, focus: FocusRunner) -> None:
    write_config(repo, closed_port_url(), closed_port_url(), SLOS)
    result = focus("metrics", "--json", cwd=repo)
    assert result.returncode == 4
    for source in ("mlflow", "prometheus"):
        missing = no_data(result, source)
        assert missing["reason"] == "refused" and "services-up" in missing["hint"]
    slo = focus("slo", "--json", cwd=repo)
    assert slo.returncode == 4
    assert {s["status"] for s in json.loads(slo.stdout)["slos"]} == {"no data"}


@pytest.mark.parametrize("source", ["mlflow", "prometheus"])
def test_a_server_that_never_answers_times_out(
    repo: Path, focus: FocusRunner, live: LiveServers, source: str
) -> None:
    with silent_server() as url:
        urls = {"mlflow": live.mlflow_url, "prometheus": live.prometheus_url, source: url}
        # The timeout must cover the other source's real answer (and MLflow's import).
        write_config(repo, urls["mlflow"], urls["prometheus"], timeout=8)
        result = focus("metrics", "--json", cwd=repo)
    assert result.returncode == 4
    assert no_data(result, source)["reason"] == "timed out"
    other = "prometheus" if source == "mlflow" else "mlflow"
    assert sources(result)[other]["no_data"] is None  # the other source still answered


@pytest.mark.parametrize("source", ["mlflow", "prometheus"])
def test_a_server_answering_500(
    repo: Path, focus: FocusRunner, live: LiveServers, source: str
) -> None:
    with failing_server(500) as url:
        urls = {"mlflow": live.mlflow_url, "prometheus": live.prometheus_url, source: url}
        write_config(repo, urls["mlflow"], urls["prometheus"])
        result = focus("metrics", "--json", cwd=repo)
    assert result.returncode == 4
    missing = no_data(result, source)
    assert missing["reason"] == "HTTP error" and "500" in missing["detail"]
    assert "Traceback" not in result.stderr


def test_bad_promql_is_reported_with_prometheus_own_message(
    repo: Path, focus: FocusRunner, live: LiveServers
) -> None:
    write_config(
        repo,
        live.mlflow_url,
        live.prometheus_url,
        "  - name: broken\n    query: sum(rate(\n    max: 1\n",
    )
    result = focus("slo", "--json", cwd=repo)
    assert result.returncode == 4
    (broken,) = json.loads(result.stdout)["slos"]
    assert (
        broken["no_data"]["reason"] == "bad query" and "parse error" in broken["no_data"]["detail"]
    )


@pytest.mark.parametrize(
    ("query", "reason"), [("demo_does_not_exist", "empty result"), ("demo_nan_gauge", "NaN")]
)
def test_empty_and_nan_results_are_no_data(
    repo: Path, focus: FocusRunner, live: LiveServers, query: str, reason: str
) -> None:
    write_config(
        repo,
        live.mlflow_url,
        live.prometheus_url,
        extra=f"  queries:\n    - name: q\n      query: {query}\n",
    )
    result = focus("metrics", "--json", "--source", "prometheus", cwd=repo)
    assert result.returncode == 4
    (metric,) = [m for m in sources(result)["prometheus"]["metrics"] if m["name"] == "q"]
    assert metric["value"] is None and metric["no_data"]["reason"] == reason


def test_mlflow_with_no_experiments(
    repo: Path, focus: FocusRunner, empty_mlflow_url: str, live: LiveServers
) -> None:
    write_config(repo, empty_mlflow_url, live.prometheus_url)
    result = focus("metrics", "--json", cwd=repo)
    assert result.returncode == 4
    assert no_data(result, "mlflow")["reason"] == "no experiments"
    human = focus("metrics", cwd=repo)
    assert "NO DATA AVAILABLE" in human.stdout and "log a run" in human.stdout


def test_update_on_a_bad_file_fails_before_collecting(repo: Path, focus: FocusRunner) -> None:
    (repo / ".agent.env").write_text("AGENT_ID=A1\n")
    with silent_server() as url:  # would cost the whole timeout if it were asked
        write_config(repo, url, url, timeout=30)
        (repo / "AGENT_FOCUS.md").write_bytes(b"# F\n## Metrics\n\xff\n")
        result = focus("update", cwd=repo, timeout=20)
    assert result.returncode == 1
    assert (
        result.stderr
        == f"focus: error: {repo / 'AGENT_FOCUS.md'}:3: is not valid UTF-8 (byte 0xff at offset 15)\n"
    )
