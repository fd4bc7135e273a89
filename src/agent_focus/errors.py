"""The one error hierarchy of agent-focus, and the exit codes of the CLI contract.

The core raises these; only the CLI edge catches them, prints one line and exits.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitStatus(IntEnum):
    """Exit codes of every `focus` command (DESIGN.md, CLI contract)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    SLO_VIOLATED = 3
    NO_DATA = 4


class FocusError(Exception):
    """A failure the user can act on, shown as one line without a traceback."""

    exit_status = ExitStatus.ERROR

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class UsageError(FocusError):
    """An option with a value we do not know; the message names the valid ones (exit 2)."""

    exit_status = ExitStatus.USAGE


class NoDataError(FocusError):
    """A source we need could not be read (exit 4)."""

    exit_status = ExitStatus.NO_DATA


class FocusFileError(FocusError):
    """A focus file that cannot be read or has no structure we need."""


class StrategyError(FocusError):
    """AI_JOB_STRATEGY.md cannot be read, or names no such agent."""


class TaskNotFoundError(FocusError):
    """No task, or more than one, matches what the user asked for. ``candidates`` are the
    best few; ``count`` is how many there were in all."""

    def __init__(
        self, message: str, *, path: Path, candidates: list[str], count: int | None = None
    ):
        super().__init__(message, path=path)
        self.candidates = candidates
        self.count = len(candidates) if count is None else count

    @property
    def more(self) -> str | None:
        """``... and N more`` when the candidates shown are not all of them."""
        left = self.count - len(self.candidates)
        return f"... and {left:,} more" if left > 0 else None


class FocusFileLockedError(FocusFileError):
    """Another writer held the focus file's lock for longer than we may wait."""


class ConcurrentEditError(FocusError):
    """The file kept changing under us; nothing was written."""


class AlreadyExistsError(FocusError):
    """A file we would create is already there; we never overwrite it."""
