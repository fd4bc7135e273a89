"""`focus usage` without Typer: the command's body, and the fast path that runs it.

With nothing new in the agents' logs, `focus usage` is a stat of every log and one query;
importing Typer and building the command tree would cost about as much again. So
:func:`agent_focus.cli.app.main` asks :func:`usage_request` whether the command line is a
plain `usage`: the word `usage` and nothing but `--by X` or `--by=X` (X one of the
groupings), `--since`/`--until` with a value in one of their forms (or `=` joined), and
`--json`. Only then does it run :func:`show_usage` here, with the values Typer would pass.
Anything else (`--help`, `--source`, `--no-read-logs`, an unknown, misspelt or empty
option, a value that starts with a dash or that `--since` refuses, shell completion) goes
to Typer, which answers as it always has. The Typer command
(:func:`agent_focus.cli.journal.usage`) calls the same :func:`show_usage`, so both ways
print the same bytes and exit the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from agent_focus.cli.quick import completion_requested, run_fast
from agent_focus.cli.since import BadMoment, parse_window
from agent_focus.cli.streams import console, print_json, say

if TYPE_CHECKING:
    from agent_focus.ingest.report import IngestReport
    from agent_focus.readers.workspace import Workspace

GROUPINGS = ("agent", "worktree", "model", "day", "session", "task", "source", "provider")
_VALUED = ("--by", "--since", "--until")


class UsageRequest(NamedTuple):
    """The options of one plain `focus usage`, as the Typer command receives them."""

    by: str
    since: str | None
    until: str | None
    json_out: bool


def usage_request(args: Sequence[str]) -> UsageRequest | None:
    """The options of a plain `focus usage` command line, or None to let Typer parse it."""
    if not args or args[0] != "usage" or completion_requested():
        return None
    values: dict[str, str] = {"--by": "agent"}
    json_out = False
    rest = iter(args[1:])
    for arg in rest:
        name, equals, value = arg.partition("=")
        if arg == "--json":
            json_out = True
            continue
        if name not in _VALUED:
            return None
        if not equals:
            value = next(rest, "")
        if not value or value.startswith("-"):
            return None
        values[name] = value
    if values["--by"] not in GROUPINGS:
        return None
    try:  # a value `--since` refuses: Typer says so, in its own words
        parse_window(values.get("--since"), values.get("--until"))
    except BadMoment:
        return None
    return UsageRequest(values["--by"], values.get("--since"), values.get("--until"), json_out)


def run_usage(request: UsageRequest) -> None:
    """Run `focus usage` as the Typer command would (:func:`~agent_focus.cli.quick.run_fast`)."""

    def body() -> None:
        from agent_focus.readers.workspace import Workspace

        workspace = Workspace.resolve()
        start, end = parse_window(request.since, request.until)
        windowed = bool(request.since or request.until)
        show_usage(workspace, request.by, start, end, windowed, request.json_out)

    run_fast(request.json_out, body)


def show_usage(
    workspace: Workspace, by: str, start: datetime | None, end: datetime | None,
    windowed: bool, json_out: bool, read_logs: bool = True, again: bool = False,
) -> None:  # fmt: skip
    """The body of `focus usage --source local` (see :func:`agent_focus.cli.journal.usage`),
    once the workspace is found and `--since`/`--until` (``windowed``: either given) read."""
    from agent_focus.actions.usage import agent_usage

    if by == "task" and windowed:
        say("focus: note: --by task covers every call of each agent: --since/--until do not apply")
    ingest = _read_logs(workspace, again) if read_logs else None
    outcome = agent_usage(workspace, by, start, end, ingest)
    if json_out:
        print_json(outcome.to_json())
        return
    from agent_focus.views.usage import effectiveness_table, ingest_note, usage_table

    out = console()
    logs = ingest.files if ingest is not None else None
    out.print(usage_table(outcome.report, (start, end) if by != "task" else (None, None), logs))
    if ingest is not None and (note := ingest_note(ingest)):
        say(note)
    if outcome.effectiveness:
        out.print()
        out.print(effectiveness_table(outcome.effectiveness))


def _read_logs(workspace: Workspace, again: bool = False) -> IngestReport:
    """Ingest with a progress bar on a terminal when there is much to read; silent on a pipe.
    ``again``: every log read again whole."""
    from agent_focus.actions.usage import read_agent_logs
    from agent_focus.ingest.pending import find_logs, pending_bytes

    if not sys.stderr.isatty():
        return read_agent_logs(workspace, again=again, waiting=_waiting)
    files = find_logs(workspace.state_dir)
    todo = pending_bytes(workspace.state_dir, files, again)
    if todo < 32 * 1024 * 1024:
        return read_agent_logs(workspace, files=files, again=again, waiting=_waiting)
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    columns = (
        TextColumn("reading agent logs"),
        BarColumn(),
        DownloadColumn(),  # the bytes read of those to read
        TextColumn("{task.fields[files]}"),  # and the logs done, of every log
    )
    with Progress(*columns, transient=True) as bar:
        logs = bar.add_task("logs", total=todo, files=f"0/{len(files)} files")

        def advance(done: int, read: int) -> None:
            bar.update(logs, completed=read, files=f"{done}/{len(files)} files")

        return read_agent_logs(workspace, advance, files, again=again, waiting=_waiting)


def _waiting() -> None:
    say("focus: another focus is reading the agents' logs into this journal: waiting for it")
