"""What was done recently: commits in this worktree (GitPython, imported here only) and
tasks ticked, read from their ``✅ YYYY-MM-DD`` stamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from agent_focus.focusfile.model import Task


@dataclass(frozen=True)
class Commit:
    sha: str
    subject: str
    when: datetime


def commits_since(root: Path, since: datetime, limit: int = 30) -> list[Commit]:
    """Commits on this worktree's HEAD since ``since`` (newest first); [] outside git."""
    import git  # GitPython: only the planning and routine commands pay for it

    try:
        repo = git.Repo(root)
        if not repo.head.is_valid():
            return []
        found = []
        for commit in repo.iter_commits("HEAD", since=since.isoformat(), max_count=limit):
            subject = str(commit.message).strip().splitlines()[0] if commit.message else ""
            found.append(Commit(commit.hexsha[:8], subject[:200], commit.committed_datetime))
        return found
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, ValueError):
        return []


def start_of_yesterday(today: date) -> datetime:
    return datetime.combine(today - timedelta(days=1), datetime.min.time()).astimezone()


def ticked_since(tasks: tuple[Task, ...], since: date) -> list[Task]:
    """Tasks whose completion stamp is on or after ``since``."""
    return [t for t in tasks if t.done and t.completed_on is not None and t.completed_on >= since]
