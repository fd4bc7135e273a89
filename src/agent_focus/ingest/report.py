"""What one ingest did: files and bytes read, calls read and added, lines skipped by reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class IngestReport:
    files: int = 0
    files_read: int = 0
    bytes_read: int = 0
    calls_read: int = 0
    calls_added: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

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
