"""focus.yaml: defaults, env overrides, and one error line naming the key and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_focus.config import ConfigError, load_config, parse_config
from tests.conftest import REPO_ROOT, FocusRunner

PATH = Path("focus.yaml")


def test_the_bundled_focus_yaml_is_valid() -> None:
    config = parse_config((REPO_ROOT / "focus.yaml").read_text(), REPO_ROOT / "focus.yaml")
    assert [s.name for s in config.slos] == ["p95-latency", "scrape-success"]
    assert config.slos_for("A2") == [config.slos[1]]  # A1's SLO is not A2's
    assert config.slos[0].target == "<= 0.5" and config.slos[1].target == ">= 1"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "slos:\n  - name: a\n    query: up\n    max: fast\n",
            "focus.yaml:4: slos.0.max: Input should be a valid number",
        ),
        (
            "slos:\n  - name: a\n    query: up\n",
            "focus.yaml:2: slos.0: give exactly one of max: or min:",
        ),
        (
            "slos:\n  - name: a\n    query: up\n    max: 1\n    min: 0\n",
            "focus.yaml:2: slos.0: give exactly one",
        ),
        (
            "prometheus:\n  url: http://x\n  bogus: 1\n",
            "focus.yaml:3: prometheus.bogus: unknown setting",
        ),
        ("mlfow:\n  tracking_uri: x\n", "focus.yaml:1: mlfow: unknown setting"),
        ("slos: [\n", "focus.yaml:2: invalid YAML"),
        ("- just a list\n", "focus.yaml:1: must be a mapping"),
        ("timeout: -1\n", "focus.yaml:1: timeout: Input should be greater than 0"),
        (  # an infinite price would make NaN of a call with none of its tokens
            "planner:\n  prices:\n    claude-x: {input: .inf, output: 15}\n",
            "focus.yaml:3: planner.prices.claude-x.input: Input should be a finite number",
        ),
        (
            "slos:\n  - {name: a, query: up, max: 1}\n  - {name: a, query: up, max: 2}\n",
            "focus.yaml:1: slos: two SLOs are named 'a'",
        ),
    ],
)
def test_bad_settings_name_the_key_and_line(text: str, error: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, PATH)
    assert str(caught.value).startswith(error), str(caught.value)


def test_no_file_means_loopback_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.mlflow.tracking_uri == "http://127.0.0.1:5000"
    assert config.prometheus.url == "http://127.0.0.1:9090"
    assert config.timeout == 3.0 and config.slos == []


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "focus.yaml").write_text("mlflow:\n  tracking_uri: http://a:1\ntimeout: 5\n")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://b:2")
    monkeypatch.setenv("PROMETHEUS_URL", "http://c:3")
    monkeypatch.setenv("FOCUS_TIMEOUT", "0.5")
    config = load_config(tmp_path)
    assert (config.mlflow.tracking_uri, config.prometheus.url, config.timeout) == (
        "http://b:2",
        "http://c:3",
        0.5,
    )


def test_focus_config_env_points_at_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere.yaml"
    other.write_text("timeout: 7\n")
    monkeypatch.setenv("FOCUS_CONFIG", str(other))
    assert load_config(tmp_path / "nowhere").timeout == 7


def test_a_bad_file_stops_the_command_with_one_line(repo: Path, focus: FocusRunner) -> None:
    (repo / "focus.yaml").write_text("slos:\n  - name: x\n    query: up\n    maximum: 1\n")
    result = focus("slo", cwd=repo)
    assert result.returncode == 1
    assert (
        result.stderr
        == f"focus: error: {repo / 'focus.yaml'}:4: slos.0.maximum: unknown setting (see docs/metrics.md for the keys)\n"
    )
