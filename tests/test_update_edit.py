"""The `update` edit: only the Progress Metrics body and portfolio boxes change, whatever the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_focus.focusfile import edit_document, read_document
from agent_focus.focusfile.edits import set_box, update_focus_file
from agent_focus.focusfile.model import PortfolioItem
from agent_focus.focusfile.source import Source
from tests.conftest import examples

TABLE = ["| Metric | Value |", "|---|---|", "| x | 1 |"]


def never(item: PortfolioItem) -> bool | None:
    return None


def run_update(path: Path, lines: list[str] = TABLE, exists=never) -> str:  # type: ignore[no-untyped-def]
    edit_document(path, update_focus_file(lines, exists))
    return path.read_bytes().decode()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # body replaced, blank line before the next section kept
            "# F\n## Current Sprint\n- [ ] a\n## Progress Metrics\nold\nold2\n\n## Notes\nmine\n",
            "# F\n## Current Sprint\n- [ ] a\n## Progress Metrics\n| Metric | Value |\n|---|---|\n| x | 1 |\n\n## Notes\nmine\n",
        ),
        (  # last section, no final newline: still none
            "## Current Sprint\n## Metrics\nold",
            "## Current Sprint\n## Metrics\n| Metric | Value |\n|---|---|\n| x | 1 |",
        ),
        (  # heading is the very last line, without an ending
            "## Current Sprint\n## Metrics",
            "## Current Sprint\n## Metrics\n| Metric | Value |\n|---|---|\n| x | 1 |",
        ),
        (  # CRLF file: new lines get CRLF
            "## Sprint\r\n## Metrics\r\nold\r\n\r\n## Notes\r\n",
            "## Sprint\r\n## Metrics\r\n| Metric | Value |\r\n|---|---|\r\n| x | 1 |\r\n\r\n## Notes\r\n",
        ),
        (  # empty body directly followed by the next heading
            "## Sprint\n## Metrics\n## Notes\n",
            "## Sprint\n## Metrics\n| Metric | Value |\n|---|---|\n| x | 1 |\n## Notes\n",
        ),
    ],
    ids=["middle", "no-final-newline", "heading-last", "crlf", "empty-body"],
)
def test_metrics_body_is_replaced_and_nothing_else(tmp_path: Path, before: str, after: str) -> None:
    path = tmp_path / "f.md"
    path.write_bytes(before.encode())
    assert run_update(path) == after


def test_a_second_identical_update_does_not_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_text("## Sprint\n## Metrics\nold\n")
    run_update(path)
    stamp = path.stat().st_mtime_ns
    run_update(path)
    assert path.stat().st_mtime_ns == stamp


def test_no_metrics_section_changes_only_boxes(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_text(
        "## Sprint\n## Portfolio\n- [ ] A: `a.png`\n- [x] B: `b.png`  \n- [ ] C: `c.png`\n"
    )
    found = {"a.png": True, "b.png": False, "c.png": None}
    text = run_update(path, exists=lambda item: found[item.path or ""])
    assert (
        text == "## Sprint\n## Portfolio\n- [x] A: `a.png`\n- [ ] B: `b.png`  \n- [ ] C: `c.png`\n"
    )


@pytest.mark.parametrize(
    ("line", "done", "expected"),
    [
        ("- [ ] x\n", True, "- [x] x\n"),
        ("  1. [X] y  \r\n", False, "  1. [ ] y  \r\n"),
        ("*\t[ ]\tz", True, "*\t[x]\tz"),
    ],
)
def test_set_box_touches_only_the_mark(line: str, done: bool, expected: str) -> None:
    assert set_box(line, done) == expected


noise = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n#`~<>"), max_size=30
)


@settings(**examples(120), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.lists(noise, max_size=4),
    body=st.lists(noise, max_size=4),
    after=st.lists(noise, max_size=4),
    eol=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
)
def test_update_changes_only_the_metrics_body(
    tmp_path: Path, before: list[str], body: list[str], after: list[str], eol: str, final: bool
) -> None:
    head = ["# Focus", "", "## Current Sprint", "- [ ] task", "", *before, "## Progress Metrics"]
    tail = ["", "## Notes & Learnings", *after]
    text = eol.join([*head, *body, *tail]) + (eol if final else "")
    path = tmp_path / "AGENT_FOCUS.md"
    path.write_bytes(text.encode())
    document = read_document(path)
    metrics = next(s for s in document.sections if s.kind and s.kind.value == "metrics")
    run_update(path)
    new_lines = Source.from_bytes(path.read_bytes(), path).lines
    old_lines = document.source.lines
    assert new_lines[: metrics.body_start] == old_lines[: metrics.body_start]
    # Everything from the next heading on (and the blank lines before it) is untouched.
    keep = len(old_lines) - metrics.end
    assert keep == 0 or new_lines[-keep:] == old_lines[-keep:]
    assert [line.rstrip("\r\n") for line in new_lines[metrics.body_start : len(new_lines) - keep]][
        :3
    ] == TABLE


def test_a_cr_file_keeps_the_empty_lf_line_after_the_metrics_body(tmp_path: Path) -> None:
    # \r is the dominant ending; the body's last new line sits before an empty LF line, and a
    # lone \r there would fuse with it into one \r\n, swallowing the blank line.
    path = tmp_path / "f.md"
    path.write_bytes(b"# F\r## Sprint\r## Metrics\rold\n\n## Notes\rmine\r")
    assert (
        run_update(path, ["| a |", "| b |"])
        == "# F\r## Sprint\r## Metrics\r| a |\r| b |\r\n\n## Notes\rmine\r"
    )
