"""Our totals on hand-made logs with every trap equal ccusage 20.0.24's (run once on these
files; its outputs and the command lines are in tests/fixtures/agent_logs/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, FocusRunner, git

LOGS = FIXTURES / "agent_logs"
EXPECTED = json.loads((LOGS / "expected.json").read_text())
FIELDS = {
    "input_tokens": "inputTokens",
    "output_tokens": "outputTokens",
    "cache_write_tokens": "cacheCreationTokens",
    "cached_tokens": "cacheReadTokens",
    "total_tokens": "totalTokens",
}


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, str]:
    """Copies of the fixture logs (so nothing can touch the originals) and a git clone."""
    shutil.copytree(LOGS / "claude", tmp_path / "claude")
    shutil.copytree(LOGS / "codex", tmp_path / "codex")
    (tmp_path / "clone").mkdir()
    git(tmp_path / "clone", "init", "-q")
    return {
        "CLAUDE_CONFIG_DIR": str(tmp_path / "claude"),
        "CODEX_HOME": str(tmp_path / "codex"),
        "clone": str(tmp_path / "clone"),
    }


def _usage(focus: FocusRunner, machine: dict[str, str], tz: str, *args: str) -> dict:  # type: ignore[type-arg]
    env = {k: v for k, v in machine.items() if k != "clone"} | {"TZ": tz}
    result = focus("usage", "--json", *args, cwd=Path(machine["clone"]), env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _check(row: dict, expected: dict) -> None:  # type: ignore[type-arg]
    assert {ours: row[ours] for ours in FIELDS} == {
        ours: expected[theirs] for ours, theirs in FIELDS.items()
    }
    assert row["cost_usd"] == pytest.approx(expected["totalCost"], rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
def test_claude_and_codex_days_match_ccusage(
    focus: FocusRunner, machine: dict[str, str], tz: str
) -> None:
    by_day = _usage(focus, machine, tz, "--by", "day")
    by_source = {
        r["source"]: r
        for r in _usage(focus, machine, tz, "--by", "source", "--no-read-logs")["rows"]
    }
    for source in ("claude", "codex"):
        _check(by_source[source], EXPECTED[source][tz]["total"])
    days = {r["day"]: r for r in by_day["rows"]}
    assert sorted(days) == sorted(EXPECTED["all"][tz]["days"])
    for day, expected in EXPECTED["all"][tz]["days"].items():
        _check(days[day], expected)
    _check(by_day["total"], EXPECTED["all"][tz]["total"])
    # The broken lines of the fixtures were skipped and counted, not guessed at.
    assert by_day["ingest"]["skipped_lines"] > 0


def test_reading_twice_or_in_pieces_changes_nothing(
    focus: FocusRunner, machine: dict[str, str]
) -> None:
    whole = _usage(focus, machine, "UTC", "--by", "day")
    again = _usage(focus, machine, "UTC", "--by", "day")
    assert again["rows"] == whole["rows"] and again["ingest"]["calls_added"] == 0
