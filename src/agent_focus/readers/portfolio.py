"""Whether a portfolio item's file really exists, checked inside the worktree only.

A path that leaves the worktree (absolute, ``..`` past the root, or a symlink pointing
out) is reported as an error and never read or even stat-ed beyond the link itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from agent_focus.focusfile.model import PortfolioItem

_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]+:")
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class PortfolioCheck:
    """One item checked: ``exists`` is None when there is nothing local to check."""

    item: PortfolioItem
    exists: bool | None
    error: str | None = None
    matches: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        """Counts as done: its file exists, or (no file named) its box is ticked."""
        return self.exists if self.exists is not None else (self.error is None and self.item.done)


def _inside(root: Path, target: Path) -> bool:
    return target == root or root in target.parents


def check_item(item: PortfolioItem, root: Path) -> PortfolioCheck:
    """Check ``item`` against the worktree at ``root``."""
    raw = item.path
    if raw is None:
        return PortfolioCheck(item, None)
    if _URL_RE.match(raw) and not raw.startswith("file:"):
        return PortfolioCheck(item, None)
    path = raw.removeprefix("file:").split("#", 1)[0] if not raw.startswith("#") else ""
    if not path:
        return PortfolioCheck(item, None)
    if os.path.isabs(path) or path.startswith("~"):
        return PortfolioCheck(item, False, "path leaves the worktree (absolute path)")
    normal = os.path.normpath(path)
    if normal == ".." or normal.startswith("../"):
        return PortfolioCheck(item, False, "path leaves the worktree (..)")
    real_root = root.resolve()
    if _GLOB_CHARS & set(path):
        hits = sorted(p for p in real_root.glob(normal) if _inside(real_root, p.resolve()))
        return PortfolioCheck(
            item, bool(hits), None, tuple(str(p.relative_to(real_root)) for p in hits)
        )
    target = real_root / normal
    if not _inside(real_root, target.resolve()):
        return PortfolioCheck(item, False, "path leaves the worktree (symlink)")
    return PortfolioCheck(item, target.exists())


def file_exists(root: Path, relative: str) -> bool:
    """Whether ``relative`` (a path or glob) exists inside the worktree ``root``."""
    return (
        check_item(PortfolioItem(relative, False, 0, 1, name=relative, path=relative), root).exists
        is True
    )


def check_portfolio(items: tuple[PortfolioItem, ...], root: Path) -> list[PortfolioCheck]:
    return [check_item(item, root) for item in items]
