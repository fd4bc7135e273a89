"""`focus status` without Typer: the command's body, and the fast path that runs it.

Importing Typer (and the Click it vendors) and building the app of every command group
costs more than everything else `focus status` does (docs/performance.md). So
:func:`agent_focus.cli.app.main` first asks :func:`status_request` whether the command line
is a plain `status`: the word `status` and nothing but `--file`/`-f PATH`, `--file=PATH`,
`--json`, `--all`/`-A`. Only then does it run :func:`show_status` here, with the values
Typer would have passed. Anything else (`--help`, an unknown or misspelt option, a missing
or dash-leading value, `--`, shell completion) goes to Typer, which answers as it always
has. The Typer command (:func:`agent_focus.cli.sprint.status`) calls the same
:func:`show_status`, so both ways print the same bytes and exit the same way.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO, cast

from agent_focus.cli.streams import Output, console, print_json


class StatusRequest(NamedTuple):
    """The options of one `focus status`, as the Typer command receives them."""

    file: Path | None
    all_agents: bool
    json_out: bool


def show_status(file: Path | None, all_agents: bool, json_out: bool) -> None:
    """The body of `focus status` (see :func:`agent_focus.cli.sprint.status`)."""
    from agent_focus.actions.catch_up import catch_up_here

    if all_agents:
        from agent_focus.readers.workspace import worktree_root
        from agent_focus.readers.worktrees import seats

        root = worktree_root(Path.cwd()) or Path.cwd()
        catch_up_here(root)  # what the agents did since: their spend of now
        found = seats(root, live=True)
        if json_out:
            print_json([seat.to_json() for seat in found])
            return
        from agent_focus.views.agents import agents_view

        console().print(agents_view(found))
        return
    from agent_focus.readers.status import load_status, with_spend
    from agent_focus.readers.workspace import focus_file_path

    report = load_status(focus_file_path(file))
    catch_up_here(report.root)
    report = with_spend(report)
    if json_out:
        print_json(report.to_json())
        return
    from rich.console import Console

    from agent_focus.views.sprint import print_to, status_view

    print_to(Console(), status_view(report))


def completion_requested() -> bool:
    """Click's shell completion is driven by `_<PROG>_COMPLETE`: leave that to Typer."""
    return any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ)


def status_request(args: Sequence[str]) -> StatusRequest | None:
    """The options of a plain `focus status` command line, or None to let Typer parse it."""
    if not args or args[0] != "status" or completion_requested():
        return None
    file: str | None = None
    all_agents = json_out = False
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--json":
            json_out = True
        elif arg in ("--all", "-A"):
            all_agents = True
        elif arg in ("--file", "-f"):
            file = next(rest, "")
            if not file or file.startswith("-"):
                return None
        elif arg.startswith("--file=") and len(arg) > len("--file="):
            file = arg.removeprefix("--file=")
        else:
            return None
    return StatusRequest(Path(file) if file is not None else None, all_agents, json_out)


class FastPath:
    """Whether this process ran a command here, without Typer (then the script may skip the
    teardown)."""

    ran: bool = False


def run_status(request: StatusRequest) -> None:
    """Run `focus status` as the Typer command would (:func:`run_fast`)."""
    run_fast(request.json_out, lambda: show_status(*request))


def run_fast(json_out: bool, body: Callable[[], None]) -> None:
    """Run a command's ``body`` as its Typer command would, a broken pipe included (Click
    exits 1), and let the script skip the interpreter's teardown (:class:`FastPath`).

    The cyclic garbage collector is off for it: a read of one file (or one per worktree)
    makes little cyclic garbage, and the collections that imports trigger cost about 7%
    of `focus status` (docs/performance.md)."""
    FastPath.ran = True
    Output.json = json_out  # what the `--json` option's callback does under Typer
    gc.disable()
    try:
        body()
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        sys.stdout = cast(TextIO, _PipeClosed(sys.stdout))
        sys.stderr = cast(TextIO, _PipeClosed(sys.stderr))
        sys.exit(1)


class _PipeClosed:
    """Click's ``PacifyFlushWrapper``: no second broken-pipe error at interpreter exit."""

    def __init__(self, wrapped: TextIO) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> object:
        return getattr(self.wrapped, name)
