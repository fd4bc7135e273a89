"""Portfolio items are checked against real files, inside the worktree only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_focus.focusfile.model import PortfolioItem
from agent_focus.readers.portfolio import check_item


def item(path: str | None, done: bool = False) -> PortfolioItem:
    return PortfolioItem(f"x `{path}`", done, 0, 1, name="x", path=path)


@pytest.fixture
def worktree(tmp_path: Path) -> Path:
    root = tmp_path / "wt"
    (root / "docs" / "portfolio").mkdir(parents=True)
    (root / "docs" / "portfolio" / "mlflow.png").write_bytes(b"\x89PNG")
    (root / "docs" / "portfolio" / "grafana-latency.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("outside the worktree")
    return root


def test_existing_and_missing_files(worktree: Path) -> None:
    assert check_item(item("docs/portfolio/mlflow.png"), worktree).exists is True
    assert check_item(item("docs/portfolio/missing.mp4"), worktree).exists is False


def test_a_glob_exists_when_anything_matches(worktree: Path) -> None:
    found = check_item(item("docs/portfolio/grafana-*.json"), worktree)
    assert found.exists is True and found.matches == ("docs/portfolio/grafana-latency.json",)
    assert check_item(item("docs/portfolio/*.mp4"), worktree).exists is False


@pytest.mark.parametrize(
    "path", ["../secret.txt", "docs/../../secret.txt", "/etc/passwd", "~/.ssh/id_rsa"]
)
def test_a_path_that_leaves_the_worktree_is_an_error(worktree: Path, path: str) -> None:
    found = check_item(item(path), worktree)
    assert found.exists is False and found.error and "leaves the worktree" in found.error
    assert not found.ready


def test_a_symlink_pointing_out_of_the_worktree_is_an_error(worktree: Path) -> None:
    os.symlink(worktree.parent / "secret.txt", worktree / "docs" / "escape.txt")
    found = check_item(item("docs/escape.txt"), worktree)
    assert found.error and "symlink" in found.error


def test_a_glob_ignores_matches_that_leave_through_a_symlink(worktree: Path) -> None:
    os.symlink(worktree.parent / "secret.txt", worktree / "docs" / "portfolio" / "leak.mp4")
    assert check_item(item("docs/portfolio/*.mp4"), worktree).exists is False


def test_links_and_items_without_a_file_follow_their_box(worktree: Path) -> None:
    url = check_item(item("https://example.invalid/demo", done=True), worktree)
    assert url.exists is None and url.ready
    assert not check_item(item(None, done=False), worktree).ready


def test_a_link_fragment_is_not_part_of_the_path(worktree: Path) -> None:
    assert check_item(item("docs/portfolio/mlflow.png#top"), worktree).exists is True
