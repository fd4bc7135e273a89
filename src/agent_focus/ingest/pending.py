"""Which agent logs have something new since the journal last read them: their paths found
(the directories unchanged since last time not listed again), the logs whose identity and
size changed, and how many bytes each may have to be read (a stat each, no open)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from agent_focus.ingest.locate import LogFile, in_order, log_paths
from agent_focus.ingest.store import FileMark, read_dirs, read_marks, save_dirs
from agent_focus.journal.db import open_log


def find_paths(db: sqlite3.Connection) -> tuple[set[str], set[str]]:
    """The paths of every Claude and every Codex log, in no order, the directories unchanged
    since last time not listed again."""
    before = read_dirs(db)
    known = dict(before)
    found = log_paths(known)
    save_dirs(db, before, known)
    return found


def find_logs(folder: Path) -> list[LogFile]:
    """Every agent log, in order (:func:`agent_focus.ingest.run.ingest_logs` finds them
    itself when not given them)."""
    db = open_log(folder)
    try:
        claude, codex = find_paths(db)
    finally:
        db.close()
    return in_order(claude, "claude") + in_order(codex, "codex")


def pending_bytes(folder: Path, files: list[LogFile], again: bool = False) -> int:
    """How much there is to read (:func:`to_read` of each log; ``again``: every log whole):
    for the progress bar's decision and its total."""
    marks = {}
    if not again:
        db = open_log(folder)
        try:
            marks = read_marks(db)
        finally:
            db.close()
    return sum(to_read(log, marks.get(log.path)) or 0 for log in files)


def changed_paths(paths: Iterable[str], identities: dict[str, tuple[int, int, int]]) -> list[str]:
    """The logs that may have something new: those whose (device, inode, size) is not as
    last time, or that cannot be stat'ed (:func:`to_read` then looks closer). One stat each
    and a tuple compared: most logs are as last time. With none known (a first read), every
    path, not stat'ed here (:func:`to_read` stats each)."""
    if not identities:
        return list(paths)
    stat, known = os.stat, identities.get
    changed = []
    for path in paths:
        try:
            info = stat(path)
        except OSError:
            changed.append(path)
            continue
        if known(path) != (info.st_dev, info.st_ino, info.st_size):
            changed.append(path)
    return changed


def to_read(log: LogFile, mark: FileMark | None) -> int | None:
    """Bytes a log may have to be read (a stat, no open); None when it is as last time."""
    try:
        info = os.stat(log.path)
    except OSError:
        return 0  # read_log says why
    if mark is None or (mark.device, mark.inode) != (info.st_dev, info.st_ino):
        return info.st_size
    if info.st_size == mark.size:
        return None
    return info.st_size - mark.offset if info.st_size >= mark.offset else info.st_size
