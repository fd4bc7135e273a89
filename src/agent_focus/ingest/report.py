"""What one ingest did: files and bytes read, calls read and added, lines skipped by reason."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from agent_focus.plain import Plain


class IngestReport(Plain):
    """A plain class, not a dataclass: `focus usage` builds one on every run, and importing
    dataclasses costs more than a warm run's report (readers.workspace.Workspace says why)."""

    FIELDS: ClassVar[tuple[str, ...]] = ("files", "files_read", "bytes_read", "calls_read", "calls_added", "skipped", "warnings")  # fmt: skip
    __slots__ = ("bytes_read", "calls_added", "calls_read", "files", "files_read", "skipped", "warnings")  # fmt: skip

    def __init__(
        self,
        files: int = 0,
        files_read: int = 0,
        bytes_read: int = 0,
        calls_read: int = 0,
        calls_added: int = 0,
        skipped: Counter[str] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.files = files
        self.files_read = files_read
        self.bytes_read = bytes_read
        self.calls_read = calls_read
        self.calls_added = calls_added
        self.skipped: Counter[str] = Counter() if skipped is None else skipped
        self.warnings: list[str] = [] if warnings is None else warnings

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "files_read": self.files_read,
            "bytes_read": self.bytes_read,
            "calls_read": self.calls_read,
            "calls_added": self.calls_added,
            "skipped_lines": sum(self.skipped.values()),
            "skipped_by_reason": dict(sorted(self.skipped.items())),
            "warnings": self.warnings,
        }
