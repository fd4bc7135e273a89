"""`focus sync`: bring Identity & Mission, Service Ownership and the portfolio checklist in
line with AI_JOB_STRATEGY.md. It changes values and adds lines; it never removes a line a
human added, and never touches any other section."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent_focus.focusfile.edits import insert_splice
from agent_focus.focusfile.matching import normalise_title
from agent_focus.focusfile.model import FocusDocument, SectionKind
from agent_focus.focusfile.parse import FIELD_RE, section_bullets, section_field_lines
from agent_focus.focusfile.source import Splice, line_ending
from agent_focus.focusfile.store import Edit
from agent_focus.readers.strategy import AgentStrategy

if TYPE_CHECKING:
    from agent_focus.readers.workspace import Workspace


@dataclass(frozen=True)
class SyncResult:
    changes: tuple[str, ...]
    missing_sections: tuple[str, ...]

    def to_json(self) -> dict[str, list[str]]:
        return {"changes": list(self.changes), "missing_sections": list(self.missing_sections)}


def desired_identity(agent: AgentStrategy) -> dict[str, str]:
    """The Identity & Mission fields the strategy implies, in the order they are written."""
    fields = {"Agent": agent.id}
    if agent.target:
        fields["Role"] = agent.target
    for key, value in agent.fields.items():
        if key not in ("services", "agent", "role"):
            fields[key.title()] = value
    if "mission" not in agent.fields and agent.priorities:
        fields["Mission"] = agent.priorities[0]
    return fields


def _after_last(document: FocusDocument, kind: SectionKind, lines: list[int]) -> int:
    """Where new lines of a section go: after its last bullet, else after its heading."""
    section = document.section(kind)
    assert section is not None
    return max(lines) + 1 if lines else section.body_start


def sync_with_strategy(
    agent: AgentStrategy, exists: Callable[[str], bool]
) -> Callable[[FocusDocument], Edit[SyncResult]]:
    def operation(document: FocusDocument) -> Edit[SyncResult]:
        source = document.source
        newline = source.newline
        splices: list[Splice] = []
        changes: list[str] = []
        missing: list[str] = []

        if document.section(SectionKind.IDENTITY) is None:
            missing.append("Identity & Mission")
        else:
            present = section_field_lines(document, SectionKind.IDENTITY)
            added: list[str] = []
            for key, value in desired_identity(agent).items():
                found = present.get(key.lower())
                if found is None:
                    added.append(f"- {key}: {value}")
                    changes.append(f"Identity: + {key}: {value}")
                elif found[1] != value:
                    index, old = found
                    line = source.lines[index]
                    match = FIELD_RE.match(line[: len(line) - len(line_ending(line))])
                    assert match is not None
                    new = line[: match.start("value")] + value + line[match.end("value") :]
                    splices.append(Splice(index, index + 1, (new,)))
                    changes.append(f"Identity: {key}: {old!r} -> {value!r}")
            if added:
                at = _after_last(document, SectionKind.IDENTITY, [i for i, _ in present.values()])
                splices.append(insert_splice(source.lines, at, added, newline))

        if document.section(SectionKind.SERVICES) is None:
            missing.append("Service Ownership")
        else:
            have = {normalise_title(s) for s in section_bullets(document, SectionKind.SERVICES)}
            new_services = [s for s in agent.services if normalise_title(s) not in have]
            if new_services:
                section = document.section(SectionKind.SERVICES)
                assert section is not None
                at = section.end
                while at > section.body_start and not source.lines[at - 1].strip():
                    at -= 1
                splices.append(
                    insert_splice(source.lines, at, [f"- {s}" for s in new_services], newline)
                )
                changes += [f"Services: + {s}" for s in new_services]

        if document.section(SectionKind.PORTFOLIO) is None:
            missing.append("Portfolio Checklist")
        else:
            known_paths = {item.path for item in document.portfolio if item.path}
            known_names = {normalise_title(item.name) for item in document.portfolio}
            new_items = [
                t for t in agent.portfolio
                if (t.path and t.path not in known_paths) or (not t.path and normalise_title(t.name) not in known_names)
            ]  # fmt: skip
            if new_items:
                section = document.section(SectionKind.PORTFOLIO)
                assert section is not None
                at = document.portfolio[-1].end if document.portfolio else section.end
                while at > section.body_start and not source.lines[at - 1].strip():
                    at -= 1
                texts = [
                    f"- [{'x' if t.path and exists(t.path) else ' '}] {t.name}"
                    + (f": `{t.path}`" if t.path else "")
                    for t in new_items
                ]
                splices.append(insert_splice(source.lines, at, texts, newline))
                changes += [
                    f"Portfolio: + {t.name}" + (f" ({t.path})" if t.path else "") for t in new_items
                ]

        return Edit(splices, SyncResult(tuple(changes), tuple(missing)))

    return operation


def run_sync(workspace: Workspace, dry_run: bool) -> SyncResult:
    """Sync the workspace's focus file with its agent's strategy (written unless ``dry_run``)."""
    from agent_focus.errors import FocusError
    from agent_focus.focusfile.store import edit_document, read_document
    from agent_focus.journal.events import EventKind, journal
    from agent_focus.readers.portfolio import file_exists
    from agent_focus.readers.strategy import read_strategy

    path = workspace.focus_file
    read_document(path)  # a missing or broken file is the first error
    if workspace.agent is None:
        raise FocusError("which agent? pass --agent A1 or set AGENT_ID (or .agent.env)", path=path)
    agent = read_strategy(workspace.strategy_file).agent(workspace.agent)

    operation = sync_with_strategy(agent, functools.partial(file_exists, workspace.root))
    if dry_run:
        return operation(read_document(path)).result
    result = edit_document(path, operation)
    if result.changes:
        journal(workspace, EventKind.SYNC, {"changes": list(result.changes)})
    return result
