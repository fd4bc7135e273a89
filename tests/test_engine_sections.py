"""In-process tests of what `focus sync`, `status`, `plan` and `brief` read from a focus file
(Identity's ``- Key: value`` fields, Service Ownership's bullets) and of the one-line errors
of undecodable bytes. The CLI tests check the same through a subprocess, which mutation
testing cannot see (docs/testing.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_focus.errors import FocusFileError
from agent_focus.focusfile import SectionKind
from agent_focus.focusfile.model import FocusDocument
from agent_focus.focusfile.parse import (
    _front_matter_end,
    parse_source,
    section_bullets,
    section_field_lines,
    section_fields,
)
from agent_focus.focusfile.source import Source, Splice, line_number_at

PATH = Path("AGENT_FOCUS.md")


def document(text: str) -> FocusDocument:
    return parse_source(Source.from_text(text), PATH)


IDENTITY = """\
# AGENT_FOCUS: A1
## Identity & Mission
- Agent: A1
- **Role:** Platform engineer
- __Team__: Infra
-   Mission :   Ship the gate   \t
- Empty:
- Empty: filled later
- Agent: A2
  - Nested: is a field too (up to 3 spaces)
    - Deep: four spaces is not a top-level bullet
* Star: yes
+ Plus: yes
- no colon here
```
- Fenced: no
```
~~~~
- Tilde: no
~~~
- StillFenced: no
````
- Backticks: no
~~~~
- Closed: yes
## Service Ownership
- Other: not identity
"""


def test_identity_fields_are_the_top_level_key_value_bullets_outside_code_fences() -> None:
    fields = section_field_lines(document(IDENTITY), SectionKind.IDENTITY)
    assert fields == {
        "agent": (2, "A1"),  # the first bullet of a key wins
        "role": (3, "Platform engineer"),  # bold keys, with the colon inside or outside
        "team": (4, "Infra"),
        "mission": (5, "Ship the gate"),  # blanks around the key and value are not part of it
        "empty": (7, "filled later"),  # a key without a value is no field
        "nested": (9, "is a field too (up to 3 spaces)"),
        "star": (11, "yes"),
        "plus": (12, "yes"),
        "closed": (24, "yes"),  # a fence closes only with its own character, as long or longer
    }
    assert section_fields(document(IDENTITY), SectionKind.IDENTITY)["role"] == "Platform engineer"


def test_a_fence_closes_with_a_longer_run_of_its_character() -> None:
    text = "## Identity\n```\n- In: no\n`````\n- After: yes\n````\n- Again: yes\n"
    # ````` closes the ``` fence; the ```` after it opens a new one, never closed
    assert section_field_lines(document(text), SectionKind.IDENTITY) == {"after": (4, "yes")}


def test_fields_keep_no_line_ending_and_read_to_the_last_line_of_the_file() -> None:
    text = "\ufeff# F\r\n## Notes\r\n- Agent: no\r\n## Identity\r\n- Agent: A3  \r\n- Role: last"
    assert section_field_lines(document(text), SectionKind.IDENTITY) == {
        "agent": (4, "A3"),
        "role": (5, "last"),
    }
    cr = "## Identity\r- Agent: A4\r- Role: Mac\r"
    assert section_fields(document(cr), SectionKind.IDENTITY) == {"agent": "A4", "role": "Mac"}


def test_the_first_body_line_counts_and_the_heading_does_not() -> None:
    text = "## Identity: Key: value\n- Agent: A5\n"
    assert section_field_lines(document(text), SectionKind.IDENTITY) == {"agent": (1, "A5")}


def test_a_missing_section_has_no_fields_and_no_bullets() -> None:
    doc = document("# F\n## Notes\n- Agent: A1\n- svc\n")
    assert section_field_lines(doc, SectionKind.IDENTITY) == {}
    assert section_fields(doc, SectionKind.IDENTITY) == {}
    assert section_bullets(doc, SectionKind.SERVICES) == []


SERVICES = """\
## Identity
- Agent: A1
## 🛠️ Service Ownership
- `mlflow`
* prometheus   \t
+ ``grafana``
   - three-space indent
    - four spaces: a nested or code line, not a service
- (none yet: `focus sync` fills this in)
-
- slo-gate
## Notes
- not a service
"""


def test_service_bullets_are_the_top_level_bullets_without_code_marks_or_placeholders() -> None:
    assert section_bullets(document(SERVICES), SectionKind.SERVICES) == [
        "mlflow",
        "prometheus",
        "grafana",
        "three-space indent",
        "slo-gate",
    ]


def test_service_bullets_keep_no_line_ending_and_read_to_the_end_of_the_file() -> None:
    text = "# F\r\n## Service Ownership\r\n- api\r\n- `db`\r\n- worker"
    assert section_bullets(document(text), SectionKind.SERVICES) == ["api", "db", "worker"]
    cr = "## Services\r- api\r- db\r"
    assert section_bullets(document(cr), SectionKind.SERVICES) == ["api", "db"]


def test_the_services_heading_line_is_no_bullet() -> None:
    text = "## Identity\n- Agent: A1\n## - Service Ownership\n- api\n"
    doc = document(text)
    assert section_bullets(doc, SectionKind.SERVICES) == ["api"]
    assert section_bullets(doc, SectionKind.IDENTITY) == ["Agent: A1"]


# --- undecodable bytes: one line that says what and where ----------------------------------


def test_a_nul_byte_is_refused_as_binary_naming_its_line() -> None:
    with pytest.raises(FocusFileError) as caught:
        Source.from_bytes(b"# F\r\n\nok\x00rest\x00", PATH)
    assert str(caught.value) == f"{PATH}:3: is a binary file (NUL byte), not markdown"
    assert (caught.value.path, caught.value.line) == (PATH, 3)
    with pytest.raises(FocusFileError) as first:
        Source.from_bytes(b"\x00", PATH)
    assert str(first.value) == f"{PATH}:1: is a binary file (NUL byte), not markdown"


def test_invalid_utf8_says_which_byte_at_which_offset_and_line() -> None:
    with pytest.raises(FocusFileError) as caught:
        Source.from_bytes(b"ok\nfine\n\xc3(", PATH)
    assert str(caught.value) == f"{PATH}:3: is not valid UTF-8 (byte 0xc3 at offset 8)"
    assert caught.value.path == PATH
    with pytest.raises(FocusFileError) as lone:
        Source.from_bytes(b"\x80", PATH)
    assert str(lone.value) == f"{PATH}:1: is not valid UTF-8 (byte 0x80 at offset 0)"


def test_valid_bytes_decode_with_the_bom_aside() -> None:
    source = Source.from_bytes("\ufeffé\r\nb".encode(), PATH)
    assert (source.lines, source.bom) == (("é\r\n", "b"), True)
    assert source.to_bytes() == "\ufeffé\r\nb".encode()


@pytest.mark.parametrize(
    ("data", "offset", "line"),
    [(b"", 0, 1), (b"a\nb", 2, 2), (b"a\r\nb", 2, 2), (b"a\r\nb", 3, 2), (b"\r\r\n\n", 4, 4)],
)
def test_line_numbers_count_breaks_as_the_parser_does(data: bytes, offset: int, line: int) -> None:
    assert line_number_at(data, offset) == line


def test_values_and_services_ending_in_x_keep_it() -> None:
    text = "## Identity\n- Agent: AX\n## Service Ownership\n- `redis-X`\n- LinuX\n"
    assert section_fields(document(text), SectionKind.IDENTITY) == {"agent": "AX"}
    assert section_bullets(document(text), SectionKind.SERVICES) == ["redis-X", "LinuX"]


# --- the structure parse_source reads --------------------------------------------------------


def test_the_title_is_the_first_level_one_heading_and_sections_keep_theirs() -> None:
    doc = document("## Current Sprint\n- [ ] a\n# First\n# Second\n## Notes\n")
    assert doc.title == "First"
    assert [s.title for s in doc.sections] == ["Current Sprint", "Notes"]
    assert document("## Current Sprint\n").title is None


def test_only_paragraph_task_items_with_text_are_tasks() -> None:
    text = "## Current Sprint\n- [ ]\n- [ ] Setext\n  ===\n- [ ] Real\n- [x] Done ✅ 2026-13-45\n"
    doc = document(text)
    assert [(t.text, t.title) for t in doc.tasks] == [
        ("Real", "Real"),
        ("Done ✅ 2026-13-45", "Done"),
    ]
    assert doc.tasks[0].completed_on is None  # no mark
    assert doc.tasks[1].completed_on is None  # a mark with no real date


@pytest.mark.parametrize(
    ("lines", "end"),
    [
        (("---X\n", "a: 1\n", "---\n"), 0),
        (("---\n", "a: 1\n", "---  \n", "b: 2\n", "...\n", "# T\n"), 5),
        (("---\n", "a: 1\n", "---X\n", "---\r\n"), 4),
        (("---\r\n", "a: 1\r\n", "---"), 3),
        (("---\n", "a: 1\n"), 0),
        ((), 0),
    ],
)
def test_front_matter_is_closed_only_by_a_bare_marker(lines: tuple[str, ...], end: int) -> None:
    assert _front_matter_end(lines) == end


def test_front_matter_blanked_leaves_no_text_behind() -> None:
    text = "---\ntitle: x\n---\n===\n## Current Sprint\n- [ ] a\n"
    doc = document(text)
    assert doc.title is None  # the `===` after front matter underlines nothing
    assert [t.title for t in doc.tasks] == ["a"]


def test_a_splice_that_does_not_fit_names_itself() -> None:
    with pytest.raises(ValueError) as caught:
        Source.from_text("a\n").apply([Splice(0, 3, ())])
    assert str(caught.value) == (
        "overlapping or out-of-range splice Splice(start=0, end=3, new_lines=())"
    )


def test_the_first_nul_byte_names_the_line() -> None:
    with pytest.raises(FocusFileError) as caught:
        Source.from_bytes(b"a\x00\nb\x00", PATH)
    assert caught.value.line == 1
