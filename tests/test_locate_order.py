"""The logs' order (the de-duplication's order of first sight) is pathlib's, component by
component: ``a/b`` before ``a-c``. ingest.locate sorts by a string key for speed; it must
give pathlib's order for any names a directory may hold."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from agent_focus.ingest.locate import in_order

# few letters, so that names often begin one another; the ones that sort around "/"
NAME = st.text(alphabet="ab-. !0é~", min_size=1, max_size=4).filter(lambda n: n not in (".", ".."))
PATH = st.builds(
    lambda absolute, names: ("/" if absolute else "") + "/".join(names),
    st.booleans(),
    st.lists(NAME, min_size=1, max_size=4),
)


@given(st.lists(PATH, max_size=30, unique=True))
def test_logs_are_in_pathlibs_order(paths: list[str]) -> None:
    ordered = [log.path for log in in_order(paths, "claude")]
    assert ordered == sorted(paths, key=PurePosixPath)


def test_a_directory_comes_before_a_longer_name_it_begins() -> None:
    paths = ["/r/a-c/x.jsonl", "/r/a/b.jsonl", "/r/a.jsonl", "/r/a/b/c.jsonl", "rel/x.jsonl", "rel-y/z.jsonl"]  # fmt: skip
    assert [log.path for log in in_order(paths, "codex")] == [
        "/r/a/b/c.jsonl", "/r/a/b.jsonl", "/r/a-c/x.jsonl", "/r/a.jsonl", "rel/x.jsonl",
        "rel-y/z.jsonl",
    ]  # fmt: skip
