"""Invariant 2: many writers lose no update, and a killed writer never tears the file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from agent_focus.focusfile import complete_task, edit_document, read_document
from agent_focus.focusfile.source import Source
from tests.conftest import FOCUS_FIXTURES

WORKER = """
import sys
from datetime import date
from pathlib import Path
from agent_focus.focusfile import complete_task, edit_document
path = Path(sys.argv[1])
for title in sys.argv[2:]:
    edit_document(path, complete_task(title, date(2026, 1, 2)))
"""


def spawn(path: Path, titles: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(path), *titles])


def test_parallel_processes_completing_different_tasks_lose_no_update(tmp_path: Path) -> None:
    target = tmp_path / "AGENT_FOCUS.md"
    lines = ["# F", "", "## Current Sprint"] + [f"- [ ] Task number {i:03d}" for i in range(48)]
    target.write_text("\n".join(lines) + "\n")
    titles = [f"Task number {i:03d}" for i in range(48)]
    random.Random(7).shuffle(titles)
    workers = [spawn(target, titles[i::8]) for i in range(8)]  # 8 processes, 6 tasks each
    assert [w.wait(timeout=120) for w in workers] == [0] * 8

    document = read_document(target)
    assert all(task.done for task in document.tasks)
    assert len(document.tasks) == 48
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]  # no lock or temp left


def test_a_writer_killed_mid_write_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    target = tmp_path / "AGENT_FOCUS.md"
    original = (FOCUS_FIXTURES / "large-3000.md").read_bytes()
    target.write_bytes(original)
    original_lines = Source.from_bytes(original, target).lines
    open_titles = [t.title for t in read_document(target).tasks if not t.done]
    rng = random.Random(11)
    kills = 0
    for round_number in range(12):
        worker = spawn(target, rng.sample(open_titles, 40))
        time.sleep(0.2 + rng.random() * 0.6)  # import takes ~0.15 s; then writes begin
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            kills += 1
        worker.wait()
        # Whatever survived must be the original plus whole ticked lines, never torn.
        current = Source.from_bytes(target.read_bytes(), target).lines
        assert len(current) == len(original_lines), f"round {round_number}: line count changed"
        for old, new in zip(original_lines, current, strict=True):
            assert new == old or (
                old.startswith("- [ ] ") and new.startswith("- [x] ") and "✅ 2026-01-02" in new
            )
    assert kills > 0, "no worker was killed mid-run; the test proved nothing"
    # Stale temp files from killed writers never replace the target; a later write still works.
    edit_document(target, complete_task("Task 0001", date(2026, 1, 2)))
    assert read_document(target).tasks[0].done
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AGENT_FOCUS.md"]  # stale temps swept


def test_a_save_by_an_editor_between_read_and_replace_is_not_lost(tmp_path: Path) -> None:
    """A writer that takes no lock (a human's editor) saves while we edit: we redo on its text."""
    target = tmp_path / "AGENT_FOCUS.md"
    target.write_text("# F\n\n## Current Sprint\n- [ ] One\n- [ ] Two\n\n## Notes\n")
    saved = False
    inner = complete_task("One", date(2026, 1, 2))

    def operation_with_a_concurrent_save(document):  # type: ignore[no-untyped-def]
        nonlocal saved
        if not saved:  # the editor saves after our read, before our replace
            saved = True
            time.sleep(0.01)
            target.write_text(
                "# F\n\n## Current Sprint\n- [ ] One\n- [ ] Two\n\n## Notes\nhuman typed this\n"
            )
        return inner(document)

    edit_document(target, operation_with_a_concurrent_save)
    assert target.read_text() == (
        "# F\n\n## Current Sprint\n- [x] One ✅ 2026-01-02\n- [ ] Two\n\n## Notes\nhuman typed this\n"
    )
