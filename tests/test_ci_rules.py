"""Under CI=true a missing test dependency fails the run; on a user's machine it skips.

Checked for real: pytest runs tests/test_mcp.py in a subprocess where ``import mcp`` fails
(a stand-in package that raises ImportError shadows the installed SDK).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


def run_mcp_tests(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    shadow = tmp_path / "shadow"
    (shadow / "mcp").mkdir(parents=True)
    (shadow / "mcp" / "__init__.py").write_text('raise ImportError("no MCP SDK here")\n')
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(shadow), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_mcp.py"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_ci_a_missing_mcp_sdk_skips(tmp_path: Path) -> None:
    done = run_mcp_tests(tmp_path, None)
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: every test skipped
    assert "1 skipped" in done.stdout and "MCP SDK" in done.stdout


@pytest.mark.parametrize("ci", ["true", "1"])
def test_under_ci_a_missing_mcp_sdk_fails(tmp_path: Path, ci: str) -> None:
    done = run_mcp_tests(tmp_path, ci)
    assert done.returncode not in (0, 5), done.stdout + done.stderr
    assert "CI must have this: the MCP SDK" in done.stdout
    assert "skipped" not in done.stdout
