"""What every command shares: its options, where its output goes, and the JSON switch.

A command only parses options, calls the core and renders. `--json` is remembered here by
the option itself (its callback), so the error edge in `cli.app` knows to answer in JSON
too, without each command setting a flag by hand.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer


class Output:
    """The output state of the command being run: set by the `--json` option's callback."""

    json: bool = False


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


def print_json(payload: Any) -> None:
    """The one JSON object of a command, on stdout."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def console() -> Any:
    """stdout console; piped output gets room for wide tables instead of 80 columns."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() or os.environ.get("COLUMNS") else Console(width=160)


def say(message: str) -> None:
    """One message on stderr, printed as is (no markup: it may hold a model's text)."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)


def usage_error(
    option: str, value: str, choices: list[str] | tuple[str, ...]
) -> typer.BadParameter:
    """Exit 2 naming the valid values (the contract's usage error)."""
    return typer.BadParameter(f"{value!r}: choose one of {', '.join(choices)}", param_hint=option)
