"""Where things are: the worktree root, the focus file, the strategy, ``.agent.env``.

Found by walking up to the ``.git`` entry, without running git or importing GitPython, so
``focus status`` starts fast.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_focus.focusfile.model import FocusDocument

FOCUS_FILE_NAME = "AGENT_FOCUS.md"
STRATEGY_FILE_NAME = "AI_JOB_STRATEGY.md"
AGENT_ENV_NAME = ".agent.env"


def worktree_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding a ``.git`` dir or file."""
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def main_worktree_root(root: Path) -> Path:
    """For a linked worktree, the main checkout's root; otherwise ``root`` itself."""
    dot_git = root / ".git"
    if not dot_git.is_file():
        return root
    try:
        pointer = dot_git.read_text(encoding="utf-8").strip()
    except OSError:
        return root
    if not pointer.startswith("gitdir:"):
        return root
    git_dir = (root / pointer.removeprefix("gitdir:").strip()).resolve()
    try:
        common = (git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    except OSError:
        return root
    return common.parent if common.name == ".git" else root


CONFIG_FILE_NAME = "focus.yaml"


def config_path(root: Path) -> Path | None:
    """``$FOCUS_CONFIG``, else focus.yaml in the worktree, else in the main checkout (here,
    not in agent_focus.config, so that a command can tell there is none without pydantic)."""
    env = os.environ.get("FOCUS_CONFIG")
    if env:
        return Path(env)
    for folder in (root, main_worktree_root(root)):
        if (folder / CONFIG_FILE_NAME).exists():
            return folder / CONFIG_FILE_NAME
    return None


def focus_file_path(option: Path | None, cwd: Path | None = None) -> Path:
    """``--file``, else ``$FOCUS_FILE``, else AGENT_FOCUS.md at the worktree root."""
    if option is not None:
        return option
    env = os.environ.get("FOCUS_FILE")
    if env:
        return Path(env)
    here = cwd or Path.cwd()
    return (worktree_root(here) or here) / FOCUS_FILE_NAME


def root_for(path: Path) -> Path:
    """The worktree root a file belongs to: portfolio paths are relative to it."""
    parent = path.resolve().parent
    return worktree_root(parent) or parent


def strategy_path(option: Path | None, root: Path) -> Path:
    """``--strategy``, else ``$FOCUS_STRATEGY``, else the worktree's or main checkout's file."""
    if option is not None:
        return option
    env = os.environ.get("FOCUS_STRATEGY")
    if env:
        return Path(env)
    local = root / STRATEGY_FILE_NAME
    if local.exists():
        return local
    main = main_worktree_root(root) / STRATEGY_FILE_NAME
    return main if main.exists() else local


def read_agent_env(root: Path) -> dict[str, str]:
    """``KEY=value`` pairs of ``.agent.env`` (``export`` and quotes allowed); {} if absent."""
    try:
        text = (root / AGENT_ENV_NAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        pointer = dot_git.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return (root / pointer.removeprefix("gitdir:").strip()).resolve()


def current_branch(root: Path) -> str | None:
    """The branch checked out in the worktree at ``root`` (from its HEAD file, without
    running git); None when detached or not a git worktree."""
    git_dir = _git_dir(root)
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip() if git_dir else ""
    except OSError:
        return None
    return head.removeprefix("ref: refs/heads/") if head.startswith("ref: refs/heads/") else None


def git_common_dir(root: Path) -> Path | None:
    """``git rev-parse --git-common-dir`` without running git: shared by all worktrees."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if not dot_git.is_file():
        return None
    try:
        pointer = dot_git.read_text(encoding="utf-8").strip()
        git_dir = (root / pointer.removeprefix("gitdir:").strip()).resolve()
        common = git_dir / "commondir"
        return (
            (git_dir / common.read_text(encoding="utf-8").strip()).resolve()
            if common.exists()
            else git_dir
        )
    except OSError:
        return None


def state_dir(root: Path) -> Path:
    """Where the shared log lives: ``$FOCUS_STATE_DIR``, else ``<git common dir>/agent-focus``,
    else ``~/.local/state/agent-focus`` outside a repository."""
    env = os.environ.get("FOCUS_STATE_DIR")
    if env:
        return Path(env)
    common = git_common_dir(root)
    if common is not None:
        return common / "agent-focus"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "agent-focus"


class Workspace:
    """Where one command works, resolved once and passed down: the worktree root, the
    focus file, the strategy, the journal folder and the agent (one rule:
    :func:`agent_focus.readers.agent.resolve_agent`).

    Immutable, equal by root, focus file and agent option, as a frozen dataclass would be;
    written by hand because importing dataclasses (and inspect with it) costs `focus usage`
    more than its whole report read from the journal."""

    root: Path
    focus_file: Path
    agent_option: str | None
    strategy_option: Path | None

    def __init__(
        self,
        root: Path,
        focus_file: Path,
        agent_option: str | None = None,
        strategy_option: Path | None = None,
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "root", root)
        set_field(self, "focus_file", focus_file)
        set_field(self, "agent_option", agent_option)
        set_field(self, "strategy_option", strategy_option)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def _key(self) -> tuple[Path, Path, str | None]:
        return (self.root, self.focus_file, self.agent_option)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Workspace(root={self.root!r}, focus_file={self.focus_file!r},"
            f" agent_option={self.agent_option!r}, strategy_option={self.strategy_option!r})"
        )

    @classmethod
    def resolve(
        cls,
        file: Path | None = None,
        agent: str | None = None,
        strategy: Path | None = None,
        cwd: Path | None = None,
    ) -> Workspace:
        """``--file`` (else ``$FOCUS_FILE``, else the worktree's AGENT_FOCUS.md) and the
        worktree it lies in."""
        path = focus_file_path(file, cwd)
        return cls(root_for(path), path, agent, strategy)

    @property
    def name(self) -> str:
        """The worktree's folder name, as events and views show it."""
        return self.root.name

    @cached_property
    def strategy_file(self) -> Path:
        return strategy_path(self.strategy_option, self.root)

    @cached_property
    def state_dir(self) -> Path:
        return state_dir(self.root)

    @cached_property
    def agent(self) -> str | None:
        from agent_focus.readers.agent import identify_agent, resolve_agent

        # The option, $AGENT_ID and .agent.env first: the focus file is parsed only if
        # none of them says (a parse is most of the cost of a big file).
        found = resolve_agent(self.agent_option, None, self.root)
        return found or identify_agent(self.document_or_none(), self.root).id

    def document_or_none(self) -> FocusDocument | None:
        """The focus file as read now, or None when it is missing or unreadable."""
        from agent_focus.errors import FocusError
        from agent_focus.focusfile import read_document

        if not self.focus_file.exists():
            return None
        try:
            return read_document(self.focus_file)
        except FocusError:
            return None
