"""The agents' daily usage on the team's MLflow, against a real tracking server: `focus
evening` mirrors one `usage` run per clone, agent and local day, and `focus usage --source
mlflow` shows it beside the planner's plan runs, counting a day mirrored twice once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FocusRunner, _start_mlflow, git
from tests.servers import closed_port_url

SONNET = "claude-sonnet-4-5-20250929"
# $3 in, $15 out, $0.30 cache read per million tokens: 10 in, 100 out, 1,000 read.
SONNET_CALL_USD = 10 * 3e-6 + 100 * 15e-6 + 1000 * 0.3e-6
USAGE = (
    "input_tokens", "output_tokens", "cache_write_tokens", "cached_tokens", "total_tokens",
    "cost_usd", "calls", "unpriced_calls",
)  # fmt: skip


@pytest.fixture(scope="module")
def team_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A tracking server of this module's own: the team view sums all it holds."""
    service = _start_mlflow(tmp_path_factory.mktemp("mlflow-team"))
    try:
        yield service.url
    finally:
        service.stop()


@pytest.fixture
def server(team_server: str) -> str:
    """The module's server with no run left from an earlier test (deleted runs are not
    searched)."""
    for run in all_runs(team_server):
        _client(team_server).delete_run(run.info.run_id)
    return team_server


def _client(url: str) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(url)


def all_runs(url: str, kind: str | None = None) -> list[Any]:
    client = _client(url)
    experiment = client.get_experiment_by_name("agent-focus")
    if experiment is None:
        return []
    where = f"tags.kind = '{kind}'" if kind else ""
    return list(client.search_runs([experiment.experiment_id], where, max_results=1000))


def day(back: int) -> str:
    return (datetime.now(UTC) - timedelta(days=back)).date().isoformat()


def call(cwd: Path, n: int, when: str, model: str = SONNET) -> str:
    """One Claude Code assistant record: 10 in, 100 out, 1,000 cache read."""
    entry = {
        "cwd": str(cwd), "sessionId": f"s{n}", "isSidechain": False, "type": "assistant",
        "timestamp": f"{when}T10:00:{n:02d}.000Z", "requestId": f"req_{n}",
        "message": {"id": f"msg_{n}", "model": model, "usage": {
            "input_tokens": 10, "output_tokens": 100, "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 1000}},
    }  # fmt: skip
    return json.dumps(entry, separators=(",", ":")) + "\n"


class Clone:
    """A clone with agents A1 and A2 in worktrees, a Claude config dir of hand-written
    session logs, every day in UTC (so a log's date is the local day)."""

    def __init__(self, repo: Path, focus: FocusRunner, url: str, tmp: Path):
        (repo / "focus.yaml").write_text(
            f"mlflow:\n  tracking_uri: {url}\nprometheus:\n  url: {closed_port_url()}\n"
            "timeout: 30\n"
        )
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "team workspace")
        for agent in ("A1", "A2"):
            assert focus("agents", "add", agent, cwd=repo).returncode == 0
        self.a1, self.a2 = repo.parent / "wt-a1-mlops", repo.parent / "wt-a2-genai"
        self.logs = tmp / "claude" / "projects" / "p"
        self.logs.mkdir(parents=True)
        self.env = {"CLAUDE_CONFIG_DIR": str(tmp / "claude"), "CODEX_HOME": str(tmp / "codex"), "TZ": "UTC"}  # fmt: skip
        self.focus = focus

    def log(self, name: str, *records: str) -> None:
        with (self.logs / name).open("a") as handle:
            handle.write("".join(records))

    def run(self, cwd: Path, *args: str) -> Any:
        return self.focus(*args, cwd=cwd, env=self.env)

    def evening(self, cwd: Path) -> dict[str, Any]:
        result = self.run(cwd, "evening", "--no-commit", "--json")
        assert result.returncode == 0, result.stderr
        assert "MLflow mirror" not in result.stderr, result.stderr
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    def team(self, by: str) -> dict[str, Any]:
        result = self.run(self.a1, "usage", "--source", "mlflow", "--by", by, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def clone(repo: Path, focus: FocusRunner, server: str, tmp_path: Path) -> Clone:
    return Clone(repo, focus, server, tmp_path)


def figures(run: Any) -> dict[str, float]:
    return dict(run.data.metrics)


def sessions(rows: list[dict[str, Any]], by: str) -> dict[str, dict[str, Any]]:
    return {row[by]: row for row in rows if row["source"] == "sessions"}


def test_evening_mirrors_each_day_of_the_agents_sessions_exactly(clone: Clone, server: str) -> None:
    clone.log("a.jsonl", call(clone.a1, 1, day(2)), call(clone.a1, 2, day(2)))
    clone.log("b.jsonl", call(clone.a1, 3, day(1)), call(clone.a1 / "src", 4, day(1), "mystery-9"))
    clone.log("c.jsonl", call(clone.a2, 5, day(1)), call(Path("/elsewhere"), 6, day(1)))
    clone.evening(clone.a1)
    usage_runs = {r.data.tags["day"]: r for r in all_runs(server, "usage")}
    assert sorted(usage_runs) == [day(2), day(1)]  # A1's only; a missed evening caught up
    older, newer = usage_runs[day(2)], usage_runs[day(1)]
    assert {r.data.tags["agent"] for r in usage_runs.values()} == {"A1"}
    assert older.data.tags["clone"] == newer.data.tags["clone"] and older.data.tags["host"]
    assert older.info.status == "FINISHED"
    two = {"input_tokens": 20, "output_tokens": 200, "cache_write_tokens": 0}
    assert figures(older) == pytest.approx(
        two | {"cached_tokens": 2000, "total_tokens": 2220, "calls": 2, "unpriced_calls": 0}
        | {"cost_usd": 2 * SONNET_CALL_USD}
    )  # fmt: skip
    assert figures(newer) == pytest.approx(  # the unknown model's call: counted, not priced
        two | {"cached_tokens": 2000, "total_tokens": 2220, "calls": 2, "unpriced_calls": 1}
        | {"cost_usd": SONNET_CALL_USD}
    )  # fmt: skip
    (evening_run,) = all_runs(server, "evening")  # the evening's own figures are kept
    assert evening_run.data.tags["clone"] == older.data.tags["clone"]
    local = json.loads(clone.run(clone.a1, "usage", "--json", "--no-read-logs").stdout)
    a1 = next(r for r in local["rows"] if r["agent"] == "A1")
    assert a1["cost_usd"] == pytest.approx(older.data.metrics["cost_usd"] + SONNET_CALL_USD)
    assert evening_run.data.metrics["model_calls_today"] == 0  # nothing today


def test_a_day_with_no_priced_call_has_no_cost(clone: Clone, server: str) -> None:
    clone.log("a.jsonl", call(clone.a2, 1, day(1), "mystery-9"))
    clone.evening(clone.a2)
    (run,) = all_runs(server, "usage")
    assert "cost_usd" not in run.data.metrics and run.data.metrics["unpriced_calls"] == 1
    (row,) = clone.team("day")["rows"]
    assert row["cost_usd"] is None and row["unpriced_calls"] == 1 and row["calls"] == 1


def test_a_day_mirrored_again_counts_once(clone: Clone, server: str) -> None:
    clone.log("a.jsonl", call(clone.a1, 1, day(1)), call(clone.a1, 2, day(0)))
    clone.evening(clone.a1)
    first = clone.team("day")
    clone.evening(clone.a1)  # nothing new: nothing logged again
    assert len(all_runs(server, "usage")) == 2 and clone.team("day") == first
    clone.log("a.jsonl", call(clone.a1, 3, day(0)))  # more work after the first evening
    clone.evening(clone.a1)
    assert len(all_runs(server, "usage")) == 3  # today's figures anew, yesterday's as they were
    rows = sessions(clone.team("day")["rows"], "day")
    assert (rows[day(1)]["calls"], rows[day(0)]["calls"]) == (1, 2)  # not 1 + 2
    assert rows[day(0)]["output_tokens"] == 200
    assert rows[day(0)]["cost_usd"] == pytest.approx(2 * SONNET_CALL_USD)
    # a run cut short (created, the deadline passed before its metrics): not the day's
    newest = max(all_runs(server, "usage"), key=lambda run: run.info.start_time)
    client = _client(server)
    client.create_run(newest.info.experiment_id, tags=dict(newest.data.tags))
    assert sessions(clone.team("day")["rows"], "day") == rows
    clone.evening(clone.a1)  # and the next evening does not take it for today's figures
    assert len(all_runs(server, "usage")) == 4


def test_two_agents_two_days_beside_the_planner(clone: Clone) -> None:
    clone.log("a.jsonl", call(clone.a1, 1, day(2)), call(clone.a1, 2, day(1)))
    clone.log("b.jsonl", call(clone.a2, 3, day(1)), call(clone.a2, 4, day(1)))
    assert clone.run(clone.a1, "plan").returncode == 0  # the offline planner: a plan run
    clone.evening(clone.a1)
    clone.evening(clone.a2)
    by_agent = clone.team("agent")
    assert [(r["agent"], r["source"]) for r in by_agent["rows"]] == [
        ("A1", "planner"), ("A1", "sessions"), ("A2", "sessions"),
    ]  # fmt: skip
    planner, a1, a2 = by_agent["rows"]
    assert planner["plans"] == 1 and planner["tasks_added"] > 0 and planner["calls"] == 0
    assert (a1["calls"], a2["calls"], a1["plans"], a1["errors"]) == (2, 2, 0, None)
    assert a2["total_tokens"] == 2 * 1110 and a2["cost_usd"] == pytest.approx(2 * SONNET_CALL_USD)
    days = clone.team("day")["rows"]
    by_day = sessions(days, "day")
    assert {d: r["calls"] for d, r in by_day.items()} == {day(2): 1, day(1): 3}
    assert [r["day"] for r in days if r["source"] == "planner"] == [day(0)]  # its local day
    for report in (by_agent, clone.team("day")):
        assert set(report["total"]) == set(USAGE)
        for name in USAGE:
            summed = sum(row[name] or 0 for row in report["rows"])
            assert report["total"][name] == pytest.approx(summed), (report["by"], name)
    assert by_agent["total"]["calls"] == 4 and by_agent["total"]["input_tokens"] == 40


def test_by_model_shows_the_planner_alone_and_says_so(clone: Clone) -> None:
    clone.log("a.jsonl", call(clone.a1, 1, day(1)))
    assert clone.run(clone.a1, "plan").returncode == 0
    clone.evening(clone.a1)
    result = clone.run(clone.a1, "usage", "--source", "mlflow", "--by", "model", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(r["model"], r["source"]) for r in report["rows"]] == [("offline rules", "planner")]
    assert "--by agent or --by day shows both" in result.stderr
    unanswerable = clone.run(clone.a1, "usage", "--source", "mlflow", "--by", "session")
    assert unanswerable.returncode == 2 and "--source mlflow" in unanswerable.stderr
    table = clone.run(clone.a1, "usage", "--source", "mlflow", "--by", "day")
    assert table.returncode == 0 and "sessions" in table.stdout and "total" in table.stdout
    by_source = json.loads(
        clone.run(clone.a1, "usage", "--source", "mlflow", "--by", "source", "--json").stdout
    )
    assert [r["source"] for r in by_source["rows"]] == ["planner", "sessions"]
    windowed = clone.run(clone.a1, "usage", "--source", "mlflow", "--since", "7d")
    assert windowed.returncode == 2 and "--by day" in windowed.stderr  # not silently ignored


def test_a_dead_server_costs_the_evening_a_note(
    repo: Path, focus: FocusRunner, tmp_path: Path
) -> None:
    dead = closed_port_url()
    clone = Clone(repo, focus, dead, tmp_path)
    clone.log("a.jsonl", call(clone.a1, 1, day(1)))
    result = clone.run(clone.a1, "evening", "--no-commit", "--json")
    assert result.returncode == 0, result.stderr
    notes = json.loads(result.stdout)["notes"]
    assert f"MLflow mirror skipped: refused at {dead} (the local journal has it)" in notes
    team = clone.run(clone.a1, "usage", "--source", "mlflow", "--json")
    assert team.returncode == 4, team.stderr
    assert json.loads(team.stdout)["error"].startswith("NO DATA AVAILABLE from MLflow: refused")
