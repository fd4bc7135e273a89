"""Hostile focus.yaml files against the real `focus` process: a key written twice, an alias
bomb, a self-referring alias, nesting too deep, a NUL byte. Each is one error line naming
the file (and the line where there is one) and exit 1, quickly, in bounded memory."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_focus.config import ConfigError, parse_config
from tests.conftest import EXAMPLE_DIR, git
from tests.servers import answering_server
from tests.test_deadlines import run_focus

PATH = Path("focus.yaml")


@contextlib.contextmanager
def prometheus_answering(value: str) -> Iterator[str]:
    """A loopback server answering every instant query with one series of ``value``."""
    body = json.dumps(
        {
            "status": "success",
            "data": {"resultType": "vector", "result": [{"metric": {}, "value": [0, value]}]},
        }
    ).encode()

    with answering_server(200, body) as url:
        yield url


def write_config(repo: Path, text: str | bytes) -> Path:
    (repo / "AGENT_FOCUS.md").write_bytes((EXAMPLE_DIR / "AGENT_FOCUS.md").read_bytes())
    data = text.encode() if isinstance(text, str) else text
    (repo / "focus.yaml").write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a hostile focus.yaml")
    return repo


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("focus: error: "), stderr
    return lines[0]


def test_slos_written_twice_is_an_error_not_a_gate_turned_off(repo: Path) -> None:
    with prometheus_answering("5") as url:
        write_config(
            repo,
            f"prometheus:\n  url: {url}\nslos:\n  - name: strict\n    query: up\n    max: 1\n"
            "timeout: 5\n"
            "slos:\n  - name: lenient\n    query: up\n    max: 10\n",
        )
        result = run_focus("slo", cwd=repo)
    assert result.returncode == 1, result  # today: 0, the strict SLO silently dropped
    line = one_error_line(result.stderr)
    assert line.endswith("focus.yaml:8: duplicate key 'slos' (first at line 3)"), line


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "mlflow:\n  tracking_uri: http://a\n  runs_per_experiment: 2\n  tracking_uri: http://b\n",
            "focus.yaml:4: duplicate key 'tracking_uri' (first at line 2)",
        ),
        (
            "slos:\n  - {name: a, query: up, max: 1, max: 2}\n",
            "focus.yaml:2: duplicate key 'max' (first at line 2)",
        ),
        ("timeout: 3\n'timeout': 4\n", "focus.yaml:2: duplicate key 'timeout' (first at line 1)"),
    ],
)
def test_duplicate_keys_at_any_depth_name_both_lines(text: str, error: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, PATH)
    assert str(caught.value) == error
    # A key overriding one brought in by a merge key (`<<:`) is not a duplicate.
    merged = parse_config("planner:\n  <<: {sprint_size: 3}\n  sprint_size: 4\n", PATH)
    assert merged.planner.sprint_size == 4


def alias_bomb(levels: int = 9) -> str:
    lines = ["slos:", "  - name: a", "    query: up", "    max: 1", "lol0: &l0 [lol, lol, lol]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"lol{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "alias bomb": (alias_bomb(), "values once its aliases are expanded (an alias bomb?)"),
    "self-referring alias": ("slos: &s [*s]\n", "focus.yaml:1: an alias refers to a node"),
    "nested too deep": ("slos: " + "[" * 3000 + "]" * 3000 + "\n", "focus.yaml: invalid YAML"),
    "NUL byte": (b"timeout: 3\nslos:\x00 []\n", "focus.yaml:2: is a binary file (NUL byte)"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_focus_yaml_is_one_line_and_exit_1(repo: Path, name: str) -> None:
    text, error = HOSTILE[name]
    result = run_focus("slo", cwd=write_config(repo, text))
    assert result.returncode == 1, result
    assert error in one_error_line(result.stderr), result.stderr
