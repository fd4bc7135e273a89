"""Where a command's output goes: its JSON object on stdout, messages on stderr, the Rich
console, and the `--json` state the error edge reads.

No Typer here: the fast path of `focus status` (:mod:`agent_focus.cli.quick`) prints
through these too, and must not pay for the Typer import.
"""

from __future__ import annotations

import os
import sys
from typing import Any


class Output:
    """The output state of the command being run: set by the `--json` option's callback
    (or by the fast path, for the `status --json` it runs)."""

    json: bool = False


def print_json(payload: Any) -> None:
    """The one JSON object of a command, on stdout (an infinite figure as null)."""
    from agent_focus.json_text import dumps  # here: `focus status` has no use for json

    sys.stdout.write(dumps(payload, ensure_ascii=False, indent=2) + "\n")


def console() -> Any:
    """stdout console; piped output gets room for wide tables instead of 80 columns."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() or os.environ.get("COLUMNS") else Console(width=160)


def say(message: str) -> None:
    """One message on stderr, printed as is (no markup: it may hold a model's text)."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)
