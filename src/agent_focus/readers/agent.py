"""Who an agent is: the one rule that names the agent of a worktree.

`--agent`, else `$AGENT_ID`, else the worktree's `.agent.env` (what `focus init` wrote and
the agent's shell sources), else the focus file's Identity section (`Agent: A1`). Every command, event and view goes through :func:`resolve_agent`
(or, for another worktree's file, :func:`identify_agent`, the same rule without the
caller's option and environment).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from agent_focus.focusfile.model import FocusDocument, SectionKind
from agent_focus.focusfile.parse import section_fields
from agent_focus.readers.workspace import read_agent_env


@dataclass(frozen=True)
class AgentIdentity:
    id: str | None
    role: str | None


def identify_agent(document: FocusDocument | None, root: Path) -> AgentIdentity:
    """What a worktree's own files say: ``.agent.env``, else the Identity section (whose
    Role, written by a human, wins over the env file's)."""
    fields = section_fields(document, SectionKind.IDENTITY) if document is not None else {}
    env = read_agent_env(root)
    agent_id = env.get("AGENT_ID") or fields.get("agent") or fields.get("id")
    role = fields.get("role") or fields.get("job target") or env.get("AGENT_ROLE")
    return AgentIdentity(agent_id.split()[0].upper() if agent_id else None, role)


def resolve_agent(option: str | None, document: FocusDocument | None, root: Path) -> str | None:
    """``--agent``, else ``$AGENT_ID``, else :func:`identify_agent`; None if nothing says."""
    chosen = option or os.environ.get("AGENT_ID")
    if chosen:
        return chosen.strip().upper()
    return identify_agent(document, root).id
