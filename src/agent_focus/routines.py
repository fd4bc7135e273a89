"""The day of one agent: `focus morning` and `focus evening` (the seed's ai-morning and
ai-evening). A dead service or a missing key is reported and the routine goes on."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from agent_focus.config import FocusConfig
from agent_focus.errors import FocusError
from agent_focus.focus_update import UpdateOutcome, update_focus
from agent_focus.focusfile import read_document
from agent_focus.focusfile.model import FocusDocument
from agent_focus.journal.events import journal
from agent_focus.matching import mentions, similar_titles
from agent_focus.metrics.model import SloResult
from agent_focus.metrics.registry import run_collectors
from agent_focus.mlflow_mirror import mirror_run
from agent_focus.planner.activity import Commit, commits_since, start_of_yesterday
from agent_focus.planner.providers.base import PlanError
from agent_focus.planner.run import PlanOutcome, plan_sprint
from agent_focus.status import StatusReport, load_status, resolve_agent
from agent_focus.strategy import AgentStrategy, agent_strategy


@dataclass
class Morning:
    agent: str | None
    today: date
    update: UpdateOutcome
    ticked_yesterday: list[str]
    commits: list[Commit]
    plan: PlanOutcome | None
    plan_error: str | None
    status: StatusReport
    notes: list[str] = field(default_factory=list)

    @property
    def slos(self) -> list[SloResult]:
        return [s for r in self.update.reports for s in r.slos]

    def to_json(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "date": self.today.isoformat(),
            "sources": [r.to_json() for r in self.update.reports],
            "ticked_yesterday": self.ticked_yesterday,
            "commits": [{"sha": c.sha, "subject": c.subject} for c in self.commits],
            "plan": None if self.plan is None else self.plan.to_json(),
            "plan_error": self.plan_error,
            "notes": self.notes,
            "status": self.status.to_json(),
        }


def morning(
    path: Path,
    root: Path,
    config: FocusConfig,
    agent_option: str | None,
    provider: str | None,
    today: date,
) -> Morning:
    """Update, recap yesterday, plan today, and report the day."""
    document = read_document(path)  # a bad file stops the routine before any network work
    agent = resolve_agent(root, agent_option, document)
    reports = run_collectors(config, agent)  # once, for the update and the plan
    updated = update_focus(path, root, config, agent, reports)
    yesterday = today - timedelta(days=1)
    ticked = [t.title for t in read_document(path).tasks if t.done and t.completed_on == yesterday]
    commits = commits_since(root, start_of_yesterday(today))
    plan: PlanOutcome | None = None
    plan_error: str | None = None
    notes: list[str] = []
    for name in (provider, "offline"):
        try:
            plan = plan_sprint(
                path, root, config, agent=agent, provider_name=name, model=None, dry_run=False,
                fallback="offline", today=today, reports=reports,
            )  # fmt: skip
            break
        except (PlanError, FocusError) as exc:
            # e.g. a provider set in focus.yaml without its key: say so, plan offline instead
            plan_error = str(exc)
            notes.append(f"{exc}; planning offline instead")
    return Morning(
        agent, today, updated, ticked, commits, plan, plan_error, load_status(path), notes
    )


@dataclass(frozen=True)
class Readiness:
    """How ready the agent is to apply for its target role."""

    role: str
    ready: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    priorities: tuple[tuple[str, str], ...]  # (priority, "done" | "in progress" | "not started")

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "ready": list(self.ready),
            "missing": [{"name": n, "path": p} for n, p in self.missing],
            "priorities": [{"priority": p, "state": s} for p, s in self.priorities],
        }


def job_readiness(agent: AgentStrategy, status: StatusReport) -> Readiness:
    ready = tuple(c.item.name for c in status.portfolio if c.ready)
    missing = tuple((c.item.name, c.item.path or "") for c in status.portfolio if not c.ready)
    states = []
    for priority in agent.priorities:

        def covers(title: str, p: str = priority) -> bool:
            return similar_titles(title, p) or mentions(title, p)

        if any(covers(t.title) for t in status.tasks if t.done):
            states.append((priority, "done"))
        elif any(covers(t.title) for t in status.tasks):
            states.append((priority, "in progress"))
        else:
            states.append((priority, "not started"))
    return Readiness(agent.target or agent.id, ready, missing, tuple(states))


def commit_message(
    agent: str | None, document: FocusDocument, status: StatusReport, today: date
) -> str:
    """Names the agent, what was completed today, and the portfolio progress."""
    done_today = [t.title for t in document.tasks if t.done and t.completed_on == today]
    who = agent or "agent"
    folio = f"portfolio {status.portfolio_done}/{len(status.portfolio)}"
    subject = (
        f"focus({who}): {len(done_today)} done today, {folio}"
        if done_today
        else f"focus({who}): progress update, {folio}"
    )
    body = (
        ["Completed today:", *[f"- {title}" for title in done_today]]
        if done_today
        else ["Nothing ticked today."]
    )
    missing = [c.item.name for c in status.portfolio if not c.ready]
    body += [
        "",
        f"Sprint {status.tasks_done}/{len(status.tasks)} done; {folio} ready"
        + (f" (missing: {', '.join(missing)})" if missing else ""),
    ]
    return subject + "\n\n" + "\n".join(body) + "\n"


@dataclass(frozen=True)
class CommitResult:
    committed: bool
    sha: str | None
    message: str
    pushed: bool | None
    note: str | None


def commit_focus_file(path: Path, root: Path, message: str, push: bool) -> CommitResult:
    """Commit the focus file and nothing else: not other staged files, never .agent.env."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return CommitResult(False, None, message, None, "not a git worktree: nothing committed")
    relative = str(path.resolve().relative_to(Path(repo.working_tree_dir or root).resolve()))
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


@dataclass
class Evening:
    agent: str | None
    update: UpdateOutcome
    commit: CommitResult | None
    status: StatusReport
    readiness: Readiness | None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "commit": None if self.commit is None else dataclasses.asdict(self.commit),
            "readiness": None if self.readiness is None else self.readiness.to_json(),
            "notes": self.notes,
            "status": self.status.to_json(),
        }


def evening(
    path: Path,
    root: Path,
    config: FocusConfig,
    agent_option: str | None,
    *,
    commit: bool,
    push: bool,
    today: date,
) -> Evening:
    document = read_document(path)
    agent = resolve_agent(root, agent_option, document)
    updated = update_focus(path, root, config, agent)
    status = load_status(path)
    notes: list[str] = []
    result = None
    if commit:
        result = commit_focus_file(
            path, root, commit_message(agent, read_document(path), status, today), push
        )
        if result.committed:
            subject = result.message.splitlines()[0]
            journal(
                root,
                "commit",
                {"sha": result.sha, "subject": subject, "pushed": result.pushed},
                agent,
            )
    done_today = [t for t in status.tasks if t.done and t.completed_on == today]
    mirror_note = mirror_run(
        config, "evening", agent, {"commit": (result.sha or "") if result else ""},
        {
            "tasks_done_today": len(done_today), "sprint_done": status.tasks_done, "sprint_total": len(status.tasks),
            "portfolio_ready": status.portfolio_done, "portfolio_total": len(status.portfolio),
        },
    )  # fmt: skip
    if mirror_note:
        notes.append(mirror_note)
    readiness = None
    try:
        strategy, missing = agent_strategy(root, agent)
    except FocusError as exc:  # a broken strategy must not cost the evening its commit
        strategy, missing = None, str(exc)
    if strategy is not None:
        readiness = job_readiness(strategy, status)
    elif missing:
        notes.append(f"no job readiness: {missing}")
    return Evening(agent, updated, result, status, readiness, notes)
