"""Start-up of `focus`, measured from a clean install of the runtime dependencies.

    python3 bench/startup.py               # build or reuse the venv, then time
    python3 bench/startup.py --runs 40     # steadier medians
    python3 bench/startup.py --importtime  # also: where `focus status` spends its imports
    python3 bench/startup.py --backlog DIR # also time Backlog.md (`DIR/bin/backlog`)

The dev environment is no place to time a start: its site-packages holds path hooks (a
sandbox `.pth` that imports certifi, the editable install's finder) that make a bare
`python -c pass` 36 ms instead of 8 ms. So this script builds a virtualenv of its own
(`python3 -m venv`, then a plain, non-editable `pip install` of this checkout, no dev extra)
under the cache folder, reuses it while the checkout's `pyproject.toml` and `src/` are
unchanged (a changed `src/` only reinstalls our own package), and times, interleaved, the
venv's bare interpreter and `focus` on the example workspace (the repo's AGENT_FOCUS.md in
a temporary git repository). Ratios are against that bare interpreter.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import EXAMPLE, REPO

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agent-focus"
# One venv per checkout: worktrees side by side must not reinstall each other's code mid-run.
DEFAULT_VENV = CACHE / f"bench-venv-{hashlib.sha256(str(REPO).encode()).hexdigest()[:8]}"
STAMP = "agent-focus-bench.json"


def _digest(checkout: Path, paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(checkout)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _source_files(checkout: Path) -> list[Path]:
    found = (checkout / "src").rglob("*")
    return [p for p in found if p.is_file() and "__pycache__" not in p.parts]


def clean_env() -> dict[str, str]:
    """The environment a user's shell would have: none of our dev settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FOCUS_"))}
    env.pop("VIRTUAL_ENV", None)
    env.pop("AGENT_ID", None)
    return env


def ensure_venv(venv: Path, checkout: Path = REPO) -> Path:
    """The venv's python, with ``checkout`` installed as a user would (not editable)."""
    python = venv / "bin" / "python"
    wanted = {
        "python": sys.version,
        "dependencies": _digest(checkout, [checkout / "pyproject.toml"]),
        "source": _digest(checkout, _source_files(checkout)),
    }
    stamp_path = venv / STAMP
    stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else {}
    env = clean_env()
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not python.exists() or stamp.get("python") != wanted["python"]:
        shutil.rmtree(venv, ignore_errors=True)
        print(f"building {venv} (a few minutes, once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
        stamp = {}
    if stamp.get("dependencies") != wanted["dependencies"]:
        print("installing the runtime dependencies of agent-focus", file=sys.stderr)
        subprocess.run([*pip, str(checkout)], check=True, env=env)
        stamp.pop("source", None)  # and our own package, fresh, below
    if stamp.get("source") != wanted["source"]:
        print("reinstalling agent-focus (source changed)", file=sys.stderr)
        reinstall = [*pip, "--no-deps", "--force-reinstall", str(checkout)]
        subprocess.run(reinstall, check=True, env=env)
    stamp_path.write_text(json.dumps(wanted))
    return python


def ensure_venv_of(ref: str, base: Path) -> Path:
    """A second clean venv holding commit ``ref`` of this repository (for before/after)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    checkout = base / f"checkout-{commit[:10]}"
    checkout.mkdir()
    archive = subprocess.run(
        ["git", "archive", commit], cwd=REPO, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(checkout)], input=archive, check=True)
    venv = DEFAULT_VENV.with_name(f"{DEFAULT_VENV.name}-at-{commit[:10]}")
    ensure_venv(venv, checkout)
    return venv


def example_workspace(base: Path) -> Path:
    """A git repository holding the example focus file and strategy, as a user's worktree."""
    work = base / "wt-a1-mlops"
    work.mkdir()
    for name in ("AGENT_FOCUS.md", "AI_JOB_STRATEGY.md"):
        shutil.copyfile(EXAMPLE.parent / name, work / name)
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    return work


def bench_backlog(prefix: Path, base: Path) -> tuple[list[str], Path] | None:
    """Backlog.md's `backlog task list --plain` on a board of as many tasks as our sprint
    (its npm install: a node launcher and the compiled binary it runs)."""
    backlog = prefix / "bin" / "backlog"
    if not backlog.exists():
        return None
    board = base / "backlog-board"
    board.mkdir()

    def quiet(*command: str) -> None:
        subprocess.run(
            command, cwd=board, check=True, capture_output=True, stdin=subprocess.DEVNULL
        )

    quiet("git", "init", "-q")
    quiet(str(backlog), "init", "bench", "--defaults")
    for title in ("Set up MLflow", "Log the baseline", "Ship an SLO gate", "Record the demo"):
        quiet(str(backlog), "task", "create", title)
    return [str(backlog), "task", "list", "--plain"], board


def interleaved_runs(
    commands: dict[str, tuple[list[str], Path]],
    runs: int,
    env: dict[str, str],
    stdin: dict[str, bytes] | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall and CPU (user + system) seconds of each command, run in turn ``runs``
    times after one warm-up round. CPU time is the steadier figure on a busy machine: a
    neighbour's load stretches the wall clock, not the work done."""
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for index in range(runs + 1):
        for name, (command, cwd) in commands.items():
            before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            done = subprocess.run(
                command,
                cwd=cwd,
                env=env,
                capture_output=True,
                input=(stdin or {}).get(name, b""),
                check=False,
            )
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode:
                raise SystemExit(f"{command} exited {done.returncode}: {done.stderr.decode()}")
            if index:  # the first round warms the OS file cache
                wall[name].append(elapsed)
                used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                cpu[name].append(used)
    median = statistics.median
    return (
        {name: median(values) for name, values in wall.items()},
        {name: median(values) for name, values in cpu.items()},
    )


def import_profile(python: Path, work: Path, args: list[str], top: int) -> str:
    """The slowest top-level imports (cumulative microseconds) of one `focus` command."""
    done = subprocess.run(
        [str(python), "-X", "importtime", "-c", "from agent_focus.cli import main; main()", *args],
        cwd=work,
        capture_output=True,
        text=True,
        env=clean_env(),
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if found and len(found.group(3)) <= 3:  # top-level and their direct children
            rows.append((int(found.group(2)), found.group(3) + found.group(4)))
    total = sum(us for us, name in rows if not name.startswith("  "))
    lines = [f"{'  '.join(args)}: {total / 1000:.1f} ms of imports in all"]
    lines += [f"{us / 1000:8.1f} ms {name}" for us, name in sorted(rows, reverse=True)[:top]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20, help="timed rounds (default 20)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"default {DEFAULT_VENV}")
    parser.add_argument("--importtime", action="store_true", help="print import profiles too")
    parser.add_argument(
        "--compare",
        metavar="REF",
        help="also time `focus status` of this commit (its own clean venv), interleaved",
    )
    parser.add_argument(
        "--backlog", type=Path, help="npm prefix holding Backlog.md (`npm i -g --prefix DIR`)"
    )
    args = parser.parse_args()

    python = ensure_venv(args.venv)
    focus = str(args.venv / "bin" / "focus")
    base = Path(tempfile.mkdtemp(prefix="focus-startup-"))
    work = example_workspace(base)
    env = {**clean_env(), "FOCUS_STATE_DIR": str(base / "journal")}  # not the user's journal

    commands = {
        "python -c pass": ([str(python), "-c", "pass"], work),
        "focus status": ([focus, "status"], work),
        "focus status --json": ([focus, "status", "--json"], work),
        "focus status --all": ([focus, "status", "--all"], work),
        "focus agents": ([focus, "agents"], work),
        "focus hook claude (PostToolUse)": ([focus, "hook", "claude"], work),
        "focus statusline": ([focus, "statusline"], work),
    }
    hook_input = {
        "focus hook claude (PostToolUse)": json.dumps(
            {"session_id": "bench", "cwd": str(work), "hook_event_name": "PostToolUse",
             "tool_name": "Bash", "tool_input": {"command": "ls"}, "tool_response": {"stdout": ""}}
        ).encode(),
        "focus statusline": json.dumps(
            {"session_id": "bench", "cwd": str(work), "workspace": {"current_dir": str(work)},
             "model": {"display_name": "Sonnet 4.5"}, "cost": {"total_cost_usd": 0.1}}
        ).encode(),
    }  # fmt: skip
    if args.compare:
        other = str(ensure_venv_of(args.compare, base) / "bin" / "focus")
        commands[f"focus status, at {args.compare}"] = ([other, "status"], work)
        commands[f"focus status --json, at {args.compare}"] = ([other, "status", "--json"], work)
    if args.backlog:
        backlog = bench_backlog(args.backlog, base)
        if backlog:
            commands["backlog task list --plain"] = backlog
        else:
            print(f"no Backlog.md under {args.backlog}", file=sys.stderr)
    wall, cpu = interleaved_runs(commands, args.runs, env, hook_input)
    bare, bare_cpu = wall["python -c pass"], cpu["python -c pass"]
    print(
        f"{date.today()}: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"clean venv {args.venv}; {args.runs} interleaved rounds after one warm-up, medians; "
        "CPU is user + system time\n"
    )
    print("| command | wall, median | ratio to bare | CPU, median | CPU ratio |")
    print("|---|---|---|---|---|")
    for name, value in wall.items():
        print(
            f"| `{name}` | {value * 1000:.1f} ms | {value / bare:.2f}x "
            f"| {cpu[name] * 1000:.1f} ms | {cpu[name] / bare_cpu:.2f}x |"
        )
    worst = max(wall["focus status"], wall["focus status --json"]) / bare
    print(f"\nstatus, the slower form: {worst:.2f}x the bare interpreter (target: at most 8x)")
    if args.importtime:
        for command in (["status"], ["status", "--json"]):
            print("\n" + import_profile(python, work, command, top=15))
    shutil.rmtree(base)


if __name__ == "__main__":
    main()
