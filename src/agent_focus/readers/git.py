"""Everything this tool asks of git, in one module.

Worktrees, branches and ignore rules go through the git binary (one call each: fast for
50 worktrees, and no GitPython at start-up). History and commits go through GitPython,
imported inside the two functions that need it, so only the routines pay for it.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from agent_focus.errors import FocusError


@dataclass(frozen=True)
class Worktree:
    path: Path
    branch: str | None  # None when detached
    head: str | None


@dataclass(frozen=True)
class Commit:
    sha: str
    subject: str
    when: datetime


@dataclass(frozen=True)
class CommitResult:
    committed: bool
    sha: str | None
    message: str
    pushed: bool | None
    note: str | None


def run_git(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``root``; a missing git binary is a one-line error."""
    try:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise FocusError(f"cannot run git: {exc}") from None


def list_worktrees(root: Path) -> list[Worktree]:
    """The worktrees of the clone ``root`` belongs to, the main one first."""
    done = run_git(root, "worktree", "list", "--porcelain", timeout=30)
    if done.returncode != 0:
        raise FocusError(
            f"not inside a git repository ({done.stderr.strip() or 'git worktree list failed'})",
            path=root,
        )
    found: list[Worktree] = []
    fields: dict[str, str] = {}
    for line in [*done.stdout.splitlines(), ""]:
        if line:
            key, _, value = line.partition(" ")
            fields[key] = value
            continue
        if "worktree" in fields and "bare" not in fields:
            branch = fields.get("branch", "").removeprefix("refs/heads/") or None
            found.append(Worktree(Path(fields["worktree"]), branch, fields.get("HEAD")))
        fields = {}
    return found


def add_worktree(main: Path, target: Path, branch: str) -> bool:
    """``git worktree add`` of ``branch`` at ``target``; True when the branch was created."""
    exists = run_git(main, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    command = ["worktree", "add", str(target), branch]
    if exists.returncode != 0:
        command = ["worktree", "add", "-b", branch, str(target)]
    done = run_git(main, *command)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise FocusError(
            f"git {' '.join(command)} failed: {lines[-1] if lines else done.returncode}"
        )
    return exists.returncode != 0


def is_ignored(root: Path, name: str) -> bool | None:
    """Whether git ignores ``name`` in ``root``; None when git cannot say."""
    try:
        done = run_git(root, "check-ignore", "-q", name, timeout=10)
    except FocusError:
        return None
    return {0: True, 1: False}.get(done.returncode)


def changed_files(tree: Path, base_branch: str | None) -> set[str]:
    """Files this worktree changes since its common base with ``base_branch``: committed on
    its branch, staged, modified or new (untracked, not ignored). Three git calls, whatever
    the number of files."""
    base = "HEAD"
    try:
        if base_branch:
            found = run_git(tree, "merge-base", "HEAD", base_branch, timeout=10)
            if found.returncode == 0 and found.stdout.strip():
                base = found.stdout.strip()
        diff = run_git(tree, "diff", "--name-only", "-z", base, timeout=20)
        new = run_git(tree, "ls-files", "--others", "--exclude-standard", "-z", timeout=20)
    except FocusError:  # git slow or gone: no overlaps known, the rest of the view stands
        return set()
    names: set[str] = set()
    for done in (diff, new):
        if done.returncode == 0:
            names.update(name for name in done.stdout.split("\0") if name)
    return names


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Local midnight to the next midnight of ``day``."""
    start = datetime.combine(day, datetime.min.time()).astimezone()
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time()).astimezone()


def commits_between(root: Path, start: datetime, end: datetime, limit: int = 30) -> list[Commit]:
    """Commits on this worktree's HEAD made in [start, end), newest first; [] outside git."""
    import git  # GitPython: only the planning and routine commands pay for it

    try:
        repo = git.Repo(root)
        if not repo.head.is_valid():
            return []
        found = []
        for commit in repo.iter_commits("HEAD", since=start.isoformat()):
            if not start <= commit.committed_datetime < end:
                continue
            subject = str(commit.message).strip().splitlines()[0] if commit.message else ""
            found.append(Commit(commit.hexsha[:8], subject[:200], commit.committed_datetime))
            if len(found) == limit:
                break
        return found
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, ValueError):
        return []


def commit_file(path: Path, root: Path, message: str, push: bool) -> CommitResult:
    """Commit the file at ``path`` and nothing else: not other staged files."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return CommitResult(False, None, message, None, "not a git worktree: nothing committed")
    try:
        relative = str(path.resolve().relative_to(Path(repo.working_tree_dir or root).resolve()))
    except ValueError:  # a focus file linked to outside the repository
        outside = f"{path} lies outside the repository: nothing committed"
        return CommitResult(False, None, message, None, outside)
    try:
        tracked = bool(repo.git.ls_files("--", relative))
        has_head = repo.head.is_valid()
        if tracked and has_head and not repo.git.diff("HEAD", "--", relative):
            return CommitResult(
                False, None, message, None, f"{relative} has no changes since the last commit"
            )
        if not tracked:
            repo.git.add("--", relative)
        # `--only` with a path commits that path alone, whatever else is staged.
        repo.git.commit("--only", "-m", message, "--", relative)
        sha = repo.head.commit.hexsha[:8]
    except git.GitCommandError as exc:
        detail = (exc.stderr or str(exc)).strip().splitlines()
        raise FocusError(f"git commit failed: {detail[-1] if detail else exc}", path=path) from None
    pushed: bool | None = None
    note = None
    if push:
        try:
            repo.git.push()
            pushed = True
        except git.GitCommandError as exc:
            pushed = False
            detail = (exc.stderr or str(exc)).strip().splitlines()
            note = f"push failed: {detail[-1] if detail else exc}"
    return CommitResult(True, sha, message, pushed, note)
