"""``focus init``: a new agent's focus file and ``.agent.env``, never overwriting either."""

from __future__ import annotations

import functools
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from agent_focus.errors import AlreadyExistsError, FocusError, StrategyError
from agent_focus.focusfile.template import render_focus_file
from agent_focus.journal.events import journal
from agent_focus.portfolio import file_exists
from agent_focus.strategy import AgentStrategy, read_strategy
from agent_focus.workspace import AGENT_ENV_NAME, read_agent_env

AGENT_ID_RE = re.compile(r"^[A-Za-z]{1,8}\d{1,3}$")


@dataclass
class InitResult:
    focus_file: Path
    agent_id: str
    agent: AgentStrategy | None
    wrote_env: bool
    notes: list[str] = field(default_factory=list)


def _ignore_agent_env(root: Path) -> str | None:
    """Add ``.agent.env`` to the worktree's .gitignore unless git already ignores it."""
    if not (root / ".git").exists():
        return None
    try:
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", AGENT_ENV_NAME], cwd=root, capture_output=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if ignored.returncode == 0:
        return None
    gitignore = root / ".gitignore"
    text = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    prefix = "" if not text or text.endswith("\n") else "\n"
    with gitignore.open("a", encoding="utf-8") as handle:
        handle.write(f"{prefix}{AGENT_ENV_NAME}\n")
    return f"added {AGENT_ENV_NAME} to {gitignore}"


def init_agent(agent_id: str, focus_file: Path, root: Path, strategy_file: Path) -> InitResult:
    """Create ``focus_file`` for ``agent_id`` and ``.agent.env`` in ``root``."""
    if not AGENT_ID_RE.match(agent_id):
        raise FocusError(f"agent id {agent_id!r} should look like A1, A2, ...")
    agent_id = agent_id.upper()
    if focus_file.exists():
        raise AlreadyExistsError(
            "already exists; focus init never overwrites it (edit it, or pass --file)",
            path=focus_file,
        )
    env = read_agent_env(root)
    if env.get("AGENT_ID") and env["AGENT_ID"].upper() != agent_id:
        raise FocusError(
            f"says AGENT_ID={env['AGENT_ID']}, not {agent_id}; nothing written",
            path=root / AGENT_ENV_NAME,
        )
    notes: list[str] = []
    agent: AgentStrategy | None = None
    if strategy_file.exists():
        strategy = read_strategy(strategy_file)
        try:
            agent = strategy.agent(agent_id)
        except StrategyError as exc:
            notes.append(f"{exc}; wrote an empty skeleton")
    else:
        notes.append(f"no strategy at {strategy_file}; wrote an empty skeleton")

    text = render_focus_file(agent_id, agent, functools.partial(file_exists, root))
    try:
        fd = os.open(focus_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise AlreadyExistsError("already exists; nothing written", path=focus_file) from None
    except OSError as exc:
        raise FocusError(f"cannot create: {exc.strerror}", path=focus_file) from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)

    wrote_env = False
    if not env.get("AGENT_ID"):
        role = agent.target if agent and agent.target else ""
        env_path = root / AGENT_ENV_NAME
        existing = env_path.read_text(encoding="utf-8") if env_path.exists() else ""
        sep = "" if not existing or existing.endswith("\n") else "\n"
        env_path.write_text(
            f'{existing}{sep}AGENT_ID={agent_id}\nAGENT_ROLE="{role}"\n', encoding="utf-8"
        )
        wrote_env = True
    ignored = _ignore_agent_env(root)
    if ignored:
        notes.append(ignored)
    journal(
        root, "init", {"role": agent.target if agent else None, "file": focus_file.name}, agent_id
    )
    return InitResult(focus_file, agent_id, agent, wrote_env, notes)
