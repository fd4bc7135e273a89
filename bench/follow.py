"""How soon `focus log --follow` shows another process's event (issue 6: within a second).

    python bench/follow.py [--events 20]

A follower process tails the journal; this process records events one by one and times
how long each takes to appear on the follower's stdout.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import focus_command


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    from agent_focus.journal.events import record_event

    work = Path(tempfile.mkdtemp(prefix="focus-bench-follow-"))
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    folder = work / ".git" / "agent-focus"
    record_event(folder, "init", {}, "A1", "wt")  # the journal exists before the follower starts
    follower = subprocess.Popen(
        [*focus_command(), "log", "--follow", "--json", "--limit", "0"],
        cwd=work,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)  # let it start
    delays = []
    assert follower.stdout is not None
    for n in range(args.events):
        start = time.perf_counter()
        record_event(folder, "complete", {"task": f"t{n}"}, "A2", "wt")
        follower.stdout.readline()
        delays.append(time.perf_counter() - start)
        time.sleep(0.05)
    follower.terminate()
    print(
        f"| `focus log --follow`: event to screen, {args.events} events | median {statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms |"
    )


if __name__ == "__main__":
    main()
