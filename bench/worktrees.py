"""`focus status --all` over many worktrees (issue 5: 50 worktrees under 1 s, growing linearly).

    python bench/worktrees.py [--runs 10]

Builds a repository with 10, 25 and 50 linked worktrees, each with a focus file written by
`focus init`, and times the real CLI from one of them (medians of interleaved runs).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import EXAMPLE, focus_command, interleaved, run_quiet


def build(base: Path, count: int) -> Path:
    from agent_focus.actions.init import init_agent

    main = base / f"main-{count}"
    main.mkdir(parents=True)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@localhost",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@localhost",
    }
    strategy = EXAMPLE.parent / "AI_JOB_STRATEGY.md"
    (main / "AI_JOB_STRATEGY.md").write_bytes(strategy.read_bytes())
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "s"]):
        subprocess.run(["git", *args], cwd=main, check=True, env=env)
    for n in range(1, count + 1):
        tree = base / f"wt-{count}-{n:02d}"
        subprocess.run(
            ["git", "worktree", "add", "-q", "-b", f"a{n}", str(tree)],
            cwd=main,
            check=True,
            env=env,
        )
        init_agent(
            f"A{(n - 1) % 4 + 1}", tree / "AGENT_FOCUS.md", tree, tree / "AI_JOB_STRATEGY.md"
        )
    return main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="focus-bench-wt-"))
    sizes = (10, 25, 50)
    mains = {size: build(base, size) for size in sizes}
    focus = focus_command()

    def status_all(size: int) -> None:
        os.chdir(mains[size])
        run_quiet([*focus, "status", "--all", "--json"])

    medians = interleaved(
        {f"{size}": (lambda size=size: status_all(size)) for size in sizes}, args.runs
    )
    print(
        f"{args.runs} interleaved runs, medians\n\n| worktrees | `focus status --all --json` | per worktree |\n|---|---|---|"
    )
    for size in sizes:
        value = medians[str(size)]
        print(f"| {size} | {value * 1000:.0f} ms | {value * 1000 / size:.1f} ms |")


if __name__ == "__main__":
    main()
