"""Hostile focus files: deep nesting, saves racing our write, symlinks, non-regular files.

Every child runs under a time limit and an address-space limit, so a bug that reads
forever or hangs fails the test instead of taking the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from agent_focus.focusfile import complete_task, edit_document, read_document, store
from tests.conftest import EXAMPLE_DIR, Result, example_workspace

MEMORY_LIMIT = 2 * 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_focus(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> Result:
    """The real CLI in a child process bounded in time and memory."""
    done = subprocess.run(
        [sys.executable, "-m", "agent_focus", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(result: Result, name: str, *words: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and all(word in lines[0] for word in words), lines[0]


# --- 1. nesting ---------------------------------------------------------------------------


def nested_sprint(depth: int) -> str:
    """The example focus file with ``depth`` levels of sub-tasks under its first task."""
    text = (EXAMPLE_DIR / "AGENT_FOCUS.md").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("- [ ] "))
    nested = ["  " * level + f"- [ ] Sub-task at level {level}\n" for level in range(1, depth + 1)]
    return "".join(lines[: first + 1] + nested + lines[first + 1 :])


@pytest.mark.parametrize("depth", [10, 50, 1000])
def test_deep_nesting_hides_no_task_and_plan_never_writes_the_notes(repo: Path, depth: int) -> None:
    workspace = example_workspace(repo)
    path = workspace / "AGENT_FOCUS.md"
    flat = json.loads(run_focus("status", "--json", cwd=workspace).stdout)["sprint"]
    path.write_text(nested_sprint(depth), encoding="utf-8")
    started = time.monotonic()
    result = run_focus("status", "--json", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 20
    sprint = json.loads(result.stdout)["sprint"]
    assert (sprint["done"], sprint["total"]) == (flat["done"], flat["total"])
    assert [t["title"] for t in sprint["tasks"]] == [t["title"] for t in flat["tasks"]]

    before = path.read_text(encoding="utf-8")
    notes_at = before.index("## 📝 Notes & Learnings")
    planned = run_focus("plan", "--json", cwd=workspace)
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout)["added"], "the planner added nothing; the test proves nothing"
    after = path.read_text(encoding="utf-8")
    assert after.endswith(before[notes_at:]), "plan wrote into Notes & Learnings"


# --- 2. a save between our check and our replace ------------------------------------------

SPRINT = "# F\n\n## Current Sprint\n- [ ] One\n- [ ] Two\n\n## Notes\n"
TICKED = "# F\n\n## Current Sprint\n- [x] One ✅ 2026-01-02\n- [ ] Two\n\n## Notes\n"


def _editor_renames_its_file_in(target: Path, text: str) -> None:
    temp = target.with_name("editor-save.tmp")
    temp.write_text(text)
    os.rename(temp, target)


@pytest.mark.parametrize("how", ["rename", "in-place"])
def test_a_save_landing_just_before_our_replace_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """White box: the editor saves at the last moment, right before the file is swapped
    (today: between the unchanged-check and ``os.replace``)."""
    target = tmp_path / "AGENT_FOCUS.md"
    target.write_text(SPRINT)
    human = SPRINT + "human typed this\n"
    saved: list[str] = []
    editors: list[subprocess.Popen[bytes]] = []

    def save_now() -> None:
        if saved:
            return
        saved.append(how)
        if how == "rename":
            _editor_renames_its_file_in(target, human)
            return
        # An editor writing in place, from another process (as a human's would be).
        script = "import sys; open(sys.argv[1], 'r+').write(sys.argv[2])"
        editors.append(subprocess.Popen([sys.executable, "-c", script, str(target), human]))
        time.sleep(0.5)  # it has opened the file (or is waiting to) and will write

    real_exchange = getattr(store, "exchange", None)
    real_replace = os.replace

    def exchange_after_a_save(first: Path, second: Path) -> bool:
        save_now()
        assert real_exchange is not None
        return bool(real_exchange(first, second))

    def replace_after_a_save(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == target:
            save_now()
        real_replace(src, dst)

    if real_exchange is not None:
        monkeypatch.setattr(store, "exchange", exchange_after_a_save)
    monkeypatch.setattr(store.os, "replace", replace_after_a_save)

    edit_document(target, complete_task("One", date(2026, 1, 2)))
    monkeypatch.undo()
    assert saved == [how]
    assert [editor.wait(timeout=60) for editor in editors] == [0] * len(editors)
    assert target.read_text() == TICKED + "human typed this\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]


def test_a_file_caught_half_saved_is_read_again(repo: Path) -> None:
    """An editor has truncated the file and not yet written it back: we wait, not fail."""
    path = repo / "AGENT_FOCUS.md"
    path.write_text(SPRINT)
    script = (
        "import sys, time\n"
        "f = open(sys.argv[1], 'w'); print('truncated', flush=True)\n"
        "time.sleep(0.5); f.write(sys.argv[2]); f.close()\n"
    )
    editor = subprocess.Popen(
        [sys.executable, "-c", script, str(path), SPRINT + "note\n"], stdout=subprocess.PIPE
    )
    assert editor.stdout is not None and editor.stdout.readline() == b"truncated\n"
    result = run_focus("complete", "One", cwd=repo)
    assert editor.wait(timeout=30) == 0
    assert result.returncode == 0, result.stderr
    assert read_document(path).tasks[0].done
    assert path.read_text().endswith("## Notes\nnote\n")


EDITOR = r"""
import ctypes, os, sys, time
path, stop, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
libc = ctypes.CDLL(None, use_errno=True)

def exchange(a, b):
    if libc.renameat2(-100, a.encode(), -100, b.encode(), 2) != 0:
        raise OSError(ctypes.get_errno(), "renameat2")

def read(fd):
    os.lseek(fd, 0, 0)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)

def save_by_rename(note):
    # A careful editor: its own save never clobbers what was written after it loaded.
    while True:
        fd = os.open(path, os.O_RDONLY)
        data, ino = read(fd), os.fstat(fd).st_ino
        temp = os.path.join(os.path.dirname(path), "editor.swp")
        with open(temp, "wb") as out:
            out.write(data + note)
        exchange(temp, path)
        same = os.stat(temp).st_ino == ino and open(temp, "rb").read() == data
        if not same:
            exchange(temp, path)  # somebody wrote meanwhile: theirs back, load again
        os.unlink(temp)
        os.close(fd)
        if same:
            return

def save_in_place(note):
    with open(path, "r+b") as f:  # one descriptor to load and save: no stale buffer
        data = f.read()
        f.seek(0)
        f.truncate()
        f.flush()
        time.sleep(0.001)  # caught half-saved, if anyone reads now
        f.write(data + note)

count = 0
while count < limit and not os.path.exists(stop):
    note = b"- note %d\n" % count
    (save_by_rename if count % 2 else save_in_place)(note)
    count += 1
    time.sleep(0.05)  # twenty saves a second: faster than any human
print(count)
"""


def test_many_completes_and_an_editor_saving_lose_no_note_and_no_tick(repo: Path) -> None:
    """Black box: `focus complete` processes race an editor that keeps appending notes,
    saving by rename and in place. Every tick and every note must survive."""
    path = repo / "AGENT_FOCUS.md"
    titles = [f"Task number {i:02d}" for i in range(24)]
    path.write_text(
        "# F\n\n## Current Sprint\n" + "".join(f"- [ ] {t}\n" for t in titles) + "\n## Notes\n"
    )
    stop = repo / "stop-editing"
    editor = subprocess.Popen(
        [sys.executable, "-c", EDITOR, str(path), str(stop), "3000"],
        stdout=subprocess.PIPE,
        preexec_fn=_limit_memory,
    )
    started = time.monotonic()
    failures: list[str] = []
    try:
        pending = list(titles)
        running: list[tuple[str, subprocess.Popen[str]]] = []
        while pending or running:
            while pending and len(running) < 8:
                title = pending.pop()
                child = subprocess.Popen(
                    [sys.executable, "-m", "agent_focus", "complete", title],
                    cwd=repo,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                    preexec_fn=_limit_memory,
                )
                running.append((title, child))
            title, child = running.pop(0)
            _, err = child.communicate(timeout=60)
            if child.returncode != 0:
                failures.append(f"{title}: {err.strip()}")
            assert time.monotonic() - started < 150
    finally:
        stop.touch()
        out, _ = editor.communicate(timeout=60)
    notes = int(out)
    assert not failures, failures
    assert notes > 20, "the editor hardly saved; the test proved nothing"
    document = read_document(path)
    assert [t.title for t in document.tasks] == titles
    assert all(t.done for t in document.tasks), [t.title for t in document.tasks if not t.done]
    text = path.read_text()
    missing = [i for i in range(notes) if f"- note {i}\n" not in text]
    assert not missing, f"{len(missing)} of {notes} notes lost: {missing[:10]}"
    print(f"{notes} notes and {len(titles)} ticks kept in {time.monotonic() - started:.1f} s")
    assert sorted(p.name for p in repo.iterdir() if p.name != ".git") == [
        "AGENT_FOCUS.md",
        "AI_JOB_STRATEGY.md",
        "stop-editing",
    ]


# --- 3. symlinks ----------------------------------------------------------------------------


def test_a_symlinked_focus_file_is_written_through_to_its_target(repo: Path) -> None:
    shared = repo / "shared"
    shared.mkdir()
    real = shared / "focus.md"
    real.write_text(SPRINT)
    link = repo / "AGENT_FOCUS.md"
    link.symlink_to(Path("shared") / "focus.md")
    result = run_focus("complete", "One", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(Path("shared") / "focus.md")
    assert real.read_text() == TICKED.replace("2026-01-02", date.today().isoformat())
    assert sorted(p.name for p in shared.iterdir()) == ["focus.md"]  # no temp, no lock left
    assert not list(repo.glob(".AGENT_FOCUS.md*"))


# --- 4. only regular files, capped ------------------------------------------------------------


def _hostile(kind: str, path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "huge":
        with path.open("wb") as f:
            f.write(SPRINT.encode())
            f.truncate(17 * 1024 * 1024)  # sparse: NULs past 16 MB
    elif kind == "directory":
        path.mkdir()


HOSTILE = {
    "fifo": "FIFO",
    "dev-zero": "character device",
    "huge": "larger than 16 MB",
    "directory": "directory",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_focus_file_that_is_not_a_regular_file_is_refused(repo: Path, kind: str) -> None:
    path = repo / "AGENT_FOCUS.md"
    _hostile(kind, path)
    for args in (("status", "--json"), ("complete", "One")):
        assert_one_line_error(
            run_focus(*args, cwd=repo, timeout=30), "AGENT_FOCUS.md", HOSTILE[kind]
        )


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
def test_a_strategy_that_is_not_a_regular_file_is_refused(repo: Path, kind: str) -> None:
    strategy = repo / "AI_JOB_STRATEGY.md"
    strategy.unlink()
    _hostile(kind, strategy)
    result = run_focus("init", "--agent", "A1", cwd=repo, timeout=30)
    assert_one_line_error(result, "AI_JOB_STRATEGY.md", HOSTILE[kind])
    assert not (repo / "AGENT_FOCUS.md").exists()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
def test_a_focus_yaml_that_is_not_a_regular_file_is_refused(repo: Path, kind: str) -> None:
    workspace = example_workspace(repo)
    (workspace / "focus.yaml").unlink()
    _hostile(kind, workspace / "focus.yaml")
    result = run_focus("slo", cwd=workspace, timeout=30)
    assert_one_line_error(result, "focus.yaml", HOSTILE[kind])


def test_a_nul_byte_past_the_first_8_kb_means_binary(repo: Path) -> None:
    path = repo / "AGENT_FOCUS.md"
    data = (SPRINT + "x" * 20000 + "\n\x00\n").encode()
    path.write_bytes(data)
    result = run_focus("complete", "One", cwd=repo)
    assert_one_line_error(result, "AGENT_FOCUS.md", "binary", "NUL")
    assert path.read_bytes() == data
