"""Reading JSON lines fast, with the standard library's answers.

``loads`` parses with orjson when it is installed and falls back to :func:`json.loads` on
anything orjson refuses (NaN, integers beyond 64 bits, lone surrogates, a byte-order mark,
nesting deeper than orjson allows): a line means what ``json.loads`` says it means, orjson
only gets there sooner. Either way a string holds no lone surrogate (JSON's ``"\\ud800"``,
which ``json.loads`` keeps and UTF-8, so SQLite's text, cannot hold): it reads U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the fallback stays exact
    orjson = None  # type: ignore[assignment]


# the escape of a surrogate (U+D800 to U+DFFF): json.loads keeps a lone one, which UTF-8 (and
# so SQLite's text) cannot hold
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE_TEXT = re.compile(r"\\u[dD][89a-fA-F]")


def exact_loads(line: bytes | str) -> Any:
    """``json.loads``' reading of ``line``, with every lone surrogate in its strings (and
    keys) as U+FFFD; ValueError for what it refuses, nesting past the recursion limit too."""
    try:
        value = json.loads(line)
        found = _SURROGATE.search(line) if isinstance(line, bytes) else _SURROGATE_TEXT.search(line)
        return _cleaned(value) if found else value
    except RecursionError:  # nesting too deep for Python: a broken line like any other
        raise ValueError("nested too deeply") from None


def clean_text(value: str) -> str:
    """A string as the journal can store it: a lone surrogate becomes U+FFFD."""
    if value.isascii():
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(key): _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def _loads_fast(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return exact_loads(line)  # its verdict (and its value) is the one that counts


loads = _loads_fast if orjson is not None else exact_loads
