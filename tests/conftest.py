"""Shared fixtures: real git repositories in tmp dirs, and the real `focus` CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FOCUS_FIXTURES = FIXTURES / "focusfiles"
REPO_ROOT = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's own focus file, strategy, agent or git settings."""
    for name in ("FOCUS_FILE", "FOCUS_STRATEGY", "AGENT_ID", "FOCUS_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    gitconfig = tmp_path_factory.mktemp("home") / "gitconfig"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    gitconfig.write_text(
        "[user]\n\tname = Focus Test\n\temail = test@localhost\n[init]\n\tdefaultBranch = main\n"
    )


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh git repository with one commit, holding the example strategy."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "AI_JOB_STRATEGY.md").write_bytes((REPO_ROOT / "AI_JOB_STRATEGY.md").read_bytes())
    git(root, "add", "-A")
    git(root, "commit", "-qm", "strategy")
    return root


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


FocusRunner = Callable[..., Result]


@pytest.fixture
def focus() -> FocusRunner:
    """Run the real `focus` CLI in a subprocess: ``focus("status", "--json", cwd=path)``."""

    def run(
        *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
    ) -> Result:
        full_env = {**os.environ, **(env or {})}
        done = subprocess.run(
            [sys.executable, "-m", "agent_focus", *args],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


def skip_unless_ci(reason: str) -> None:
    """Skip on a user's machine that lacks something; under CI=true a lack is a failure."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must have this: {reason}")
    pytest.skip(reason)
