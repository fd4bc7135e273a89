"""What every command shares: its options, where its output goes, and the JSON switch.

A command only parses options, calls the core and renders. `--json` is remembered by the
option itself (its callback), so the error edge in `cli.app` knows to answer in JSON too,
without each command setting a flag by hand. The output helpers themselves live in
:mod:`agent_focus.cli.streams`, which imports no Typer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent_focus.cli.streams import Output, console, print_json, say

__all__ = (
    "AgentOption",
    "FileOption",
    "JsonOption",
    "Output",
    "StrategyOption",
    "console",
    "print_json",
    "say",
)


def _remember_json(value: bool) -> bool:
    Output.json = Output.json or bool(value)
    return value


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
    bool,
    typer.Option(
        "--json",
        help="Print a JSON object on stdout (messages go to stderr).",
        callback=_remember_json,
    ),
]
AgentOption = Annotated[
    str | None,
    typer.Option(
        "--agent",
        "-a",
        help="Which agent. Default: $AGENT_ID, else .agent.env, else the focus file's Identity.",
        show_default=False,
    ),
]
StrategyOption = Annotated[
    Path | None,
    typer.Option(
        "--strategy",
        help="Strategy file. Default: $FOCUS_STRATEGY, else AI_JOB_STRATEGY.md at the "
        "worktree root or the main checkout's root.",
        show_default=False,
    ),
]
