"""A test run an agent made, read from its shell command and output: which runner, how many
passed, failed and skipped, and how long it took.

Runners: pytest, go test, cargo test, npm/pnpm/yarn test, jest and vitest. Each summary line
is recognised by its own shape; an unrecognised output of a test command still counts as a
run, with unknown figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

COMMAND = re.compile(
    r"(?:^|[\s;&|(])(?:"
    r"(?:python3?\s+-m\s+)?pytest|py\.test|go\s+test|cargo\s+(?:test|nextest)|"
    r"(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test|npx\s+(?:jest|vitest)|jest|vitest"
    r")(?:\s|$)"
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected)")
_SECONDS = re.compile(r"in ([\d.]+)\s*s")


@dataclass(frozen=True)
class TestRun:
    runner: str
    passed: int | None
    failed: int | None
    skipped: int | None
    duration_s: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "runner": self.runner, "passed": self.passed, "failed": self.failed,
            "skipped": self.skipped, "duration_s": self.duration_s,
        }  # fmt: skip


def runs_tests(command: str) -> bool:
    """Whether a shell command runs a test suite."""
    return bool(COMMAND.search(command))


def _runner(command: str) -> str:
    for name in ("pytest", "go test", "cargo", "vitest", "jest", "npm", "pnpm", "yarn", "bun"):
        if name in command:
            return {"cargo": "cargo test"}.get(name, name)
    return "tests"


def _pytest(text: str) -> TestRun | None:
    lines = [line for line in text.splitlines() if _COUNT.search(line) and " in " in line]
    if not lines:
        return None
    summary = lines[-1]
    counts = {kind: int(n) for n, kind in _COUNT.findall(summary)}
    seconds = _SECONDS.search(summary)
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
    return TestRun(
        "pytest", counts.get("passed", 0), failed, counts.get("skipped", 0),
        float(seconds.group(1)) if seconds else None,
    )  # fmt: skip


def _cargo(text: str) -> TestRun | None:
    found = re.findall(
        r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored.*?finished in ([\d.]+)s",
        text,
    )
    if not found:
        return None
    return TestRun(
        "cargo test", sum(int(f[0]) for f in found), sum(int(f[1]) for f in found),
        sum(int(f[2]) for f in found), round(sum(float(f[3]) for f in found), 3),
    )  # fmt: skip


def _go(text: str) -> TestRun | None:
    passed = len(re.findall(r"^\s*--- PASS", text, re.M))
    failed = len(re.findall(r"^\s*--- FAIL", text, re.M))
    skipped = len(re.findall(r"^\s*--- SKIP", text, re.M))
    packages = re.findall(r"^(ok|FAIL)\s+\S+\s+([\d.]+)s", text, re.M)
    if not (packages or passed or failed):
        return None
    if not (passed or failed):  # without -v, go test names packages only
        failing = sum(1 for state, _ in packages if state == "FAIL")
        return TestRun("go test", None, failing or 0, None, _total(packages))
    return TestRun("go test", passed, failed, skipped, _total(packages))


def _total(packages: list[tuple[str, str]]) -> float | None:
    return round(sum(float(s) for _, s in packages), 3) if packages else None


def _jest_vitest(text: str) -> TestRun | None:
    line = re.search(r"^\s*Tests:?\s+(.*)$", text, re.M)
    if not line:
        return None
    counts = {
        kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|skipped|todo)", line.group(1))
    }
    duration = re.search(r"^\s*(?:Time|Duration):?\s+([\d.]+)\s*(ms|s)", text, re.M)
    seconds = None
    if duration:
        seconds = float(duration.group(1)) / (1000 if duration.group(2) == "ms" else 1)
    runner = "vitest" if "Duration" in text or "vitest" in text.lower() else "jest"
    return TestRun(runner, counts.get("passed", 0), counts.get("failed", 0), counts.get("skipped", 0), seconds)  # fmt: skip


def parse_test_output(command: str, output: str) -> TestRun:
    """The figures of a test run; unknown (None) ones when the output has no summary."""
    text = _ANSI.sub("", output)
    for parse in (_cargo, _go, _jest_vitest, _pytest):
        found = parse(text)
        if found is not None:
            return found
    return TestRun(_runner(command), None, None, None, None)
