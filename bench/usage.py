"""`focus usage` against ccusage 20.0.24 on the same generated corpus of agent logs.

    python bench/usage.py                        # 300MB and 1GB, 5 interleaved rounds each
    python bench/usage.py --sizes 300MB --rounds 3
    python bench/usage.py --focus /path/to/venv/bin/focus
    python bench/usage.py --dev                  # this checkout under this python instead
    python bench/usage.py --baseline /path/to/old-venv/bin/focus   # and an older build, A/B

The corpus comes from bench/agent_logs_corpus.py and is kept under --cache, keyed by size and
seed, so a rerun reuses it. ccusage 20.0.24 is installed with npm into --ccusage-prefix when it
is not there yet, and its native binary is called directly (no node launcher).

Each round runs, in turn: ccusage's unified `daily --json --offline`; `focus usage --by day
--json` cold (a fresh, empty FOCUS_STATE_DIR); and warm (the state dir of that cold run, with
nothing new to read). Every child gets only PATH, an empty HOME, CLAUDE_CONFIG_DIR, CODEX_HOME
and TZ=UTC (plus PYTHONPATH for `--dev`), so both read the corpus and nothing else. Wall time is
taken around the child, peak RSS from the child's own resource usage (os.wait4). The totals
of every run are compared: tokens must be equal, dollars within 0.5%.

Without --focus, focus is the `focus` script of a clean venv holding this checkout (a plain,
non-editable install of it and its runtime dependencies, no dev extra: bench/startup.py's
``ensure_venv``, rebuilt when the source changes), which is what a user runs. The dev
environment's site-packages has path hooks that cost a bare interpreter tens of
milliseconds, more than a warm run has to spend. `--dev` runs `python -m agent_focus` from
this checkout (PYTHONPATH=src) under this interpreter instead.

`--baseline PATH` adds another focus executable (an older build in a venv of its own) to every
round, cold and warm, in the same interleaving: a change is measured against its baseline and
ccusage in one run, not across runs minutes apart on a machine whose speed drifts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.startup import DEFAULT_VENV, ensure_venv

REPO = Path(__file__).resolve().parent.parent
CCUSAGE_VERSION = "20.0.24"
# ours -> ccusage's unified daily fields (as tests/test_ccusage_parity.py maps them)
FIELDS = {
    "input_tokens": "inputTokens",
    "output_tokens": "outputTokens",
    "cache_write_tokens": "cacheCreationTokens",
    "cached_tokens": "cacheReadTokens",
    "total_tokens": "totalTokens",
}
DOLLAR_TOLERANCE = 0.005


@dataclass
class Run:
    wall: float  # seconds
    rss: int  # peak resident set, bytes
    cpu: float  # user + system seconds of the child and the children it waited for
    output: Any


@dataclass
class Samples:
    runs: list[Run] = field(default_factory=list)

    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    def rss(self) -> float:
        return statistics.median(r.rss for r in self.runs)

    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)


def corpus(cache: Path, size: str, seed: int) -> Path:
    """The corpus of that size and seed, generated once."""
    folder = cache / f"corpus-{size}-seed{seed}"
    if not folder.is_dir():
        partial = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(partial, ignore_errors=True)
        script = REPO / "bench" / "agent_logs_corpus.py"
        command = [sys.executable, str(script), "--out", str(partial), "--size", size]
        subprocess.run([*command, "--seed", str(seed)], check=True)
        partial.rename(folder)
    return folder


def ccusage_binary(prefix: Path) -> Path:
    """ccusage's native binary, installed into ``prefix`` by npm when missing."""
    binary = prefix / "node_modules" / "@ccusage" / "ccusage-linux-x64" / "bin" / "ccusage"
    manifest = prefix / "node_modules" / "ccusage" / "package.json"
    installed = manifest.exists() and json.loads(manifest.read_text())["version"]
    if installed != CCUSAGE_VERSION or not binary.exists():
        subprocess.run(
            ["npm", "install", "--no-save", "--prefix", str(prefix), f"ccusage@{CCUSAGE_VERSION}"],
            check=True,
        )
    binary.chmod(0o755)  # npm leaves it 0644
    return binary


def run_child(command: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Wall time and peak RSS of one child, and its JSON output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{command[0]} failed ({child.returncode}): {err.read().decode()}")
        cpu = usage.ru_utime + usage.ru_stime
        return Run(wall, usage.ru_maxrss * 1024, cpu, json.loads(out.read()))


def warm_page_cache(folder: Path) -> None:
    """Read every log once, so the first timed run does not pay for the disk."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                while handle.read(16 << 20):
                    pass


def check_totals(ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    """'ok' or what differs: tokens exactly, dollars within 0.5%, per day and in total."""
    problems = []
    total = ours["total"]
    for mine, other in FIELDS.items():
        if total[mine] != theirs["totals"][other]:
            problems.append(f"total {mine} {total[mine]} != {theirs['totals'][other]}")
    cost, their_cost = total["cost_usd"] or 0.0, theirs["totals"]["totalCost"]
    if abs(cost - their_cost) > DOLLAR_TOLERANCE * abs(their_cost):
        problems.append(f"total cost {cost} vs {their_cost}")
    days = {row["day"]: row for row in ours["rows"]}
    their_days = {row["period"]: row for row in theirs["daily"]}
    if sorted(days) != sorted(their_days):
        problems.append(f"days differ: {len(days)} vs {len(their_days)}")
    for day in sorted(set(days) & set(their_days)):
        if any(days[day][mine] != their_days[day][other] for mine, other in FIELDS.items()):
            problems.append(f"{day} tokens differ")
    return "ok" if not problems else "; ".join(problems[:5])


def bench_size(
    size: str,
    folder: Path,
    binary: Path,
    focus: list[str],
    rounds: int,
    scratch: Path,
    focus_extra: dict[str, str],
    baseline: str | None = None,
) -> dict[str, Any]:
    home = scratch / "home"
    home.mkdir(exist_ok=True)
    base = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "CLAUDE_CONFIG_DIR": str(folder / "claude"),
        "CODEX_HOME": str(folder / "codex"),
        "TZ": "UTC",
    }
    focus_env = base | focus_extra
    ccusage_cmd = [str(binary), "daily", "--json", "--offline"]
    focus_cmd = [*focus, "usage", "--by", "day", "--json"]
    samples = {"ccusage": Samples(), "cold": Samples(), "warm": Samples()}
    if baseline:
        samples |= {"baseline cold": Samples(), "baseline warm": Samples()}
    checks: list[str] = []
    warm_page_cache(folder)
    for index in range(rounds):
        state = scratch / f"state-{size}-{index}"
        shutil.rmtree(state, ignore_errors=True)
        env = focus_env | {"FOCUS_STATE_DIR": str(state)}
        steps: list[tuple[str, Callable[[], Run]]] = [
            ("ccusage", partial(run_child, ccusage_cmd, base, home)),
            ("cold", partial(run_child, focus_cmd, env, home)),
            ("warm", partial(run_child, focus_cmd, env, home)),
        ]
        if baseline:
            old = scratch / f"baseline-{size}-{index}"
            shutil.rmtree(old, ignore_errors=True)
            old_env = focus_env | {"FOCUS_STATE_DIR": str(old)}
            old_cmd = [baseline, *focus_cmd[len(focus) :]]
            steps += [
                ("baseline cold", partial(run_child, old_cmd, old_env, home)),
                ("baseline warm", partial(run_child, old_cmd, old_env, home)),
            ]
        # Who goes first turns with each round (warm always right after its own cold run).
        groups = [steps[0:1], steps[1:3], *([steps[3:5]] if baseline else [])]
        turn = index % len(groups)
        steps = [step for group in groups[turn:] + groups[:turn] for step in group]
        for name, step in steps:
            result = step()
            samples[name].runs.append(result)
            print(f"  {size} round {index + 1}: {name} {result.wall:.3f} s, "
                  f"{result.cpu:.3f} s CPU, {result.rss / 2**20:.0f} MiB", file=sys.stderr)  # fmt: skip
        shutil.rmtree(state, ignore_errors=True)
        if baseline:
            shutil.rmtree(old, ignore_errors=True)
    reference = samples["ccusage"].runs[-1].output
    for name in [name for name in samples if name != "ccusage"]:
        for run in samples[name].runs:
            checks.append(check_totals(run.output, reference))
    return {"samples": samples, "checks": checks, "reference": reference}


def mib(value: float) -> str:
    return f"{value / 2**20:.0f} MiB"


def table(size: str, folder: Path, result: dict[str, Any]) -> str:
    samples: dict[str, Samples] = result["samples"]
    base_wall, base_rss = samples["ccusage"].wall(), samples["ccusage"].rss()
    base_cpu = samples["ccusage"].cpu()
    real = sum(f.stat().st_size for f in folder.rglob("*.jsonl"))
    lines = [
        f"**{size}** ({real / 1e6:.0f} MB of logs, {len(samples['cold'].runs)} rounds)",
        "",
        "| run | median wall | ratio to ccusage | median CPU | CPU ratio | median peak RSS | RSS ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, label in (
        ("ccusage", f"`ccusage daily --json --offline` ({CCUSAGE_VERSION}, native)"),
        ("cold", "`focus usage --by day --json`, cold (empty journal)"),
        ("warm", "`focus usage --by day --json`, warm (nothing new)"),
        ("baseline cold", "the baseline (`--baseline`), cold"),
        ("baseline warm", "the baseline (`--baseline`), warm"),
    ):
        if name not in samples:
            continue
        wall, rss, cpu = samples[name].wall(), samples[name].rss(), samples[name].cpu()
        lines.append(
            f"| {label} | {wall:.3f} s | {wall / base_wall:.3f}x | {cpu:.3f} s |"
            f" {cpu / base_cpu:.3f}x | {mib(rss)} | {rss / base_rss:.2f}x |"
        )
    checks = result["checks"]
    bad = [c for c in checks if c != "ok"]
    totals = result["reference"]["totals"]
    verdict = "identical tokens, dollars within 0.5%" if not bad else f"MISMATCH: {bad[0]}"
    lines += [
        "",
        f"Totals ({len(checks)} focus runs checked against ccusage): {verdict}. ccusage: "
        f"{totals['totalTokens']:,} tokens, ${totals['totalCost']:,.2f}; focus: "
        f"{samples['cold'].runs[-1].output['total']['total_tokens']:,} tokens, "
        f"${samples['cold'].runs[-1].output['total']['cost_usd']:,.2f}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300MB,1GB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/agent-focus-bench"))
    parser.add_argument("--ccusage-prefix", type=Path, default=Path("/tmp/ccu"))
    parser.add_argument("--focus", help="a focus executable (default: a clean venv's, see --venv)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"default {DEFAULT_VENV}")
    parser.add_argument(
        "--dev", action="store_true", help="python -m agent_focus from this checkout instead"
    )
    parser.add_argument(
        "--baseline", help="another focus executable, run cold and warm in every round too"
    )
    args = parser.parse_args()
    focus_extra: dict[str, str] = {}  # what focus gets besides the corpus' environment
    if args.focus:
        focus = [args.focus]
    elif not args.dev:
        ensure_venv(args.venv)
        focus = [str(args.venv / "bin" / "focus")]
    else:
        focus = [sys.executable, "-m", "agent_focus"]
        paths = [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        focus_extra["PYTHONPATH"] = os.pathsep.join(paths)
    args.cache.mkdir(parents=True, exist_ok=True)
    binary = ccusage_binary(args.ccusage_prefix)
    print(
        f"{date.today()}, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()}; focus: {' '.join(focus)}"
        + (f"; baseline: {args.baseline}" if args.baseline else "")
        + "\n"
    )
    with tempfile.TemporaryDirectory(prefix="focus-usage-bench-") as scratch:
        for size in args.sizes.split(","):
            folder = corpus(args.cache, size, args.seed)
            result = bench_size(
                size, folder, binary, focus, args.rounds, Path(scratch), focus_extra, args.baseline
            )
            print(table(size, folder, result) + "\n", flush=True)


if __name__ == "__main__":
    main()
