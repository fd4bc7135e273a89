"""The `focus` program and its one error edge, `main`.

`main` is "the program with error handling" (as httpie's `raw_main`): the commands below it
raise :class:`~agent_focus.errors.FocusError`, and only here does one become a line on
stderr (and a JSON object under `--json`) and an exit code. It runs a plain `focus status`
and a plain `focus usage` itself (:mod:`agent_focus.cli.quick`,
:mod:`agent_focus.cli.usage_quick`: no Typer to import) and every other command line
through the Typer app (:mod:`agent_focus.cli.commands`).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from agent_focus.cli.quick import FastPath, run_status, status_request
from agent_focus.cli.streams import Output, print_json, say
from agent_focus.errors import ExitStatus, FocusError, TaskNotFoundError


def _report_error(error: FocusError) -> None:
    say(f"focus: error: {error}")
    for title in getattr(error, "candidates", []):
        say(f"  - {title}")
    if isinstance(error, TaskNotFoundError) and error.more:
        say(f"  {error.more}")
    if Output.json:
        payload: dict[str, Any] = {"error": str(error), "exit_code": int(error.exit_status)}
        if isinstance(error, TaskNotFoundError):
            payload["candidates"] = error.candidates
            payload["candidate_count"] = error.count
        print_json(payload)


def _exit_now_if_collectors_hang(code: object) -> None:
    """Work abandoned at its deadline (a collector, the mirror) may still be busy (say,
    importing MLflow); waiting for it at interpreter shutdown would break the timeout promise,
    so exit right away."""
    deadline = sys.modules.get("agent_focus.metrics.deadline")
    if deadline is not None and deadline.abandoned_work():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else int(ExitStatus.ERROR))


def _run(args: list[str]) -> None:
    """The program without error handling: a plain `status` or `usage`, and what the agents'
    loops run (`hook`, `statusline`), here; the rest through Typer."""
    if args[:1] == ["hook"]:
        from agent_focus.cli.agent_entry import run_agent_hook

        sys.exit(run_agent_hook(args[1:]))
    if args == ["statusline"]:
        from agent_focus.cli.agent_entry import run_statusline

        sys.exit(run_statusline())
    request = status_request(args)
    if request is not None:
        run_status(request)
        return
    if args[:1] == ["usage"]:
        from agent_focus.cli.usage_quick import run_usage, usage_request

        plain = usage_request(args)
        if plain is not None:
            run_usage(plain)
            return
    from agent_focus.cli.commands import app

    app()  # parses sys.argv itself, as it always has


def main() -> None:
    """Entry point of the `focus` script: the one place errors become exit codes."""
    try:
        _run(sys.argv[1:])
    except SystemExit as exit_:
        _exit_now_if_collectors_hang(exit_.code)
        raise
    except FocusError as error:
        if os.environ.get("FOCUS_DEBUG"):
            raise
        _report_error(error)
        _exit_now_if_collectors_hang(int(error.exit_status))
        sys.exit(int(error.exit_status))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(int(ExitStatus.OK))


def script() -> None:
    """The `focus` executable (and `python -m agent_focus`): :func:`main`, and after a plain
    `focus status` or `focus usage` an exit without the interpreter's teardown.

    Freeing every module at exit is about 15% of a `focus status` (docs/performance.md), and
    those commands leave nothing that needs it: no thread (the reader processes of `usage`
    and their threads are joined before it prints; a first read's checkpoint is a process
    of its own, ingest.bulk.checkpoint_behind), no open file, no open journal, no logging
    handler, no atexit hook of ours. Its output is flushed
    first; if that flush fails (a closed pipe), the normal exit runs instead and reports it
    as it always has.
    Every other command exits the normal way.
    """
    try:
        main()
    except SystemExit as exit_:
        code = 0 if exit_.code is None else exit_.code
        if FastPath.ran and isinstance(code, int) and _flushed():
            os._exit(code)
        raise


def _flushed() -> bool:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return False
    return True
