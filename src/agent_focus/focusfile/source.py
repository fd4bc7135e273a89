"""The bytes of a focus file as lines, and splices that change only the lines they mean to.

The text is split exactly where markdown-it-py splits it (``\\r\\n``, ``\\r`` or ``\\n``), so
the line numbers of its token maps index :attr:`Source.lines` directly. Every line keeps its
own ending, the BOM is kept aside, and joining the lines gives back the original bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from agent_focus.errors import FocusFileError

BOM = "\ufeff"
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_ENDING_RE = re.compile(r"(\r\n|\r|\n)$")
_BYTE_BREAK_RE = re.compile(rb"\r\n|\r|\n")


def line_number_at(data: bytes, offset: int) -> int:
    """1-based line of byte ``offset``, counting line breaks as the parser does."""
    return len(_BYTE_BREAK_RE.findall(data, 0, offset)) + 1


def split_lines(text: str) -> list[str]:
    """Split ``text`` into lines that keep their endings; ``"".join`` restores it."""
    return _LINE_RE.findall(text)


def line_ending(line: str) -> str:
    """The ending of one line: ``"\\r\\n"``, ``"\\r"``, ``"\\n"`` or ``""`` for the last."""
    match = _ENDING_RE.search(line)
    return match.group(1) if match else ""


@dataclass(frozen=True)
class Splice:
    """Replace lines ``start``..``end`` (0-based, end exclusive) with ``new_lines``.

    ``start == end`` inserts before line ``start``. New lines carry their own endings.
    """

    start: int
    end: int
    new_lines: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """A decoded focus file: its lines (with endings) and whether it began with a BOM."""

    lines: tuple[str, ...]
    bom: bool = False

    @classmethod
    def from_text(cls, text: str) -> Source:
        bom = text.startswith(BOM)
        return cls(tuple(split_lines(text[1:] if bom else text)), bom)

    @classmethod
    def from_bytes(cls, data: bytes, path: Path) -> Source:
        """Decode ``data`` read from ``path``; binary or invalid UTF-8 is a one-line error."""
        if b"\x00" in data:
            line = line_number_at(data, data.index(b"\x00"))
            raise FocusFileError("is a binary file (NUL byte), not markdown", path=path, line=line)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = line_number_at(data, exc.start)
            raise FocusFileError(
                f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                path=path,
                line=line,
            ) from None
        return cls.from_text(text)

    @property
    def body(self) -> str:
        """The text without the BOM: what the markdown parser reads."""
        return "".join(self.lines)

    @property
    def text(self) -> str:
        """The whole text, BOM included, exactly as it was read."""
        return (BOM if self.bom else "") + self.body

    def to_bytes(self) -> bytes:
        return self.text.encode("utf-8")

    @property
    def newline(self) -> str:
        """The file's dominant line ending, used for lines the tool adds."""
        counts = {"\n": 0, "\r\n": 0, "\r": 0}
        for line in self.lines:
            ending = line_ending(line)
            if ending:
                counts[ending] += 1
        best = max(counts, key=lambda k: counts[k])
        return best if counts[best] else "\n"

    def apply(self, splices: list[Splice]) -> Source:
        """Apply non-overlapping splices; every line outside them is kept as it is."""
        ordered = sorted(splices, key=lambda s: (s.start, s.end))
        out: list[str] = []
        cursor = 0
        for splice in ordered:
            if splice.start < cursor or splice.end < splice.start or splice.end > len(self.lines):
                raise ValueError(f"overlapping or out-of-range splice {splice}")
            out.extend(self.lines[cursor : splice.start])
            out.extend(splice.new_lines)
            cursor = splice.end
        out.extend(self.lines[cursor:])
        return Source(tuple(out), self.bom)
