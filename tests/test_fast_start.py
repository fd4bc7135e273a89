"""Invariant 5: `focus status` and `focus complete` load no LLM SDK, MLflow, Prometheus or git."""

from __future__ import annotations

import json
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
from agent_focus.cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
sys.stdout = sys.__stdout__
print("\\nMODULES=" + json.dumps(sorted(sys.modules)))
"""


# Our own modules that pull in the heavy ones, or that a reading command has no use for.
OURS = ("agent_focus.planner", "agent_focus.actions", "agent_focus.metrics", "agent_focus.config")


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "--json"],
        ["status", "--all"],
        ["status", "--all", "--json"],
        ["agents"],
        ["agents", "--json"],
        ["complete", "Alpha"],
    ],
)
def test_command_loads_no_heavy_module(tmp_path: Path, args: list[str]) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)  # `--all` lists worktrees
    target = tmp_path / "AGENT_FOCUS.md"
    target.write_bytes((FOCUS_FIXTURES / "no-final-newline.md").read_bytes())
    file_args = [] if args[0] == "agents" else ["--file", str(target)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps([*args, *file_args])],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    modules = json.loads(done.stdout.rsplit("MODULES=", 1)[1])
    # The probe really ran the command: the focus file was parsed.
    assert "agent_focus.cli" in modules and "agent_focus.focusfile.parse" in modules
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded == []
    if args[0] != "complete":  # `complete` is an action: it may load actions.complete
        assert sorted(m for m in modules if m.startswith(OURS)) == []
