"""Read a focus file's structure from markdown-it-py block tokens and their line maps.

Only block structure is used: a heading or task item inside a code block, an HTML block
or a block quote is text. Front matter is blanked (not removed) before parsing so that
line numbers still match the file.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from agent_focus.focusfile.model import (
    ChecklistItem,
    FocusDocument,
    PortfolioItem,
    Section,
    SectionKind,
    Task,
)
from agent_focus.focusfile.source import Source, line_ending

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.token import Token

# Order matters: the human's Notes win any tie, so an ambiguous heading is never edited.
_KEYWORDS: tuple[tuple[SectionKind, tuple[str, ...]], ...] = (
    (SectionKind.NOTES, ("note", "learning")),
    (SectionKind.IDENTITY, ("identity", "mission")),
    (SectionKind.SERVICES, ("service",)),
    (SectionKind.SPRINT, ("sprint",)),
    (SectionKind.PORTFOLIO, ("portfolio",)),
    (SectionKind.METRICS, ("metric",)),
)

ITEM_RE = re.compile(
    r"^(?P<lead>[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)\[(?P<mark>[ xX])\](?P<rest>(?:[ \t].*)?)$"
)
_TOKEN_TASK_RE = re.compile(r"^\[[ xX]\](?:[ \t]|$)")
DONE_MARK_RE = re.compile(r"[ \t]*✅[ \t]*(\d{4}-\d{2}-\d{2})[ \t]*$")
_CODE_SPAN_RE = re.compile(r"(`+)(?P<code>.+?)\1")
_LINK_RE = re.compile(r"\[(?P<label>[^\]]*)\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_NAME_STRIP = " \t:-–—·|,;("


@lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Block structure is all we read; inline parsing would cost a third of the time.
    parser = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])
    tokenize = parser.block.tokenize

    def bounded_tokenize(state: StateBlock, start: int, end: int) -> None:
        # markdown-it stops parsing the whole rest of the document at maxNesting. Nesting is
        # cut here instead: the too-deep container's own lines are skipped, and what follows
        # it (the next top-level task, the next heading) is parsed. Recursion stays bounded.
        if state.level >= state.md.options.maxNesting:
            state.line = _end_of_container(state, start, end)
            return
        tokenize(state, start, end)

    parser.block.tokenize = bounded_tokenize  # type: ignore[method-assign,assignment]
    return parser


def _end_of_container(state: StateBlock, start: int, end: int) -> int:
    """The first line after ``start`` indented less than the container being parsed."""
    line = start
    while line < end and (state.isEmpty(line) or state.sCount[line] >= state.blkIndent):
        line += 1
    return line


def section_kind(title: str) -> SectionKind | None:
    """Which section a heading names, by keyword, ignoring case, emoji and punctuation."""
    words = normalise_words(title)
    for kind, keywords in _KEYWORDS:
        if any(word.startswith(key) for word in words for key in keywords):
            return kind
    return None


def normalise_words(text: str) -> list[str]:
    """Lower-case words of ``text`` with punctuation, symbols and emoji dropped."""
    kept = [
        ch if unicodedata.category(ch)[0] in "LN" else " "
        for ch in unicodedata.normalize("NFKC", text)
    ]
    return "".join(kept).lower().split()


def _front_matter_end(lines: tuple[str, ...]) -> int:
    """Number of lines of YAML front matter at the top (0 when there is none)."""
    if not lines or lines[0].rstrip("\r\n") != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n") in ("---", "..."):
            return index + 1
    return 0


def parse_source(source: Source, path: Path) -> FocusDocument:
    """Parse ``source`` into a :class:`FocusDocument`. Pure: reads nothing, writes nothing."""
    lines = source.lines
    skip = _front_matter_end(lines)
    text = "".join(line_ending(line) or "\n" for line in lines[:skip]) + "".join(lines[skip:])
    tokens = block_parser().parse(text)

    title: str | None = None
    heads: list[tuple[int, int, int, str]] = []  # (level, start, body_start, text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            heading_text = tokens[index + 1].content.strip()
            level = int(token.tag[1])
            if level == 1 and title is None:
                title = heading_text
            if level <= 2:
                heads.append((level, token.map[0], token.map[1], heading_text))

    sections: list[Section] = []
    for position, (level, start, body_start, heading_text) in enumerate(heads):
        if level != 2:
            continue
        end = heads[position + 1][1] if position + 1 < len(heads) else len(lines)
        sections.append(Section(section_kind(heading_text), heading_text, start, body_start, end))

    document = FocusDocument(path, source, title, tuple(sections), (), ())
    items = list(_checklist_items(tokens, lines))
    sprint = document.section(SectionKind.SPRINT)
    portfolio = document.section(SectionKind.PORTFOLIO)
    tasks = tuple(_task(item) for item in items if sprint and _inside(item, sprint))
    folio = tuple(_portfolio_item(item) for item in items if portfolio and _inside(item, portfolio))
    return FocusDocument(path, source, title, tuple(sections), tasks, folio)


def _inside(item: ChecklistItem, section: Section) -> bool:
    return section.body_start <= item.line < section.end


def _checklist_items(tokens: list[Token], lines: tuple[str, ...]) -> list[ChecklistItem]:
    """Every top-level (not nested, not quoted) GFM task item in the document."""
    found: list[ChecklistItem] = []
    for index, token in enumerate(tokens):
        if token.type != "list_item_open" or token.level != 1 or not token.map:
            continue
        paragraph, inline = tokens[index + 1], tokens[index + 2]
        if paragraph.type != "paragraph_open" or not paragraph.map:
            continue
        if paragraph.map[0] != token.map[0] or not _TOKEN_TASK_RE.match(inline.content):
            continue
        raw = lines[token.map[0]].rstrip("\r\n")
        match = ITEM_RE.match(raw)
        if match is None:
            continue
        text = match.group("rest").strip()
        if not text:
            continue
        done = match.group("mark") != " "
        found.append(ChecklistItem(text, done, token.map[0], token.map[1]))
    return found


def _task(item: ChecklistItem) -> Task:
    completed_on: date | None = None
    title = item.text
    mark = DONE_MARK_RE.search(title)
    if mark:
        title = title[: mark.start()].rstrip()
        try:
            completed_on = date.fromisoformat(mark.group(1))
        except ValueError:
            completed_on = None
    return Task(item.text, item.done, item.line, item.end, title=title, completed_on=completed_on)


def split_name_and_path(text: str) -> tuple[str, str | None]:
    """``MLflow screenshot: `docs/m.png``` -> (name, path); a link works as a path too."""
    code = _CODE_SPAN_RE.search(text)
    link = _LINK_RE.search(text)
    if link and (code is None or link.start() < code.start()):
        path = link.group("target")
        label = link.group("label").strip().strip("`")
        before = text[: link.start()].strip(_NAME_STRIP)
        return before or label or path, path
    if code:
        path = code.group("code").strip()
        before = text[: code.start()].strip(_NAME_STRIP)
        after = text[code.end() :].strip(_NAME_STRIP + ")")
        return before or after or path, path or None
    return text.strip(), None


def _portfolio_item(item: ChecklistItem) -> PortfolioItem:
    name, path = split_name_and_path(item.text)
    return PortfolioItem(item.text, item.done, item.line, item.end, name=name, path=path)


FIELD_RE = re.compile(
    r"^[ \t]{0,3}[-*+][ \t]+(?:\*\*|__)?(?P<key>[^:*_`\[\]]{1,40}?)(?:\*\*|__)?[ \t]*:"
    r"(?:\*\*|__)?[ \t]*(?P<value>.*?)[ \t]*$"
)
_FENCE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


def section_field_lines(document: FocusDocument, kind: SectionKind) -> dict[str, tuple[int, str]]:
    """``- Key: value`` bullets of a section: lower-cased key -> (0-based line, value).
    Code fences are skipped; the first bullet of a key wins."""
    section = document.section(kind)
    if section is None:
        return {}
    fields: dict[str, tuple[int, str]] = {}
    fence: str | None = None
    for index in range(section.body_start, section.end):
        content = document.source.lines[index].rstrip("\r\n")
        opener = _FENCE_RE.match(content)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        match = FIELD_RE.match(content)
        if match and match.group("value"):
            fields.setdefault(match.group("key").strip().lower(), (index, match.group("value")))
    return fields


def section_fields(document: FocusDocument, kind: SectionKind) -> dict[str, str]:
    """``- Key: value`` bullets of a section, keys lower-cased."""
    return {key: value for key, (_, value) in section_field_lines(document, kind).items()}


_BULLET_RE = re.compile(r"^[ \t]{0,3}[-*+][ \t]+(?P<text>.+?)[ \t]*$")


def section_bullets(document: FocusDocument, kind: SectionKind) -> list[str]:
    """The text of the top-level bullets of a section (Service Ownership's services)."""
    section = document.section(kind)
    if section is None:
        return []
    found = []
    for line in document.source.lines[section.body_start : section.end]:
        match = _BULLET_RE.match(line.rstrip("\r\n"))
        if match and not match.group("text").startswith("("):
            found.append(match.group("text").strip("`"))
    return found
