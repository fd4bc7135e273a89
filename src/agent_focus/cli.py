"""The `focus` command line: parse options, call the core, render. Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from agent_focus import __version__
from agent_focus.errors import ExitStatus, FocusError, TaskNotFoundError

app = typer.Typer(
    name="focus",
    help=(
        "Plan the day for AI coding agents working side by side in git worktrees.\n\n"
        "Each worktree has one AGENT_FOCUS.md; `focus` reads it, ticks tasks and reports "
        "progress without touching a byte it does not own."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)

FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file",
        "-f",
        help="Focus file to use. Default: $FOCUS_FILE, else AGENT_FOCUS.md at the worktree root.",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a JSON object on stdout (messages go to stderr).")
]


class _Run:
    """What the error edge needs to know about the command being run."""

    json = False


def _stdout_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _console() -> Any:
    """stdout console; piped output gets room for wide tables instead of 80 columns."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() or os.environ.get("COLUMNS") else Console(width=160)


def _stderr(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"focus {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Plan the day for AI coding agents working side by side in git worktrees."""


@app.command()
def status(
    file: FileOption = None,
    all_agents: Annotated[
        bool, typer.Option("--all", "-A", help="Every agent of this clone, one per worktree.")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Show sprint and portfolio progress: open tasks, and which portfolio files really exist.

    Reading never writes. `--all` reads every worktree of the clone (from any of them);
    with `--json` it prints an array of status objects. Example: `focus status --json | jq .sprint`
    """
    _Run.json = json_out
    if all_agents:
        from agent_focus.workspace import worktree_root
        from agent_focus.worktrees import seats

        found = seats(worktree_root(Path.cwd()) or Path.cwd())
        if json_out:
            _stdout_json([seat.to_json() for seat in found])
            return
        from agent_focus.render_routines import agents_view

        _console().print(agents_view(found))
        return
    from agent_focus.status import load_status
    from agent_focus.workspace import focus_file_path

    report = load_status(focus_file_path(file))
    if json_out:
        _stdout_json(report.to_json())
        return
    from rich.console import Console

    from agent_focus.render import print_to, status_view

    print_to(Console(), status_view(report))


@app.command()
def complete(
    task: Annotated[
        str,
        typer.Argument(
            help="Task title: exact (any case), a unique prefix, a close match, or its number "
            "in `focus status`.",
            show_default=False,
        ),
    ],
    file: FileOption = None,
    json_out: JsonOption = False,
) -> None:
    """Tick a sprint task and stamp it `✅ YYYY-MM-DD`. Only that one line changes.

    Unknown or ambiguous: exit 1, list the candidates, file unchanged.
    Example: `focus complete "Set up MLflow"`
    """
    from agent_focus.tasks import complete as complete_in_file
    from agent_focus.workspace import focus_file_path

    _Run.json = json_out
    path = focus_file_path(file)
    done = complete_in_file(path, task, date.today())
    if json_out:
        _stdout_json(
            {
                "file": str(path),
                "task": done.task.title,
                "line": done.task.line + 1,
                "matched_by": done.how,
                "status": "already_done" if done.already_done else "completed",
                "completed_on": done.completed_on.isoformat(),
            }
        )
    from agent_focus.render import completion_message

    _stderr(completion_message(done))


@app.command()
def init(
    agent: Annotated[
        str, typer.Option("--agent", "-a", help="Agent id as in the strategy: A1, A2, ...")
    ],
    file: FileOption = None,
    strategy: Annotated[
        Path | None,
        typer.Option(
            help="Strategy file. Default: $FOCUS_STRATEGY, else AI_JOB_STRATEGY.md at the "
            "worktree root or the main checkout's root.",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Write AGENT_FOCUS.md and .agent.env for this worktree from AI_JOB_STRATEGY.md.

    Never overwrites an existing focus file. Example: `focus init --agent A1`
    """
    from agent_focus.onboarding import init_agent
    from agent_focus.render import init_message
    from agent_focus.workspace import focus_file_path, root_for, strategy_path

    _Run.json = json_out
    path = focus_file_path(file)
    root = root_for(path)
    result = init_agent(agent, path, root, strategy_path(strategy, root))
    if json_out:
        _stdout_json(
            {
                "file": str(result.focus_file),
                "agent": {
                    "id": result.agent_id,
                    "role": result.agent.target if result.agent else None,
                },
                "wrote_agent_env": result.wrote_env,
                "notes": result.notes,
            }
        )
    _stderr(init_message(result))


AgentOption = Annotated[
    str | None,
    typer.Option(
        "--agent",
        "-a",
        help="Whose metrics and SLOs. Default: $AGENT_ID, else .agent.env; none: every agent's.",
        show_default=False,
    ),
]


@app.command()
def metrics(
    agent: AgentOption = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Only this source (mlflow, prometheus); repeatable."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Show the live metrics, per source: MLflow models and runs, Prometheus queries and SLOs.

    Real data or NO DATA AVAILABLE with the reason and how to start the service; never a
    made-up number. Exit 0 when everything was read, 4 when anything gave no data.
    Sources are set in focus.yaml (MLFLOW_TRACKING_URI and PROMETHEUS_URL override it).
    """
    from agent_focus.config import load_config
    from agent_focus.metrics import run_collectors
    from agent_focus.metrics.model import metrics_exit_status
    from agent_focus.status import resolve_agent
    from agent_focus.workspace import worktree_root

    _Run.json = json_out
    root = worktree_root(Path.cwd()) or Path.cwd()
    config = load_config(root)
    who = resolve_agent(root, agent)
    reports = run_collectors(config, who, source or None)
    if json_out:
        _stdout_json({"agent": who, "sources": [r.to_json() for r in reports]})
    else:
        from rich.console import Console

        from agent_focus.render_metrics import metrics_view

        Console().print(metrics_view(reports, who), highlight=False)
    raise typer.Exit(metrics_exit_status(reports))


@app.command()
def slo(agent: AgentOption = None, json_out: JsonOption = False) -> None:
    """Evaluate the SLOs of focus.yaml against Prometheus: a gate for CI and deploys.

    Exit 0 when all are met, 3 when one is violated, 4 when one has no data.
    Example: `focus slo --json || echo "deploy blocked"`
    """
    from agent_focus.config import load_config
    from agent_focus.metrics.gate import slo_gate
    from agent_focus.status import resolve_agent
    from agent_focus.workspace import worktree_root

    _Run.json = json_out
    root = worktree_root(Path.cwd()) or Path.cwd()
    who = resolve_agent(root, agent)
    gate = slo_gate(root, load_config(root), who)
    reports, code = gate.reports, gate.exit_code
    if json_out:
        slos = [s.to_json() for r in reports for s in r.slos]
        _stdout_json({"agent": who, "exit_code": code, "slos": slos})
    else:
        from rich.console import Console

        from agent_focus.render_metrics import slo_view

        Console().print(slo_view(reports), highlight=False)
    raise typer.Exit(code)


@app.command()
def update(
    file: FileOption = None, agent: AgentOption = None, json_out: JsonOption = False
) -> None:
    """Collect real metrics into Progress Metrics and set portfolio boxes to the real files.

    Rewrites only the body of the Progress Metrics section and the boxes of portfolio items
    whose file appeared or disappeared; every other byte stays. A dead service is written as
    NO DATA AVAILABLE with the reason.
    """
    from agent_focus.config import load_config
    from agent_focus.focus_update import update_focus
    from agent_focus.focusfile import read_document
    from agent_focus.status import resolve_agent
    from agent_focus.workspace import focus_file_path, root_for

    _Run.json = json_out
    path = focus_file_path(file)
    root = root_for(path)
    document = read_document(path)  # a missing or broken file fails before any network work
    who = resolve_agent(root, agent, document)
    outcome = update_focus(path, root, load_config(root), who)
    if json_out:
        _stdout_json(outcome.to_json())
    from agent_focus.render import update_messages

    for line in update_messages(outcome):
        _stderr(line)


@app.command()
def plan(
    file: FileOption = None,
    agent: AgentOption = None,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            "-p",
            help="auto (default: anthropic if ANTHROPIC_API_KEY, else openai if OPENAI_API_KEY or "
            "planner.base_url, else offline), offline, anthropic, openai.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model name; default from focus.yaml.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would be added; write nothing.")
    ] = False,
    fallback: Annotated[
        str | None,
        typer.Option(
            help="Provider to use if the chosen one fails (e.g. offline).", show_default=False
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Plan today's tasks from the strategy, real gaps and recent activity; add them to the sprint.

    New tasks go after the existing ones; every existing line stays byte-identical; open
    tasks never exceed planner.sprint_size; a task like one already there is skipped, so a
    second run adds nothing. Every LLM call is logged (see `focus usage`).
    Example: `focus plan --dry-run`, `focus plan --provider openai --model llama3.1`
    """
    from agent_focus.config import load_config
    from agent_focus.planner.run import plan_sprint
    from agent_focus.workspace import focus_file_path, root_for

    _Run.json = json_out
    path = focus_file_path(file)
    root = root_for(path)
    outcome = plan_sprint(
        path, root, load_config(root), agent=agent, provider_name=provider, model=model,
        dry_run=dry_run, fallback=fallback, today=date.today(),
    )  # fmt: skip
    if json_out:
        _stdout_json(outcome.to_json())
    from agent_focus.render import plan_messages

    for line in plan_messages(outcome):
        _stderr(line)


@app.command()
def sync(
    file: FileOption = None,
    agent: AgentOption = None,
    strategy: Annotated[
        Path | None,
        typer.Option(
            help="Strategy file (default: AI_JOB_STRATEGY.md of the repo).", show_default=False
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show the changes; write nothing.")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Align Identity & Mission, Service Ownership and the portfolio with AI_JOB_STRATEGY.md.

    Updates values the strategy changed and adds what is missing; never removes a line a
    human added and never touches another section. Example: `focus sync --dry-run`
    """
    from agent_focus.strategy_sync import run_sync
    from agent_focus.workspace import focus_file_path, root_for

    _Run.json = json_out
    path = focus_file_path(file)
    result = run_sync(path, root_for(path), agent, strategy, dry_run)
    if json_out:
        _stdout_json(
            {
                "file": str(path),
                "dry_run": dry_run,
                "changes": list(result.changes),
                "missing_sections": list(result.missing_sections),
            }
        )
    verb = "Would change" if dry_run else "Changed"
    _stderr(
        f"{verb} {len(result.changes)} thing(s) in {path}"
        if result.changes
        else f"{path} already matches the strategy"
    )
    for change in result.changes:
        _stderr(f"  {change}")
    for name in result.missing_sections:
        _stderr(f"  no {name} section: add a '## {name}' heading for sync to fill it")


@app.command()
def usage(
    by: Annotated[
        str, typer.Option("--by", help="Group by provider, model, agent or day.")
    ] = "provider",
    source: Annotated[
        str,
        typer.Option(
            help="local: this clone's journal; mlflow: the team's runs on the tracking server."
        ),
    ] = "local",
    json_out: JsonOption = False,
) -> None:
    """What the LLM calls of every agent on this clone cost: calls, tokens, dollars, latency
    (p50, p95), errors; and each agent's effectiveness: tasks planned against completed, and
    the median time from planned to done.

    Read from the shared journal under the git common dir, so any worktree shows all agents.
    """
    from agent_focus.journal.calls import GROUPS, usage_summary
    from agent_focus.workspace import state_dir, worktree_root

    _Run.json = json_out
    if by not in GROUPS:
        raise FocusError(f"--by {by!r}: choose one of {', '.join(GROUPS)}")
    from agent_focus.journal.effectiveness import agent_effectiveness

    root = worktree_root(Path.cwd()) or Path.cwd()
    if source == "mlflow":
        from agent_focus.config import load_config
        from agent_focus.mlflow_mirror import mirrored_usage

        team = mirrored_usage(load_config(root), by)
        if json_out:
            _stdout_json({"by": by, "source": "mlflow", "rows": team})
            return
        from agent_focus.render import mirrored_usage_table

        _console().print(mirrored_usage_table(team, by))
        return
    if source != "local":
        raise FocusError(f"--source {source!r}: choose local or mlflow")
    folder = state_dir(root)
    rows = usage_summary(folder, by)
    effectiveness = agent_effectiveness(folder)
    if json_out:
        _stdout_json({"by": by, "rows": rows, "effectiveness": effectiveness})
        return
    from agent_focus.render import effectiveness_table, usage_table

    console = _console()
    console.print(usage_table(rows, by))
    if effectiveness:
        console.print()
        console.print(effectiveness_table(effectiveness))


agents_app = typer.Typer(
    help="The agents of this clone, one per git worktree.",
    no_args_is_help=False,
    add_completion=False,
)
app.add_typer(agents_app, name="agents")


@agents_app.callback(invoke_without_command=True)
def agents_list(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """List every worktree with its branch, agent, role and progress."""
    if ctx.invoked_subcommand is not None:
        return
    from agent_focus.workspace import worktree_root
    from agent_focus.worktrees import seats

    _Run.json = json_out
    found = seats(worktree_root(Path.cwd()) or Path.cwd(), with_missing=True)
    if json_out:
        _stdout_json([seat.to_json() for seat in found])
        return
    from agent_focus.render_routines import agents_view

    _console().print(agents_view(found))


@agents_app.command("add")
def agents_add(
    agent: Annotated[
        str, typer.Argument(help="Agent id from the strategy: A2", show_default=False)
    ],
    json_out: JsonOption = False,
) -> None:
    """Create the agent's worktree (named in the strategy), its branch, focus file and .agent.env.

    The worktree goes beside the main checkout: `../wt-a2-genai` on branch `agent/a2-genai`.
    """
    from agent_focus.workspace import worktree_root
    from agent_focus.worktrees import add_agent_worktree

    _Run.json = json_out
    root = worktree_root(Path.cwd())
    if root is None:
        raise FocusError("not inside a git repository: run `git init` first", path=Path.cwd())
    seat = add_agent_worktree(root, agent)
    if json_out:
        _stdout_json(
            {
                "worktree": str(seat.path),
                "branch": seat.branch,
                "created_branch": seat.created_branch,
                "agent": seat.init.agent_id,
            }
        )
    _stderr(
        f"Created worktree {seat.path} on branch {seat.branch}"
        + (" (new)" if seat.created_branch else "")
    )
    _stderr(f"Wrote {seat.init.focus_file.name} and .agent.env for {seat.init.agent_id}")
    _stderr(f"Next: cd {seat.path} && focus morning")


@app.command()
def morning(
    file: FileOption = None,
    agent: AgentOption = None,
    provider: Annotated[
        str | None,
        typer.Option("--provider", "-p", help="Planner provider (default: focus.yaml, else auto)."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """The morning routine (`just ai-morning`): update metrics and portfolio boxes, recap
    yesterday (ticks and commits), plan today, and show the day.

    A dead service or a missing key is reported and the routine goes on (offline planning).
    """
    from agent_focus.config import load_config
    from agent_focus.routines import morning as run_morning
    from agent_focus.workspace import focus_file_path, root_for

    _Run.json = json_out
    path = focus_file_path(file)
    root = root_for(path)
    day = run_morning(path, root, load_config(root), agent, provider, date.today())
    if json_out:
        _stdout_json(day.to_json())
        return
    from agent_focus.render_routines import morning_view

    _console().print(morning_view(day), highlight=False)


@app.command()
def evening(
    file: FileOption = None,
    agent: AgentOption = None,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Update and report; do not commit.")
    ] = False,
    push: Annotated[bool, typer.Option("--push", help="Push after committing.")] = False,
    json_out: JsonOption = False,
) -> None:
    """The evening routine (`just ai-evening`): update, commit AGENT_FOCUS.md alone with a
    message naming what was completed today, and show the job-application status.

    Only the focus file is committed, whatever else is staged; never .agent.env.
    """
    from agent_focus.config import load_config
    from agent_focus.routines import evening as run_evening
    from agent_focus.workspace import focus_file_path, root_for

    _Run.json = json_out
    path = focus_file_path(file)
    root = root_for(path)
    day = run_evening(
        path, root, load_config(root), agent, commit=not no_commit, push=push, today=date.today()
    )
    if json_out:
        _stdout_json(day.to_json())
    else:
        from agent_focus.render_routines import evening_view

        _console().print(evening_view(day), highlight=False)
    if day.commit is not None and day.commit.pushed is False:
        raise typer.Exit(int(ExitStatus.ERROR))


@app.command()
def brief(file: FileOption = None, json_out: JsonOption = False) -> None:
    """The text to paste into a new coding-agent session in this worktree: who it is, today's
    tasks, the portfolio gaps and the commands it may use. Example: `focus brief | pbcopy`"""
    from agent_focus.brief import build_brief
    from agent_focus.workspace import focus_file_path

    _Run.json = json_out
    agent_id, text = build_brief(focus_file_path(file))
    if json_out:
        _stdout_json({"agent": agent_id, "text": text})
        return
    sys.stdout.write(text)


def _parse_since(text: str | None) -> Any:
    """`--since`: 30m, 2h, 3d, today, yesterday, or an ISO date or time."""
    import re
    from datetime import datetime, timedelta

    if not text:
        return None
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if text in ("today", "yesterday"):
        return midnight - timedelta(days=1 if text == "yesterday" else 0)
    match = re.fullmatch(r"(\d+)([mhd])", text)
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return now - timedelta(**{unit: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FocusError(
            f"--since {text!r}: use 30m, 2h, 3d, today, yesterday or an ISO date"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


@app.command()
def log(
    follow: Annotated[
        bool, typer.Option("--follow", "-F", help="Keep printing new events as they happen.")
    ] = False,
    agent: Annotated[
        str | None, typer.Option("--agent", "-a", help="Only this agent.", show_default=False)
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="From when: 30m, 2h, 3d, today, yesterday, 2026-11-20.", show_default=False
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", help="How many past events to show (0: none, only new ones).", min=0
        ),
    ] = 30,
    json_out: Annotated[
        bool, typer.Option("--json", help="JSON: an array; with --follow, one object per line.")
    ] = False,
) -> None:
    """The activity of every agent on this clone: plans, ticks, syncs, updates, SLO results,
    evening commits. `--follow` shows other worktrees' events live (Ctrl-C to stop)."""
    from agent_focus.journal.events import describe, latest_id, read_events
    from agent_focus.journal.events import follow as follow_events
    from agent_focus.workspace import state_dir, worktree_root

    _Run.json = json_out
    folder = state_dir(worktree_root(Path.cwd()) or Path.cwd())
    events = (
        read_events(folder, agent=agent, since=_parse_since(since), limit=limit)
        if limit > 0
        else []
    )

    def line(event: Any) -> str:
        when = event.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        return f"{when}  {event.agent or '?':<4} {event.worktree or '':<16} {event.kind:<8} {describe(event)}"

    if json_out and not follow:
        _stdout_json([e.to_json() for e in events])
        return
    for event in events:
        sys.stdout.write(
            (json.dumps(event.to_json(), ensure_ascii=False) if json_out else line(event)) + "\n"
        )
    if not follow:
        if not events and not json_out:
            _stderr("No events yet on this clone: they appear as agents plan, tick and update.")
        return
    sys.stdout.flush()
    try:
        for event in follow_events(
            folder, after=events[-1].id if events else latest_id(folder), agent=agent
        ):
            sys.stdout.write(
                (json.dumps(event.to_json(), ensure_ascii=False) if json_out else line(event))
                + "\n"
            )
            sys.stdout.flush()
    except KeyboardInterrupt:
        return


@app.command()
def dashboard(
    interval: Annotated[float, typer.Option(help="Seconds between refreshes.", min=0.1)] = 1.0,
    once: Annotated[bool, typer.Option("--once", help="Print one snapshot and exit.")] = False,
) -> None:
    """A live full-screen view of every agent of this clone: progress, current task, SLO
    state, recent events, provider costs. Ctrl-C quits."""
    from agent_focus.dashboard import DashboardState, dashboard_view, run_dashboard
    from agent_focus.workspace import worktree_root

    root = worktree_root(Path.cwd())
    if root is None:
        raise FocusError("not inside a git repository", path=Path.cwd())
    if once:
        state = DashboardState(root)
        state.refresh()
        _console().print(dashboard_view(state))
        return
    run_dashboard(root, interval)


@app.command()
def mcp(file: FileOption = None) -> None:
    """Serve this worktree's focus tools over MCP (stdio) to a coding agent.

    Tools: status, complete, plan, update, slo, brief. They act on the worktree the server
    is started in. For Claude Code: `claude mcp add focus -- focus mcp` in the worktree.
    """
    from agent_focus.mcp_server import serve
    from agent_focus.workspace import focus_file_path, root_for

    path = focus_file_path(file)
    serve(path, root_for(path))


def _report_error(error: FocusError) -> None:
    _stderr(f"focus: error: {error}")
    candidates = getattr(error, "candidates", [])
    for title in candidates:
        _stderr(f"  - {title}")
    if _Run.json:
        payload: dict[str, Any] = {"error": str(error), "exit_code": int(error.exit_status)}
        if isinstance(error, TaskNotFoundError):
            payload["candidates"] = error.candidates
        _stdout_json(payload)


def _exit_now_if_collectors_hang(code: object) -> None:
    """A collector abandoned at its timeout may still be busy (say, importing MLflow); waiting
    for it at interpreter shutdown would break the timeout promise, so exit right away."""
    registry = sys.modules.get("agent_focus.metrics.registry")
    if registry is not None and registry.abandoned_work():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else int(ExitStatus.ERROR))


def main() -> None:
    """Entry point of the `focus` script: the one place errors become exit codes."""
    try:
        app()
    except SystemExit as exit_:
        _exit_now_if_collectors_hang(exit_.code)
        raise
    except FocusError as error:
        if os.environ.get("FOCUS_DEBUG"):
            raise
        _report_error(error)
        sys.exit(int(error.exit_status))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(int(ExitStatus.OK))
