"""In-process tests of reading and writing focus files (`focusfile/files.py`, `store.py`,
`lock.py`) on real files in tmp dirs: the refusals, the cap, leases, the atomic swap, the
re-apply when an editor saves meanwhile, the lock and the temp-file sweep.

`tests/test_concurrency.py` and the CLI tests prove the same through `focus` subprocesses,
which mutation testing cannot see (docs/testing.md). Where a race has to happen at one
exact moment, the edit operation itself plays the other writer: it runs between our read
and our swap, as an editor's save would.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from agent_focus.errors import (
    ConcurrentEditError,
    FocusFileError,
    StrategyError,
    TaskNotFoundError,
)
from agent_focus.focusfile import complete_task, edit_document, read_document, store
from agent_focus.focusfile.files import (
    MAX_FILE_BYTES,
    drop_lease,
    exchange,
    hold_read_lease,
    lease_broken,
    open_regular,
    read_fd,
    read_regular_file,
)
from agent_focus.focusfile.lock import file_lock, remove_stale_temp_files
from agent_focus.focusfile.model import FocusDocument
from agent_focus.focusfile.source import Splice
from agent_focus.focusfile.store import Edit, read_bytes, target_of

DAY = date(2026, 1, 2)
SPRINT = "# F\n\n## Current Sprint\n- [ ] Write the runbook\n- [ ] Ship it\n\n## Notes\nkeep\n"
TICKED = (
    "# F\n\n## Current Sprint\n- [x] Write the runbook ✅ 2026-01-02\n- [ ] Ship it\n\n"
    "## Notes\nkeep\n"
)


def focus_file(tmp_path: Path, text: str = SPRINT) -> Path:
    path = tmp_path / "AGENT_FOCUS.md"
    path.write_text(text, encoding="utf-8")
    return path


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@contextlib.contextmanager
def without_file_permissions() -> Iterator[None]:
    """Act as a user without root's right to read anything: as root, the file system user
    of this thread becomes `nobody` (setfsuid drops the override capabilities)."""
    if os.geteuid() != 0:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.setfsuid(65534)
    try:
        yield
    finally:
        libc.setfsuid(0)


# --- reading: only regular files, capped, one-line errors ----------------------------------


def test_a_missing_file_says_how_to_make_one_and_names_the_path_given(tmp_path: Path) -> None:
    link = tmp_path / "AGENT_FOCUS.md"
    link.symlink_to(tmp_path / "gone.md")
    with pytest.raises(FocusFileError) as caught:
        read_bytes(link)
    assert str(caught.value) == (
        f"{link}: no such file (run `focus init --agent A1` to create one)"
    )
    with pytest.raises(FocusFileError) as custom:
        read_bytes(tmp_path / "x.md", missing="no strategy here")
    assert str(custom.value) == f"{tmp_path / 'x.md'}: no strategy here"


def test_a_symlink_is_read_through_to_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = focus_file(tmp_path / "real")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert target_of(link) == target
    assert read_bytes(link) == SPRINT.encode()
    assert read_document(link).path == link
    assert [t.title for t in read_document(link).tasks] == ["Write the runbook", "Ship it"]


@pytest.mark.parametrize("shown", [None, Path("shown.md")])
def test_a_directory_is_refused_before_reading(tmp_path: Path, shown: Path | None) -> None:
    before = open_fds()
    with pytest.raises(FocusFileError) as caught:
        read_regular_file(tmp_path, missing="?", shown=shown)
    name = tmp_path if shown is None else shown
    assert str(caught.value) == f"{name}: is a directory, not a regular file; refusing to read it"
    assert open_fds() == before  # the descriptor was closed


def test_a_fifo_is_refused_at_once_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "AGENT_FOCUS.md"
    os.mkfifo(fifo)
    before = open_fds()
    started = time.monotonic()
    with pytest.raises(FocusFileError) as caught:
        read_bytes(fifo)
    assert time.monotonic() - started < 2
    assert str(caught.value) == (
        f"{fifo}: is a FIFO (named pipe), not a regular file; refusing to read it"
    )
    assert open_fds() == before


def test_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "AGENT_FOCUS.md"
    link.symlink_to("/dev/zero")
    with pytest.raises(FocusFileError) as caught:
        read_bytes(link)
    assert str(caught.value) == (
        f"{link}: is a character device, not a regular file; refusing to read it"
    )


def test_a_file_we_may_not_read_says_permission_denied(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    path.chmod(0o000)
    with without_file_permissions(), pytest.raises(FocusFileError) as caught:
        read_bytes(path)
    assert str(caught.value) == f"{path}: permission denied"
    with without_file_permissions(), pytest.raises(StrategyError) as strategy:
        read_regular_file(path, missing="?", error=StrategyError)
    assert str(strategy.value) == f"{path}: permission denied"


def test_other_open_errors_say_cannot_open_and_why(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    under_a_file = path / "x.md"
    with pytest.raises(FocusFileError) as caught:
        read_bytes(under_a_file)
    # realpath does not resolve through a file, so the error names the path as given
    assert str(caught.value) == f"{under_a_file}: cannot open: Not a directory"
    loop = tmp_path / "loop.md"
    loop.symlink_to(loop)
    with pytest.raises(StrategyError) as looped:
        open_regular(loop, missing="?", error=StrategyError)
    assert str(looped.value) == f"{loop}: cannot open: Too many levels of symbolic links"
    sock_path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(FocusFileError) as sock_error:
            read_bytes(sock_path)
    assert str(sock_error.value) == f"{sock_path}: cannot open: No such device or address"


def test_open_regular_names_the_shown_path_and_raises_the_given_error(tmp_path: Path) -> None:
    with pytest.raises(StrategyError) as caught:
        open_regular(tmp_path / "a.md", missing="not here", error=StrategyError, shown=Path("b"))
    assert (str(caught.value), caught.value.path) == ("b: not here", Path("b"))
    fd = open_regular(focus_file(tmp_path), missing="?")
    try:
        assert os.read(fd, 3) == b"# F"
        assert os.get_inheritable(fd) is False
    finally:
        os.close(fd)


def test_a_binary_file_is_refused_naming_the_line_of_its_first_nul(tmp_path: Path) -> None:
    path = tmp_path / "AGENT_FOCUS.md"
    path.write_bytes(b"# F\r\nok\n\xff\x00\x00")
    before = open_fds()
    with pytest.raises(FocusFileError) as caught:
        read_bytes(path)
    assert str(caught.value) == f"{path}:3: is a binary file (NUL byte), not text"
    assert open_fds() == before
    with pytest.raises(StrategyError) as strategy:
        read_regular_file(path, missing="?", error=StrategyError, shown=Path("S.md"))
    assert str(strategy.value) == "S.md:3: is a binary file (NUL byte), not text"


def test_files_larger_than_the_cap_are_refused_and_smaller_ones_read_whole(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.md"
    data = (b"0123456789abcde\n" * (MAX_FILE_BYTES // 16))[:MAX_FILE_BYTES]
    big.write_bytes(data)
    assert read_regular_file(big, missing="?") == data  # exactly the cap: read, in chunks
    with big.open("ab") as handle:
        handle.write(b"!")
    with pytest.raises(FocusFileError) as caught:
        read_regular_file(big, missing="?", shown=Path("B.md"))
    assert str(caught.value) == "B.md: is larger than 16 MB; refusing to read it"
    with pytest.raises(StrategyError):
        read_regular_file(big, missing="?", error=StrategyError)
    three_chunks = tmp_path / "three.md"
    three_chunks.write_bytes(bytes(range(1, 256)) * 10_000)
    assert read_regular_file(three_chunks, missing="?") == bytes(range(1, 256)) * 10_000


def test_read_fd_reads_from_the_start_and_reports_read_errors(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.read(fd, 5)
        assert read_fd(fd, path) == SPRINT.encode()  # from offset 0, wherever the fd was
    finally:
        os.close(fd)
    dir_fd = os.open(tmp_path, os.O_RDONLY)
    try:
        with pytest.raises(StrategyError) as caught:
            read_fd(dir_fd, Path("d"), StrategyError)
        assert str(caught.value) == "d: cannot read: Is a directory"
        with pytest.raises(FocusFileError):
            read_fd(dir_fd, Path("d"))
    finally:
        os.close(dir_fd)


# --- leases: a writer in progress is waited out, a later one is seen ------------------------


def test_a_read_lease_is_held_until_dropped_and_a_writer_breaks_it(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert lease_broken(fd) is True  # no lease held: nothing to rely on
        assert hold_read_lease(fd) is True
        assert lease_broken(fd) is False
        with pytest.raises(BlockingIOError):
            os.open(path, os.O_WRONLY | os.O_NONBLOCK)  # a writer must wait, and is seen
        assert lease_broken(fd) is True
        drop_lease(fd)
        writer = os.open(path, os.O_WRONLY | os.O_NONBLOCK)  # no lease: it opens at once
        os.close(writer)
    finally:
        os.close(fd)
    assert lease_broken(fd) is True  # a closed descriptor has no lease


def test_a_lease_is_not_had_while_someone_writes_and_waiting_is_bounded(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    writer = os.open(path, os.O_WRONLY)
    fd = os.open(path, os.O_RDONLY)
    try:
        started = time.monotonic()
        assert hold_read_lease(fd, timeout=0.1) is False
        assert 0.1 <= time.monotonic() - started < 0.8  # it polled, it did not nap
        os.close(writer)
        writer = -1
        assert hold_read_lease(fd, timeout=0.1) is True
        drop_lease(fd)
    finally:
        os.close(fd)
        if writer != -1:
            os.close(writer)


def test_a_writer_that_closes_soon_is_waited_for(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    writer = os.open(path, os.O_WRONLY)
    timer = threading.Timer(0.1, os.close, (writer,))
    timer.start()
    fd = os.open(path, os.O_RDONLY)
    try:
        assert hold_read_lease(fd) is True
        drop_lease(fd)
    finally:
        timer.join()
        os.close(fd)


def test_where_no_lease_can_be_had_we_do_not_wait() -> None:
    fd = os.open("/dev/null", os.O_RDONLY)
    try:
        started = time.monotonic()
        assert hold_read_lease(fd, timeout=5) is False
        assert time.monotonic() - started < 1
    finally:
        os.close(fd)


def test_exchange_swaps_two_names_atomically_or_says_why_not(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.write_text("A")
    second.write_text("B")
    assert exchange(first, second) is True
    assert (first.read_text(), second.read_text()) == ("B", "A")
    assert exchange(first, second) is True
    assert (first.read_text(), second.read_text()) == ("A", "B")
    with pytest.raises(FileNotFoundError) as caught:
        exchange(first, tmp_path / "missing")
    assert caught.value.filename == str(tmp_path / "missing")
    assert caught.value.strerror == "No such file or directory"
    assert first.read_text() == "A"


# --- writing: atomic, through symlinks, keeping the mode and every other byte ---------------


def test_an_edit_swaps_in_a_new_file_keeping_every_other_byte_and_the_mode(
    tmp_path: Path,
) -> None:
    path = focus_file(tmp_path)
    path.chmod(0o2640)
    inode = path.stat().st_ino
    done = edit_document(path, complete_task("Write the runbook", DAY))
    assert done.task.title == "Write the runbook"
    assert path.read_text(encoding="utf-8") == TICKED
    assert path.stat().st_ino != inode  # a new file swapped in, never written in place
    assert stat.S_IMODE(path.stat().st_mode) == 0o2640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]  # no temp, no lock


def test_an_edit_that_changes_nothing_does_not_rewrite_the_file(tmp_path: Path) -> None:
    path = focus_file(tmp_path, TICKED)
    before = path.stat()
    done = edit_document(path, complete_task("Write the runbook", DAY))
    assert done.already_done
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]


def test_a_symlink_is_written_through_to_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = focus_file(tmp_path / "real")
    link = tmp_path / "AGENT_FOCUS.md"
    link.symlink_to(Path("real") / "AGENT_FOCUS.md")
    edit_document(link, complete_task("Write the runbook", DAY))
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == TICKED
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["AGENT_FOCUS.md"]


def test_an_operation_that_fails_leaves_the_file_untouched(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    inode = path.stat().st_ino
    with pytest.raises(TaskNotFoundError):
        edit_document(path, complete_task("nothing like it", DAY))
    no_sprint = "# F\n\n## Notes\nkeep\n"
    path.write_text(no_sprint, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(FocusFileError) as caught:
        edit_document(path, complete_task("Ship it", DAY))
    # a structural error may be a half-saved file: it is watched for a moment, then reported
    assert 0.09 <= time.monotonic() - started < 5
    assert "has no sprint section" in str(caught.value)
    assert path.read_text(encoding="utf-8") == no_sprint
    assert path.stat().st_ino == inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]


def test_editing_a_missing_file_says_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(FocusFileError) as caught:
        edit_document(tmp_path / "AGENT_FOCUS.md", complete_task("x", DAY))
    assert str(caught.value) == f"{tmp_path / 'AGENT_FOCUS.md'}: no such file"


def test_editing_a_binary_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "AGENT_FOCUS.md"
    path.write_bytes(b"# F\n\x00")
    with pytest.raises(FocusFileError) as caught:
        edit_document(path, complete_task("x", DAY))
    assert str(caught.value) == f"{path}:2: is a binary file (NUL byte), not markdown"


def test_stale_temp_files_of_this_file_only_are_swept(tmp_path: Path) -> None:
    path = tmp_path / "AGENT[1].md"
    path.write_text(SPRINT, encoding="utf-8")
    stale = tmp_path / ".AGENT[1].md.k1lled.tmp"
    stale.write_text("half")
    others = [tmp_path / ".AGENT1.md.x.tmp", tmp_path / ".other.md.x.tmp", tmp_path / "n.tmp"]
    for other in others:
        other.write_text("keep")
    edit_document(path, complete_task("Ship it", DAY))
    assert not stale.exists()
    assert all(other.exists() for other in others)
    remove_stale_temp_files(tmp_path / "none.md")  # nothing to sweep: no error


def test_a_write_that_fails_leaves_the_file_and_no_temp_file(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, limits[1]))
    try:
        with pytest.raises(FocusFileError) as caught:
            edit_document(path, complete_task("Write the runbook", DAY))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)
    assert str(caught.value) == f"{path}: cannot write: File too large"
    assert path.read_text(encoding="utf-8") == SPRINT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]


# --- another writer meanwhile: their save is kept, our operation re-applied on it -----------


def tick_after(
    calls: list[str], meanwhile: dict[int, object]
) -> Callable[[FocusDocument], Edit[str]]:
    """Tick "Ship it"; on the attempts named in ``meanwhile``, first do what another writer
    does at that moment (between our read and our swap)."""
    tick = complete_task("Ship it", DAY)

    def operation(document: FocusDocument) -> Edit[str]:
        calls.append(document.source.text)
        action = meanwhile.get(len(calls))
        if callable(action):
            action()
        edit = tick(document)
        return Edit(edit.splices, f"attempt {len(calls)}")

    return operation


def test_an_editor_saving_in_place_meanwhile_is_kept_and_the_tick_re_applied(
    tmp_path: Path,
) -> None:
    path = focus_file(tmp_path)
    theirs = SPRINT.replace("keep\n", "keep\nsaved by a human\n")

    def save_in_place() -> None:
        with path.open("r+", encoding="utf-8") as handle:
            handle.write(theirs)

    calls: list[str] = []
    assert edit_document(path, tick_after(calls, {1: save_in_place})) == "attempt 2"
    assert calls == [SPRINT, theirs]
    assert path.read_text(encoding="utf-8") == theirs.replace(
        "- [ ] Ship it", "- [x] Ship it ✅ 2026-01-02"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]


def test_an_editor_renaming_its_file_in_meanwhile_is_kept_and_the_tick_re_applied(
    tmp_path: Path,
) -> None:
    path = focus_file(tmp_path)
    theirs = SPRINT.replace("# F", "# Renamed in")

    def save_by_rename() -> None:
        fresh = tmp_path / "editor-save"
        fresh.write_text(theirs, encoding="utf-8")
        os.replace(fresh, path)

    calls: list[str] = []
    assert edit_document(path, tick_after(calls, {1: save_by_rename, 2: save_by_rename})) == (
        "attempt 3"
    )
    assert calls == [SPRINT, theirs, theirs]
    assert path.read_text(encoding="utf-8") == theirs.replace(
        "- [ ] Ship it", "- [x] Ship it ✅ 2026-01-02"
    )


def test_a_file_removed_while_we_edit_is_an_error_not_a_recreation(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    calls: list[str] = []
    with pytest.raises(FocusFileError) as caught:
        edit_document(path, tick_after(calls, {1: path.unlink}))
    assert str(caught.value) == f"{path}: was removed while we edited it"
    assert not path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_half_saved_file_is_read_again_once_the_save_is_done(tmp_path: Path) -> None:
    path = focus_file(tmp_path, "# F\n")  # the editor has written its first line only
    calls: list[str] = []

    def finish_the_save_soon() -> None:
        threading.Timer(0.03, path.write_text, (SPRINT,), {"encoding": "utf-8"}).start()

    result = edit_document(path, tick_after(calls, {1: finish_the_save_soon}))
    assert result == "attempt 2"
    assert calls == ["# F\n", SPRINT]
    assert path.read_text(encoding="utf-8") == SPRINT.replace(
        "- [ ] Ship it", "- [x] Ship it ✅ 2026-01-02"
    )


def test_a_file_removed_after_a_failed_read_is_then_missing(tmp_path: Path) -> None:
    path = focus_file(tmp_path, "# F\n")
    calls: list[str] = []
    with pytest.raises(FocusFileError) as caught:
        edit_document(path, tick_after(calls, {1: path.unlink}))
    assert str(caught.value) == f"{path}: no such file"
    assert len(calls) == 1


def test_a_file_that_keeps_changing_gives_up_without_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_RETRY_SECONDS", 0.3)
    path = focus_file(tmp_path)
    saves: list[str] = []

    def operation(document: FocusDocument) -> Edit[None]:
        saves.append(f"save {len(saves)}\n")
        path.write_text(SPRINT + saves[-1], encoding="utf-8")  # an editor saving on and on
        return Edit([Splice(0, 1, ("# Ours\n",))], None)

    started = time.monotonic()
    with pytest.raises(ConcurrentEditError) as caught:
        edit_document(path, operation)
    elapsed = time.monotonic() - started
    assert str(caught.value) == (
        f"{path}: kept changing while we edited it (for 0 s); nothing written"
    )
    assert path.read_text(encoding="utf-8") == SPRINT + saves[-1]
    # the pause between attempts doubles from 1 ms up to 50 ms: about 14 tries in 0.3 s
    assert 0.25 <= elapsed < 2
    assert 5 <= len(saves) <= 40
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]


# --- the swap's own checks, at the moments an operation cannot reach ------------------------


def test_the_held_file_knows_whether_it_is_still_the_one_at_the_path(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    held = store._Held.open(path, Path("shown"))
    try:
        assert held.data == SPRINT.encode()
        assert held.still_as_read(path) is True
        assert held.leased is True
        assert held.is_unchanged_at(path) is True
        with pytest.raises(BlockingIOError):
            os.open(path, os.O_WRONLY | os.O_NONBLOCK)  # a writer is now waiting
        assert held.is_unchanged_at(path) is False
    finally:
        held.close()
    assert held.leased is True  # dropped on close, and the writer may now open it
    os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def test_without_a_lease_the_held_file_compares_bytes(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    held = store._Held.open(path, path)
    try:
        assert held.leased is False
        assert held.is_unchanged_at(path) is True
        path.write_text(SPRINT.upper(), encoding="utf-8")
        assert held.is_unchanged_at(path) is False
        assert held.still_as_read(path) is False
        held.leased = False
        other = tmp_path / "other"
        other.write_text(SPRINT, encoding="utf-8")
        assert held.is_unchanged_at(other) is False  # same bytes, another file
    finally:
        held.close()


def test_the_held_file_notices_a_save_in_progress(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    held = store._Held.open(path, path)
    try:
        started = time.monotonic()
        assert held.changes_soon(path) is False
        assert time.monotonic() - started >= 0.09  # it watched for a while
        threading.Timer(0.03, path.write_text, ("# F\n",)).start()
        assert held.changes_soon(path) is True
        path.unlink()
        assert held.changes_soon(path) is True
    finally:
        held.close()


def test_opening_the_held_file_refuses_what_reading_refuses(tmp_path: Path) -> None:
    before = open_fds()
    with pytest.raises(FocusFileError) as caught:
        store._Held.open(tmp_path / "none.md", Path("shown.md"))
    assert str(caught.value) == "shown.md: no such file"
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(FocusFileError) as big:
        store._Held.open(path, Path("shown.md"))
    assert str(big.value) == "shown.md: is larger than 16 MB; refusing to read it"
    assert open_fds() == before  # the descriptor is closed on the way out


def test_the_swap_puts_the_other_writers_file_back(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    held = store._Held.open(path, path)
    try:
        assert held.still_as_read(path)
        writer = os.open(path, os.O_RDONLY)  # reading does not break the lease
        os.close(writer)
        assert store._swap_in(path, b"ours\n", held) is True
        assert path.read_bytes() == b"ours\n"
    finally:
        held.close()
    held = store._Held.open(path, path)
    try:
        path.write_bytes(b"theirs\n")
        assert store._swap_in(path, b"ours again\n", held) is False
        assert path.read_bytes() == b"theirs\n"
    finally:
        held.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]


def test_where_files_cannot_be_swapped_they_are_replaced_if_unchanged(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    tmp = tmp_path / "new"
    tmp.write_bytes(b"new\n")
    held = store._Held.open(path, path)
    try:
        path.write_bytes(b"theirs\n")
        assert store._replace_if_unchanged(tmp, path, held) is False
        assert (path.read_bytes(), tmp.exists()) == (b"theirs\n", True)
    finally:
        held.close()
    held = store._Held.open(path, path)
    try:
        assert store._replace_if_unchanged(tmp, path, held) is True
        assert (path.read_bytes(), tmp.exists()) == (b"new\n", False)
    finally:
        held.close()


def test_the_temp_file_is_beside_the_target_with_its_mode(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    tmp = store._write_temp(path, b"data", 0o640)
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".AGENT_FOCUS.md.") and tmp.name.endswith(".tmp")
    assert tmp.read_bytes() == b"data"
    assert stat.S_IMODE(tmp.stat().st_mode) == 0o640


# --- the lock: one writer at a time, across threads and processes --------------------------


def test_the_lock_excludes_a_second_holder_until_released(tmp_path: Path) -> None:
    path = tmp_path / "AGENT_FOCUS.md"
    lock_path = tmp_path / ".AGENT_FOCUS.md.lock"
    order: list[str] = []
    got_it = threading.Event()

    def second() -> None:
        with file_lock(path):
            order.append("second")
            got_it.set()

    with file_lock(path):
        assert lock_path.exists()
        thread = threading.Thread(target=second)
        thread.start()
        assert not got_it.wait(0.2)
        order.append("first done")
    thread.join(5)
    assert order == ["first done", "second"]
    assert not lock_path.exists()


def test_a_waiter_whose_lock_file_was_removed_takes_a_fresh_one(tmp_path: Path) -> None:
    path = tmp_path / "AGENT_FOCUS.md"
    lock_path = tmp_path / ".AGENT_FOCUS.md.lock"
    seen: list[bool] = []
    waiting = threading.Event()

    def second() -> None:
        waiting.set()
        with file_lock(path):
            seen.append(lock_path.exists())  # the lock file a third writer would meet

    with file_lock(path):
        thread = threading.Thread(target=second)
        thread.start()
        waiting.wait(5)
        time.sleep(0.1)  # the second waits on the lock file we are about to remove
    thread.join(5)
    assert seen == [True]
    assert not lock_path.exists()


def test_a_lock_that_cannot_be_made_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "no-such-dir" / "AGENT_FOCUS.md"
    with pytest.raises(FocusFileError) as caught, file_lock(path):
        pass
    assert str(caught.value) == f"{path}: cannot lock: No such file or directory"


def test_the_lock_file_is_removed_even_when_the_holder_fails(tmp_path: Path) -> None:
    path = tmp_path / "AGENT_FOCUS.md"
    before = open_fds()
    with pytest.raises(RuntimeError), file_lock(path):
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    assert open_fds() == before


def test_read_errors_name_the_path_read_when_no_other_is_shown(tmp_path: Path) -> None:
    path = tmp_path / "S.md"
    path.write_bytes(b"a\x00\nb\x00")
    with pytest.raises(StrategyError) as caught:
        read_regular_file(path, missing="?", error=StrategyError)
    assert str(caught.value) == f"{path}:1: is a binary file (NUL byte), not text"


def test_reading_invalid_utf8_names_the_file_and_line(tmp_path: Path) -> None:
    path = focus_file(tmp_path)
    path.write_bytes(b"# F\n\xff\n")
    with pytest.raises(FocusFileError) as caught:
        read_document(path)
    assert str(caught.value) == f"{path}:2: is not valid UTF-8 (byte 0xff at offset 4)"


def test_editing_through_a_link_names_the_link_in_errors(tmp_path: Path) -> None:
    link = tmp_path / "AGENT_FOCUS.md"
    link.symlink_to(tmp_path)
    with pytest.raises(FocusFileError) as caught:
        edit_document(link, complete_task("x", DAY))
    assert str(caught.value) == (f"{link}: is a directory, not a regular file; refusing to read it")


def test_dropping_a_lease_never_fails() -> None:
    fd = os.open("/dev/null", os.O_RDONLY)
    os.close(fd)
    drop_lease(fd)  # a closed descriptor: nothing to drop, no error


def test_exchange_loads_libc_once_and_takes_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent_focus.focusfile import files

    monkeypatch.setattr(files, "_libc", None)
    monkeypatch.chdir(tmp_path)
    Path("a").write_text("A")
    Path("b").write_text("B")
    assert exchange(Path("a"), Path("b")) is True
    assert (Path("a").read_text(), Path("b").read_text()) == ("B", "A")
    loaded = files._libc
    assert loaded is not None
    with pytest.raises(FileNotFoundError):
        exchange(Path("a"), Path("missing"))
    assert files._libc is loaded


def test_exchange_says_no_where_the_kernel_finds_the_swap_invalid(tmp_path: Path) -> None:
    outer = tmp_path / "d"
    (outer / "sub").mkdir(parents=True)
    # a directory cannot trade places with its own subdirectory (EINVAL)
    assert exchange(outer, outer / "sub") is False
    assert (outer / "sub").is_dir()


def test_a_stale_temp_name_that_cannot_be_removed_is_left(tmp_path: Path) -> None:
    odd = tmp_path / ".AGENT_FOCUS.md.dir.tmp"
    odd.mkdir()
    remove_stale_temp_files(tmp_path / "AGENT_FOCUS.md")
    assert odd.is_dir()
