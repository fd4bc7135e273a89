"""Benchmarks of agent-focus, with Python's own timing (no extra tools needed).

    python bench/run.py            # all benchmarks, a markdown table on stdout
    python bench/run.py --runs 40  # more runs for steadier medians

Each figure is the median of interleaved runs, so a noisy neighbour slows both sides of a
comparison alike. Results go into docs/performance.md by hand, with the machine they came from.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LARGE = REPO / "tests" / "fixtures" / "focusfiles" / "large-3000.md"
EXAMPLE = REPO / "AGENT_FOCUS.md"


def focus_command() -> list[str]:
    script = shutil.which("focus")
    return [script] if script else [sys.executable, "-m", "agent_focus"]


def run_quiet(command: list[str]) -> None:
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved(
    actions: dict[str, Callable[[], object]], runs: int, setup: Callable[[], None] | None = None
) -> dict[str, float]:
    """Median seconds of each action, running them in turn ``runs`` times (after one warm-up)."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for index in range(runs + 1):
        for name, action in actions.items():
            if setup:
                setup()
            elapsed = timed(action)
            if index:  # the first round warms the OS file cache
                samples[name].append(elapsed)
    return {name: statistics.median(values) for name, values in samples.items()}


def bench_cold_start(runs: int) -> list[tuple[str, str]]:
    focus = focus_command()
    medians = interleaved(
        {
            "python -c pass": lambda: run_quiet([sys.executable, "-c", "pass"]),
            "focus status": lambda: run_quiet([*focus, "status", "--file", str(EXAMPLE)]),
            "focus status --json": lambda: run_quiet(
                [*focus, "status", "--json", "--file", str(EXAMPLE)]
            ),
        },
        runs,
    )
    base = medians["python -c pass"]
    rows = [
        (name, f"{value * 1000:.1f} ms ({value / base:.2f}x)") for name, value in medians.items()
    ]
    rows.append(("cold start ratio, target at most 8x", f"{medians['focus status'] / base:.2f}x"))
    return rows


def bench_large_file(runs: int) -> list[tuple[str, str]]:
    from agent_focus.focusfile import complete_task, edit_document, read_document

    work = Path(tempfile.mkdtemp(prefix="focus-bench-"))
    os.environ["FOCUS_STATE_DIR"] = str(work / "journal")  # not the user's own journal
    target = work / "AGENT_FOCUS.md"
    focus = focus_command()

    def reset() -> None:
        shutil.copyfile(LARGE, target)

    medians = interleaved(
        {
            "parse 3,000 tasks (in process)": lambda: read_document(target),
            "complete, last open task (in process)": lambda: edit_document(
                target, complete_task("Task 2999", date(2026, 1, 2))
            ),
            "focus complete on 3,000 tasks (process)": lambda: run_quiet(
                [*focus, "complete", "Task 2999", "--file", str(target)]
            ),
            "focus status on 3,000 tasks (process)": lambda: run_quiet(
                [*focus, "status", "--json", "--file", str(target)]
            ),
        },
        runs,
        setup=reset,
    )
    shutil.rmtree(work)
    return [(name, f"{value * 1000:.1f} ms") for name, value in medians.items()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=20, help="timed runs per benchmark (default 20)"
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {args.runs} interleaved runs, medians\n"
    )
    print("| benchmark | median |\n|---|---|")
    for name, value in bench_cold_start(args.runs) + bench_large_file(args.runs):
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
