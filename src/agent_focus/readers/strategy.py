"""Read AI_JOB_STRATEGY.md: one ``## A1 — Job target`` section per agent.

Under each agent heading, ``- Key: value`` bullets carry fields (Worktree, Services,
Mission, ...) and ``###`` subsections carry lists: Priorities, Portfolio, Requirements.
Errors name the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agent_focus.errors import StrategyError
from agent_focus.focusfile.parse import FIELD_RE, block_parser, normalise_words, split_name_and_path
from agent_focus.focusfile.source import Source

if TYPE_CHECKING:
    from agent_focus.readers.workspace import Workspace

_AGENT_HEADING_RE = re.compile(r"^(?P<id>[A-Za-z]{1,8}\d{1,3})(?![\w])[\s\-–—:·|]*(?P<target>.*)$")
_LIST_MARK_RE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")


@dataclass(frozen=True)
class PortfolioTarget:
    """A portfolio artifact the strategy asks for."""

    name: str
    path: str | None


@dataclass
class AgentStrategy:
    """One agent of the strategy. ``line`` is the 1-based line of its heading."""

    id: str
    target: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    priorities: list[str] = field(default_factory=list)
    portfolio: list[PortfolioTarget] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)

    @property
    def services(self) -> list[str]:
        raw = self.fields.get("services", "")
        return [name.strip().strip("`") for name in re.split(r"[,;]", raw) if name.strip()]

    @property
    def worktree(self) -> str | None:
        return self.fields.get("worktree")


@dataclass(frozen=True)
class Strategy:
    path: Path
    agents: tuple[AgentStrategy, ...]

    def find(self, agent_id: str) -> AgentStrategy | None:
        """The agent with this id (case-insensitive), or None."""
        return next((a for a in self.agents if a.id.casefold() == agent_id.casefold()), None)

    def agent(self, agent_id: str) -> AgentStrategy:
        """The agent with this id (case-insensitive), or a StrategyError naming the known ones."""
        found = self.find(agent_id)
        if found is not None:
            return found
        known = ", ".join(a.id for a in self.agents) or "none"
        raise StrategyError(f"names no agent {agent_id!r} (agents: {known})", path=self.path)


def _subsection(title: str) -> str | None:
    words = normalise_words(title)
    for name in ("priorities", "portfolio", "requirements"):
        if any(word.startswith(name[:8]) for word in words):
            return name
    return None


def parse_strategy(source: Source, path: Path) -> Strategy:
    """Parse the strategy text. Pure."""
    lines = source.lines
    tokens = block_parser().parse(source.body)
    agents: list[AgentStrategy] = []
    current: AgentStrategy | None = None
    subsection: str | None = None
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            text = tokens[index + 1].content.strip()
            if token.tag in ("h1", "h2"):
                current, subsection = None, None
                match = _AGENT_HEADING_RE.match(text) if token.tag == "h2" else None
                if match:
                    line = token.map[0] + 1
                    agent_id = match.group("id").upper()
                    if any(a.id == agent_id for a in agents):
                        first = next(a.line for a in agents if a.id == agent_id)
                        raise StrategyError(
                            f"agent {agent_id} is defined twice (first on line {first})",
                            path=path,
                            line=line,
                        )
                    current = AgentStrategy(agent_id, match.group("target").strip(), line)
                    agents.append(current)
            elif current is not None:
                subsection = _subsection(text)
            continue
        if current is None or token.type != "list_item_open" or token.level != 1 or not token.map:
            continue
        raw = lines[token.map[0]].rstrip("\r\n")
        if subsection is None:
            field_match = FIELD_RE.match(raw)
            if field_match and field_match.group("value"):
                current.fields.setdefault(
                    field_match.group("key").strip().lower(), field_match.group("value")
                )
            continue
        text = _LIST_MARK_RE.sub("", raw, count=1).strip()
        if not text:
            continue
        if subsection == "portfolio":
            current.portfolio.append(PortfolioTarget(*split_name_and_path(text)))
        elif subsection == "priorities":
            current.priorities.append(text)
        else:
            current.requirements.append(text)
    return Strategy(path, tuple(agents))


def agent_strategy(workspace: Workspace) -> tuple[AgentStrategy | None, str | None]:
    """The strategy of the workspace's agent, or None and why (no file, no agent id, an
    agent the strategy does not name). A malformed strategy still raises."""
    path, agent_id = workspace.strategy_file, workspace.agent
    if not path.exists():
        return None, f"no strategy at {path}"
    if agent_id is None:
        return None, "no agent id (pass --agent or set AGENT_ID)"
    strategy = read_strategy(path)
    found = strategy.find(agent_id)
    if found is None:
        known = ", ".join(a.id for a in strategy.agents) or "none"
        return None, f"{path}: names no agent {agent_id!r} (agents: {known})"
    return found, None


def read_strategy(path: Path) -> Strategy:
    """Read and parse the strategy file at ``path``: a regular file, capped in size."""
    from agent_focus.focusfile.files import read_regular_file

    data = read_regular_file(
        path, missing="no such file (the job strategy, AI_JOB_STRATEGY.md)", error=StrategyError
    )
    return parse_strategy(Source.from_bytes(data, path), path)
