"""`--since`/`--until`: a day given to `--until` is in the window (as in ccusage), in the
local zone; a window that ends before it starts is a usage error, not an empty report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FocusRunner, example_workspace
from tests.test_agent_usage import assistant

# New York is UTC-5 in December: 03:00Z is still Dec 1 there, 04:59Z the end of Dec 2.
CALLS = {
    1: ("2026-12-02T03:00:00.000Z", "2026-12-01"),
    2: ("2026-12-02T15:00:00.000Z", "2026-12-02"),
    3: ("2026-12-03T04:59:59.000Z", "2026-12-02"),
    4: ("2026-12-03T05:00:00.000Z", "2026-12-03"),
}


@pytest.fixture
def logged(repo: Path, focus: FocusRunner, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    example_workspace(repo, focus_file=False)
    assert focus("agents", "add", "A1", cwd=repo).returncode == 0
    a1 = repo.parent / "wt-a1-mlops"
    config = tmp_path / "claude"
    (config / "projects" / "p").mkdir(parents=True)
    (config / "projects" / "p" / "s1.jsonl").write_text(
        "".join(assistant(a1, n, timestamp=at) for n, (at, _day) in CALLS.items())
    )
    env = {
        "CLAUDE_CONFIG_DIR": str(config),
        "CODEX_HOME": str(tmp_path / "no-codex"),
        "TZ": "America/New_York",
        "COLUMNS": "120",
    }
    return a1, env


def days(focus: FocusRunner, cwd: Path, env: dict[str, str], *window: str) -> dict[str, int]:
    done = focus("usage", "--by", "day", "--json", *window, cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    return {row["day"]: row["calls"] for row in json.loads(done.stdout)["rows"]}


def test_a_day_given_to_until_is_in_the_window(
    logged: tuple[Path, dict[str, str]], focus: FocusRunner
) -> None:
    a1, env = logged
    assert days(focus, a1, env) == {"2026-12-01": 1, "2026-12-02": 2, "2026-12-03": 1}
    assert days(focus, a1, env, "--since", "2026-12-02", "--until", "2026-12-02") == {
        "2026-12-02": 2
    }
    assert days(focus, a1, env, "--until", "2026-12-02") == {"2026-12-01": 1, "2026-12-02": 2}
    assert days(focus, a1, env, "--until", "20261201") == {"2026-12-01": 1}  # ccusage's form
    assert days(focus, a1, env, "--since", "2026-12-03") == {"2026-12-03": 1}
    # a time is a bound itself, excluded: 23:59:59 local is call 3's own second
    assert days(focus, a1, env, "--since=2026-12-02", "--until=2026-12-02T23:59:59") == {
        "2026-12-02": 1
    }
    empty = focus("usage", "--since", "2026-12-04", "--until", "2026-12-05", cwd=a1, env=env)
    assert empty.returncode == 0
    assert "none from 2026-12-04 00:00 to 2026-12-06 00:00" in empty.stdout, empty.stdout
    assert "no Claude Code or Codex session logs" not in empty.stdout
    nothing = json.loads(focus("usage", "--json", "--since", "2026-12-04", cwd=a1, env=env).stdout)
    assert nothing["rows"] == [] and nothing["total"]["cost_usd"] == 0  # no call: $0, known


@pytest.mark.parametrize("json_out", [[], ["--json"]])
def test_until_before_since_is_a_usage_error(
    logged: tuple[Path, dict[str, str]], focus: FocusRunner, json_out: list[str]
) -> None:
    a1, env = logged
    for window in (["--since", "2026-12-03", "--until", "2026-12-02"], ["--since", "7d", "--until", "8d"]):  # fmt: skip
        done = focus("usage", *json_out, *window, cwd=a1, env=env)
        assert done.returncode == 2, (window, done.stdout, done.stderr)
        assert "--until" in done.stderr and "the window is empty" in done.stderr
        assert done.stdout == ""
