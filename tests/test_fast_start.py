"""Invariant 5: `focus status` and `focus complete` load no LLM SDK, MLflow, Prometheus or git.

A plain `focus status` and a plain `focus usage` run without Typer (`cli/quick.py`,
`cli/usage_quick.py`); everything else goes through Typer. Both ways are held to the same
promises, and must answer byte for byte alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FOCUS_FIXTURES

HEAVY = (
    "anthropic",
    "openai",
    "mlflow",
    "prometheus_api_client",
    "git",
    "pydantic",
    "yaml",
    "httpx",
)

PROBE = """
import json, sys
sys.argv = ["focus", *json.loads(sys.argv[1])]
from agent_focus.cli import app
if sys.argv[-1] == "--typer":  # the probe's own switch: run it as Typer would
    sys.argv.pop()
    app.status_request = lambda args: None
main = app.main
try:
    main()
except SystemExit as exit:
    code = exit.code
sys.stdout = sys.__stdout__
print("\\nMODULES=" + json.dumps(sorted(sys.modules)))
"""


# Our own modules that pull in the heavy ones, or that a reading command has no use for.
OURS = ("agent_focus.planner", "agent_focus.actions", "agent_focus.metrics", "agent_focus.config")


STATUS_FORMS = (
    ["status"],
    ["status", "--json"],
    ["status", "--all"],
    ["status", "--all", "--json"],
)


def _probe(tmp_path: Path, args: list[str], *, typer: bool = False) -> list[str]:
    """The modules loaded by ``focus ARGS`` (with ``--file`` on the fixture), run in a probe."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)  # `--all` lists worktrees
    target = tmp_path / "AGENT_FOCUS.md"
    target.write_bytes((FOCUS_FIXTURES / "no-final-newline.md").read_bytes())
    file_args = [] if args[0] == "agents" else ["--file", str(target)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps([*args, *file_args, *(["--typer"] * typer)])],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    modules: list[str] = json.loads(done.stdout.rsplit("MODULES=", 1)[1])
    # The probe really ran the command: the focus file was parsed.
    assert "agent_focus.cli" in modules and "agent_focus.focusfile.parse" in modules
    return modules


@pytest.mark.parametrize(
    ("args", "typer"),
    [
        *((form, False) for form in STATUS_FORMS),
        *((form, True) for form in STATUS_FORMS),
        (["agents"], False),
        (["agents", "--json"], False),
        (["complete", "Alpha"], False),
    ],
)
def test_command_loads_no_heavy_module(tmp_path: Path, args: list[str], typer: bool) -> None:
    modules = _probe(tmp_path, args, typer=typer)
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded == []
    if args[0] != "complete":  # `complete` is an action: it may load actions.complete
        # and status reads what is new in the agents' logs first (actions.catch_up, light)
        light = ("agent_focus.actions", "agent_focus.actions.catch_up")
        assert sorted(m for m in modules if m.startswith(OURS) and m not in light) == []
    assert ("typer" in modules) == (typer or args[0] != "status")


@pytest.mark.parametrize("args", STATUS_FORMS)
def test_plain_status_imports_neither_typer_nor_the_edit_engine(
    tmp_path: Path, args: list[str]
) -> None:
    modules = _probe(tmp_path, args)
    unwanted = (
        "typer",
        "click",
        "agent_focus.cli.commands",
        "agent_focus.focusfile.edits",
        "agent_focus.focusfile.matching",
    )
    assert sorted(m for m in modules if m.startswith(unwanted)) == []
    if "--json" in args:
        assert sorted(m for m in modules if m.startswith("rich")) == []


@pytest.mark.parametrize(
    ("args", "fast"),
    [
        (["status"], True),
        (["status", "--json", "--all"], True),
        (["status", "-A", "-f", "x.md", "--json", "--json"], True),
        (["status", "--file=x.md"], True),
        (["status", "--file", "a.md", "--file", "b.md"], True),
        (["status", "--help"], False),
        (["status", "-h"], False),
        (["status", "--bogus"], False),
        (["status", "extra"], False),
        (["status", "--file"], False),
        (["status", "--file", "--json"], False),
        (["status", "--file="], False),
        (["status", "-fx.md"], False),
        (["status", "-Aj"], False),
        (["status", "--"], False),
        (["status", "--jso"], False),
        (["--json", "status"], False),
        (["agents"], False),
        ([], False),
    ],
)
def test_only_a_plain_status_takes_the_fast_path(args: list[str], fast: bool) -> None:
    from agent_focus.cli.quick import status_request

    assert (status_request(args) is not None) == fast


def test_the_fast_path_passes_what_typer_would() -> None:
    from agent_focus.cli.quick import StatusRequest, status_request

    assert status_request(["status", "--file", "a.md", "-f", "b.md", "-A"]) == StatusRequest(
        Path("b.md"), True, False
    )
    assert status_request(["status", "--json"]) == StatusRequest(None, False, True)


def test_shell_completion_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent_focus.cli.quick import status_request

    monkeypatch.setenv("_FOCUS_COMPLETE", "bash_complete")
    assert status_request(["status"]) is None


EQUAL_FORMS = (
    [],
    ["--json"],
    ["--all"],
    ["--all", "--json"],
    ["-A", "--json", "--json"],
    ["--file", "{missing}"],
    ["--file", "{missing}", "--json"],
    ["--file={target}", "--json"],
    ["-f", "{empty}"],
    ["-f", "{empty}", "--json"],
)


@pytest.mark.parametrize("form", EQUAL_FORMS)
def test_fast_path_and_typer_answer_alike(tmp_path: Path, form: list[str]) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "AGENT_FOCUS.md").write_bytes((FOCUS_FIXTURES / "no-final-newline.md").read_bytes())
    (tmp_path / "empty.md").write_text("# nothing here\n", encoding="utf-8")
    names = {"target": "AGENT_FOCUS.md", "missing": "nope.md", "empty": "empty.md"}
    args = ["status", *(arg.format(**names) for arg in form)]
    answers = []
    for switch in ([], ["--typer"]):
        done = subprocess.run(
            [sys.executable, "-c", RUN_SCRIPT, *args, *switch],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "COLUMNS": "100"},
            check=False,
        )
        answers.append((done.returncode, done.stdout, done.stderr))
    assert answers[0] == answers[1]
    assert answers[0][1] or answers[0][2]  # it said something


# The real `focus` script, with the same switch as PROBE to send it through Typer.
RUN_SCRIPT = """
import sys
from agent_focus.cli import app, usage_quick
if sys.argv[-1] == "--typer":
    sys.argv.pop()
    app.status_request = lambda args: None
    usage_quick.usage_request = lambda args: None
sys.argv[0] = "focus"
app.script()
"""


@pytest.mark.parametrize(
    ("args", "fast"),
    [
        (["usage"], True),
        (["usage", "--json"], True),
        (["usage", "--by", "day", "--json"], True),
        (["usage", "--by=model", "--since", "2026-11-01", "--until=2026-11-20", "--json"], True),
        (["usage", "--by", "task", "--by", "session"], True),
        (["usage", "--since", "yesterday"], True),
        (["usage", "--help"], False),
        (["usage", "--by"], False),
        (["usage", "--by", "Day"], False),
        (["usage", "--by", "--json"], False),
        (["usage", "--by="], False),
        (["usage", "--since", "-3d"], False),
        (["usage", "--since", "soon"], False),
        (["usage", "--until", "99999999999d"], False),
        (["usage", "--since", "today", "--until", "yesterday"], False),  # Typer says why
        (["usage", "--source", "local"], False),
        (["usage", "--no-read-logs"], False),
        (["usage", "--jso"], False),
        (["usage", "extra"], False),
        (["usage", "--"], False),
        (["--json", "usage"], False),
    ],
)
def test_only_a_plain_usage_takes_the_fast_path(args: list[str], fast: bool) -> None:
    from agent_focus.cli.usage_quick import usage_request

    assert (usage_request(args) is not None) == fast


def test_the_usage_fast_path_passes_what_typer_would(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent_focus.cli.usage_quick import UsageRequest, usage_request

    assert usage_request(["usage", "--by", "day", "--since=3d", "--json"]) == UsageRequest(
        "day", "3d", None, True
    )
    assert usage_request(["usage"]) == UsageRequest("agent", None, None, False)
    monkeypatch.setenv("_FOCUS_COMPLETE", "bash_complete")
    assert usage_request(["usage"]) is None


USAGE_FORMS = (
    ["--json"],
    ["--by", "day", "--json"],
    ["--by=model"],
    [],
    ["--by", "session", "--since", "2026-03-11", "--until=2026-03-12T06:00", "--json"],
    ["--by", "task", "--since", "3d"],
    ["--since", "soon", "--json"],
    ["--since", "today", "--until", "yesterday", "--json"],
    ["--by", "nope"],
)


@pytest.mark.parametrize("form", USAGE_FORMS)
def test_usage_fast_path_and_typer_answer_alike(tmp_path: Path, form: list[str]) -> None:
    """Each way reads the trap fixtures into its own fresh journal, then once more with
    nothing new: the same bytes, the same exit, and Typer loaded only where it must be."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    logs = Path(__file__).parent / "fixtures" / "agent_logs"
    base = {**os.environ, "COLUMNS": "100", "TZ": "UTC"}
    base |= {"CLAUDE_CONFIG_DIR": str(logs / "claude"), "CODEX_HOME": str(logs / "codex")}
    answers = []
    for switch in ([], ["--typer"]):
        env = base | {"FOCUS_STATE_DIR": str(tmp_path / f"state{switch}")}
        runs = []
        for _ in range(2):  # a first read, then nothing new
            done = subprocess.run(
                [sys.executable, "-c", RUN_SCRIPT, "usage", *form, *switch],
                capture_output=True,
                text=True,
                cwd=tmp_path,
                env=env,
                check=False,
            )
            runs.append((done.returncode, done.stdout, done.stderr))
        answers.append(runs)
    assert answers[0] == answers[1]
    assert answers[0][0][1] or answers[0][0][2]  # it said something


USAGE_PROBE = """
import sys
from agent_focus.cli import app
sys.argv = ["focus", *sys.argv[1:]]
try:
    app.main()
except SystemExit:
    pass
print("TYPER=" + str("typer" in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("form", "typer"),
    [(["--by", "day", "--json"], False), ([], False), (["--since", "soon"], True)],
)
def test_a_plain_usage_loads_no_typer(tmp_path: Path, form: list[str], typer: bool) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    env = {**os.environ, "FOCUS_STATE_DIR": str(tmp_path / "state")}
    env |= {"CLAUDE_CONFIG_DIR": str(tmp_path / "none"), "CODEX_HOME": str(tmp_path / "none")}
    done = subprocess.run(
        [sys.executable, "-c", USAGE_PROBE, "usage", *form],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert f"TYPER={typer}" in done.stderr


MODULES_PROBE = """
import json, sys
from agent_focus.cli import app
sys.argv = ["focus", *sys.argv[1:]]
try:
    app.main()
except SystemExit:
    pass
print("MODULES=" + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_a_warm_usage_by_day_loads_only_what_it_needs(tmp_path: Path) -> None:
    """With nothing new to read and a key that needs no worktree, `focus usage` imports no
    worktree or event code, no parser, and none of the standard library it has no use for
    (dataclasses and inspect, statistics, difflib, hashlib): a warm run is mostly imports."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    logs = tmp_path / "claude" / "projects" / "p"
    logs.mkdir(parents=True)
    call = {
        "cwd": str(tmp_path), "sessionId": "s1", "type": "assistant", "requestId": "r1",
        "timestamp": "2026-11-20T10:00:00.000Z", "message": {"id": "m1", "model": "claude-sonnet-4-5-20250929",
        "usage": {"input_tokens": 10, "output_tokens": 5}},
    }  # fmt: skip
    (logs / "s1.jsonl").write_text(json.dumps(call, separators=(",", ":")) + "\n")
    env = {**os.environ, "FOCUS_STATE_DIR": str(tmp_path / "state")}
    env |= {"CLAUDE_CONFIG_DIR": str(tmp_path / "claude"), "CODEX_HOME": str(tmp_path / "none")}

    def modules(*code: str) -> set[str]:
        done = subprocess.run(
            [sys.executable, "-c", *code], capture_output=True, text=True, cwd=tmp_path, env=env
        )
        assert done.returncode == 0, done.stderr
        return set(json.loads(done.stderr.rsplit("MODULES=", 1)[1]))

    at_start = modules("import json, sys; print('MODULES=' + json.dumps(sorted(sys.modules)), file=sys.stderr)")  # fmt: skip
    cold = modules(MODULES_PROBE, "usage", "--by", "day", "--json")
    assert "agent_focus.ingest.readers" in cold  # the first run read the log
    warm = modules(MODULES_PROBE, "usage", "--by", "day", "--json") - at_start
    unwanted = {"dataclasses", "inspect", "statistics", "difflib", "hashlib", "typer", "rich"}
    assert sorted(warm & unwanted) == []
    ours = (
        "agent_focus.readers.worktrees",
        "agent_focus.readers.git",
        "agent_focus.journal.events",
    )
    ours += ("agent_focus.ingest.readers", "agent_focus.ingest.dedupe", "agent_focus.config")
    assert sorted(m for m in warm if m.startswith(ours)) == []
