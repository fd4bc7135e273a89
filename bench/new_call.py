"""`focus usage` right after an agent wrote one call: what a user meets most while agents work.

    python bench/new_call.py                      # 300MB, 10 rounds
    python bench/new_call.py --size 1GB --rounds 5 --baseline /path/to/old-venv/bin/focus

The corpus is bench/usage.py's (bench/agent_logs_corpus.py, kept under --cache). Each focus
executable (this checkout's clean venv, and --baseline when given) first reads the corpus
cold into a state dir of its own (not timed). Then each round, for each executable in turn:
one new assistant call is appended to a log of a second Claude root (CLAUDE_CONFIG_DIR lists
both, as ccusage allows; the corpus is never written), and `focus usage --by day --json` is
timed; then again with nothing new. Every child gets only PATH, an empty HOME, the two roots,
CODEX_HOME, its FOCUS_STATE_DIR and TZ=UTC. Each run's total must count the new calls so far.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.startup import DEFAULT_VENV, ensure_venv
from bench.usage import corpus, run_child


def _call(n: int) -> str:
    entry = {
        "cwd": "/home/dev/proj/wt-a1-mlops", "sessionId": "bench-new-call", "type": "assistant",
        "timestamp": "2026-11-30T12:00:00.000Z", "requestId": f"req_bench_{n}",
        "version": "2.0.55", "message": {
            "id": f"msg_bench_{n}", "model": "claude-sonnet-4-5-20250929", "usage": {
                "input_tokens": 12, "output_tokens": 345, "cache_read_input_tokens": 6789}},
    }  # fmt: skip
    return json.dumps(entry, separators=(",", ":")) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="300MB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/agent-focus-bench"))
    parser.add_argument("--focus", type=Path, help="a focus executable (default: a clean venv's)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--baseline", type=Path, help="another focus executable, A/B")
    args = parser.parse_args()
    logs = corpus(args.cache, args.size, args.seed)
    focus = args.focus or ensure_venv(args.venv).parent / "focus"
    runs = {"this": focus} | ({"baseline": args.baseline} if args.baseline else {})
    scratch = Path(tempfile.mkdtemp(prefix="focus-new-call-"))
    try:
        extra = scratch / "extra" / "projects" / "-home-dev-proj-wt-a1-mlops"
        extra.mkdir(parents=True)
        log = extra / "bench-new-call.jsonl"
        log.write_text("")
        home = scratch / "home"
        home.mkdir()
        envs, calls = {}, {}
        for name in runs:
            envs[name] = {
                "PATH": "/usr/bin:/bin", "HOME": str(home), "TZ": "UTC",
                "CLAUDE_CONFIG_DIR": f"{logs / 'claude'},{scratch / 'extra'}",
                "CODEX_HOME": str(logs / "codex"), "FOCUS_STATE_DIR": str(scratch / name),
            }  # fmt: skip
            cold = run_child([str(runs[name]), "usage", "--by", "day", "--json"], envs[name], home)
            calls[name] = cold.output["total"]["calls"]
        times: dict[str, list[float]] = {f"{n} {k}": [] for n in runs for k in ("new", "none")}
        for number in range(args.rounds):
            with log.open("a") as handle:
                handle.write(_call(number))
            for name, executable in runs.items():
                command = [str(executable), "usage", "--by", "day", "--json"]
                new = run_child(command, envs[name], home)
                none = run_child(command, envs[name], home)
                calls[name] += 1
                for run in (new, none):
                    if run.output["total"]["calls"] != calls[name]:
                        raise SystemExit(f"{name}: {run.output['total']['calls']} calls, not {calls[name]}")  # fmt: skip
                times[f"{name} new"].append(new.wall)
                times[f"{name} none"].append(none.wall)
        print(f"`focus usage --by day --json` on {args.size}, {args.rounds} rounds (median, min):")
        for key, walls in times.items():
            print(f"  {key:>14}: {statistics.median(walls):.3f} s, {min(walls):.3f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
