"""The agents report in: `focus hooks install|uninstall|status`, `focus hook claude|codex`,
`focus statusline` (their bodies live in the Typer-free `cli.agent_entry`, which the main
entry point runs before loading Typer)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from agent_focus.cli.agent_entry import run_agent_hook, run_statusline
from agent_focus.cli.output import JsonOption, print_json, say

group = typer.Typer()
hooks = typer.Typer(
    help="Make every Claude Code and Codex session of this clone report in to focus.",
    no_args_is_help=True,
    add_completion=False,
)
group.add_typer(hooks, name="hooks")


@group.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def hook(ctx: typer.Context) -> None:
    """What a coding agent's hook runs: `focus hook claude` (the hook's JSON on stdin) or
    `focus hook codex JSON` (Codex's notify argument). Records the event, the test runs and
    the agent's state; on SessionStart answers with the brief. Always exits 0."""
    raise typer.Exit(run_agent_hook(list(ctx.args)))


@group.command()
def statusline() -> None:
    """Claude Code's status line: agent, task in progress, sprint, today's spend, last tests.
    Set by `focus hooks install`."""
    raise typer.Exit(run_statusline())


UserOption = Annotated[
    bool, typer.Option("--user", help="~/.claude/settings.json: every worktree at once.")
]
CodexOption = Annotated[bool, typer.Option("--codex", help="Also Codex's notify in ~/.codex/config.toml.")]  # fmt: skip


def _root() -> Path:
    from agent_focus.readers.workspace import worktree_root

    return worktree_root(Path.cwd()) or Path.cwd()


@hooks.command("install")
def hooks_install(user: UserOption = False, codex: CodexOption = False, json_out: JsonOption = False) -> None:  # fmt: skip
    """Add our hooks (SessionStart, UserPromptSubmit, PostToolUse, Notification, Stop,
    SubagentStop, SessionEnd) and the status line if none is set. Lossless: every other key,
    hook and comment stays; installing twice changes nothing."""
    from agent_focus.actions.hooks_setup import (  # fmt: skip
        claude_settings,
        codex_config,
        install_claude,
        install_codex,
    )

    changes = [install_claude(claude_settings(_root(), user))]
    if codex:
        changes.append(install_codex(codex_config()))
    _report(changes, json_out, "Installed")


@hooks.command("uninstall")
def hooks_uninstall(user: UserOption = False, codex: CodexOption = False, json_out: JsonOption = False) -> None:  # fmt: skip
    """Remove our hooks and status line alone."""
    from agent_focus.actions.hooks_setup import (  # fmt: skip
        claude_settings,
        codex_config,
        install_codex,
        uninstall_claude,
    )

    changes = [uninstall_claude(claude_settings(_root(), user))]
    if codex:
        changes.append(install_codex(codex_config(), remove=True))
    _report(changes, json_out, "Removed")


@hooks.command("status")
def hooks_status(json_out: JsonOption = False) -> None:
    """Where our hooks are installed: this worktree, the user's settings, Codex."""
    from agent_focus.actions.hooks_setup import (  # fmt: skip
        claude_installed,
        claude_settings,
        codex_config,
        codex_installed,
    )

    places = {
        str(claude_settings(_root(), False)): claude_installed(claude_settings(_root(), False)),
        str(claude_settings(_root(), True)): claude_installed(claude_settings(_root(), True)),
        str(codex_config()): ["notify"] if codex_installed(codex_config()) else [],
    }
    if json_out:
        print_json({"installed": places})
        return
    for place, found in places.items():
        say(f"{place}: {', '.join(found) if found else 'not installed'}")


def _report(changes: list[Any], json_out: bool, verb: str) -> None:
    if json_out:
        print_json([change.to_json() for change in changes])
    for change in changes:
        what = ", ".join(change.changes)
        say(f"{verb} in {change.path}: {what}" if what else f"{change.path}: nothing to change")
        for note in change.notes:
            say(f"  {note}")
