"""`focus usage` reads the agents' logs first: only what was appended since last time.

For each log the journal remembers its identity (device, inode), size, the byte offset up to
the last complete line, and a digest of its head. An appended log is read from its offset;
a torn last line is left for next time; a log that was replaced, truncated or rewritten is
read whole again (its old calls are forgotten first). Logs are only ever opened to read.
One ingester runs at a time (a lock beside the journal); a second one waits, then finds
nothing new, so nothing is counted twice.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from agent_focus.ingest.guards import ingesting
from agent_focus.ingest.locate import LogFile, claude_roots, codex_roots, in_order, misnamed
from agent_focus.ingest.pending import changed_paths, find_paths, to_read
from agent_focus.ingest.report import IngestReport
from agent_focus.ingest.store import (
    count_calls,
    forget_all,
    forget_reread,
    mark_reread,
    read_identities,
    read_marks,
    save_marks,
)
from agent_focus.journal.db import open_log

if TYPE_CHECKING:
    from agent_focus.config import Price
    from agent_focus.ingest.claude import Pricer
    from agent_focus.ingest.pool import Readers
    from agent_focus.ingest.readers import Found, Todo
    from agent_focus.journal.known_rates import KnownRates

Progress = Callable[[int, int], None]  # (files done, bytes done)

PARALLEL_BYTES = 48 * 1024 * 1024  # below this, one process is done before a pool helps


def ingest_logs(
    folder: Path,
    overrides: dict[str, Price] | Callable[[], dict[str, Price]] | None = None,
    files: list[LogFile] | None = None,
    progress: Progress | None = None,
    *,
    again: bool = False,
    wait: bool = True,
    waiting: Callable[[], None] | None = None,
    budget: int | None = None,
) -> IngestReport:
    """Read what is new in every agent log into the journal in ``folder``, in one
    transaction: an interrupted run leaves the journal as it was.

    Logs whose identity and size are as last time are not opened (and when none is new,
    the journal is not written and the parsers are not even imported). When much is new, two
    reader processes parse the logs (:mod:`agent_focus.ingest.pool`; forked with no journal
    open, so they hold no SQLite connection, and on a first read before the logs are even
    listed) while this one adds their calls in sorted path order: the order, and so the
    de-duplication, is the one of a single reader. ``overrides`` (focus.yaml's prices) may
    be a function: it is called only on a first read or when some log has something new.
    ``again``: every log read again whole, the calls read from it before forgotten first, in
    the same transaction (their prices are those of now: focus.yaml's, the catalogue's); the
    calls of logs no longer on disk are kept as they are, with a warning. Without ``wait``,
    another ingester at work raises :class:`BlockingIOError` instead of being waited for,
    and another writer of the journal is waited for half a second, not 30; with it,
    ``waiting`` is called before the wait (to say why nothing happens). What this process
    reads itself (no reader processes, no progress to show as it goes) is parsed before the
    journal is locked for writing: a hook waits for that lock a fraction of a second. ``budget``: more new bytes than that are left alone (nothing read), for a
    read that shows its progress (`focus usage`)."""
    journal_wait = 30.0 if wait else 0.5
    with ingesting(folder, wait, waiting), contextlib.ExitStack() as running:
        readers: Readers | None = None
        db = open_log(folder, journal_wait)
        try:
            identities = {} if again else read_identities(db)  # only we touch log_files
            if not identities and _read_ahead():
                db.close()  # a first read: the readers ahead, with no journal open
                from agent_focus.ingest.pool import Readers

                readers = running.enter_context(
                    contextlib.closing(Readers(2, functools.partial(_pricer, overrides)))
                )
                db = open_log(folder, journal_wait)
            if files is None:  # sorted below, only the logs that have something new
                claude, codex = find_paths(db)
                listed = len(claude) + len(codex)
                changed = in_order(changed_paths(claude, identities), "claude")
                changed += in_order(changed_paths(codex, identities), "codex")
            else:
                listed = len(files)
                moved = set(changed_paths([log.path for log in files], identities))
                changed = [log for log in files if log.path in moved]
            changed, unnamed = misnamed(changed)
            marks = read_marks(db, [log.path for log in changed]) if changed and identities else {}  # fmt: skip
        finally:
            db.close()
        report = IngestReport(files=listed, warnings=unnamed)
        todo: Todo = []
        for log in changed:
            mark = marks.get(log.path)
            size = to_read(log, mark)
            if size is not None:
                todo.append((log, mark, size))
        if not todo and not again:
            return report  # nothing new: no parser to import, no transaction to open
        if budget is not None and sum(size for _log, _mark, size in todo) > budget:
            return report  # a backlog: left to a read that shows its progress
        from agent_focus.ingest.bulk import bulk_load, checkpoint_behind
        from agent_focus.ingest.dedupe import Deduper
        from agent_focus.ingest.hours import HourSums, hours_kept
        from agent_focus.ingest.pool import Readers, read_in_order
        from agent_focus.journal.known_rates import KnownRates

        known = KnownRates(folder)  # the rates of the models priced before: no catalogue
        price = _pricer(overrides, known)  # here too: a bad focus.yaml is said as such
        if sum(size for _log, _mark, size in todo) < PARALLEL_BYTES:
            if readers is not None:
                readers.close()  # too little to read for them to help
                readers = None
        elif readers is None and (os.cpu_count() or 1) > 1:
            from agent_focus.journal.pricing import load_catalogue

            load_catalogue()  # here: the readers then import nothing (another thread may be)
            readers = running.enter_context(contextlib.closing(Readers(2, lambda: price)))
        found_logs: Iterable[Found] = read_in_order(todo, readers, price, report, known.learn)
        if readers is None and progress is None:  # parsed now, not with the journal locked
            found_logs = list(found_logs)  # for writing: a hook waits for it 0.3 s at most
        db = open_log(folder, journal_wait)
        try:
            # The journal stays consistent if the machine dies (WAL); only this last read
            # could be lost, and it is done again next time.
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA cache_size = -16384")  # 16 MiB: a first read writes many pages
            db.execute("PRAGMA recursive_triggers = ON")  # hours_kept sees REPLACE's removals
            with db, contextlib.ExitStack() as stack:
                db.execute("BEGIN IMMEDIATE")
                kept = mark_reread(db, [log.path for log, _mark, _size in todo]) if again else 0
                if again and not kept:
                    forget_all(db)  # then read as a first read is
                empty = db.execute("SELECT 1 FROM agent_usage LIMIT 1").fetchone() is None
                first_read = HourSums() if empty else None
                stack.enter_context(hours_kept(db, first_read))
                stack.enter_context(bulk_load(db))
                if kept:  # the calls of logs no longer on disk stay, as they were priced
                    forget_reread(db)
                    report.warnings.append(
                        f"kept {kept} call{'' if kept == 1 else 's'} of logs no longer read (gone from"
                        " disk?), as priced when they were read"
                    )
                before = count_calls(db)
                calls = Deduper(db, first_read, repricing=kept > 0)
                skipped_files = listed - len(todo)
                new_marks = []
                for done, ((log, _mark, _size), found) in enumerate(
                    zip(todo, found_logs, strict=True), skipped_files + 1
                ):
                    if found is None and again:  # forgotten, and not read: nothing changes
                        raise _unread(log.path, report)
                    if found is not None:
                        mark, records, reset, read = found
                        if reset:
                            calls.flush()
                            calls.forget(mark.path)
                        calls.add_all(records)
                        new_marks.append(mark)
                        if len(new_marks) >= 1024:  # written while the readers read
                            save_marks(db, new_marks)
                            new_marks.clear()
                        report.files_read += 1
                        report.calls_read += read
                    if progress:
                        progress(done, report.bytes_read)
                calls.close()
                save_marks(db, new_marks)
                stack.close()  # the indexes and the hourly sums, before the commit
                report.calls_added = count_calls(db) - before
            if first_read is not None and report.calls_added:  # its WAL, copied behind
                checkpoint_behind(folder)
            known.save()  # the rates looked up: by this process, or the readers
        finally:
            db.close()
    return report


def _unread(path: str, report: IngestReport) -> Exception:
    """A log that could not be read again (``--reread``): its calls would be lost."""
    from agent_focus.errors import NoDataError

    said = next((w for w in reversed(report.warnings) if w.startswith(path)), f"{path}: unread")
    return NoDataError(f"{said}; nothing read again (the journal is as it was): run it again")


def _read_ahead() -> bool:
    """Whether a first read forks its first reader before it lists the logs: on more than
    one core, when some log folder holds anything, and when this process runs no other
    thread (`focus serve`'s requests, a progress bar), which the reader's imports (the
    catalogue, focus.yaml's prices) could meet half done: a lock held forever in the child."""
    import threading

    if (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return False
    for root in claude_roots() + codex_roots():
        with contextlib.suppress(OSError), os.scandir(root) as entries:
            if next(entries, None) is not None:
                return True
    return False


def _pricer(
    overrides: dict[str, Price] | Callable[[], dict[str, Price]] | None,
    known: KnownRates | None = None,
) -> Pricer:
    """The price of a call by focus.yaml's ``overrides`` (called if a function), else by the
    catalogue's rates: those ``known`` (kept by an earlier run), else the catalogue's own (a
    first read's readers: they load the catalogue anyway)."""
    from agent_focus.ingest.dedupe import pricer_for

    table = (overrides() if callable(overrides) else overrides) or {}
    return pricer_for(table, known) if known is not None else pricer_for(table)
