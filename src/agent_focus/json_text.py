"""JSON text in and out, where the standard library's reading or writing would not do.

Out (:func:`dumps`): a log's own ``costUSD`` may be ``1e999`` (an infinity), and sums with it
stay infinite (docs/usage.md). JSON has no number for infinity or NaN: Python writes
``Infinity``, which browsers and most parsers refuse, and Starlette's JSONResponse raises
instead (HTTP 500). Here such a figure is ``null``, as a cost nobody knows is.

In (:func:`exact_loads`): JSON may escape half of a surrogate pair (``"\\ud800"``), which
``json.loads`` keeps and UTF-8, so the journal's SQLite text, cannot hold: here it reads
U+FFFD. The agents' logs (ingest.jsonl) and their hooks' payloads are read so.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any


def finite(value: Any) -> Any:
    """``value`` with every infinite or NaN float as None (JSON's null)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """:func:`json.dumps` with ``options``; non-finite floats as null (looked for only when
    there is one: the usual answer is written once)."""
    try:
        return json.dumps(value, allow_nan=False, **options)
    except ValueError:
        return json.dumps(finite(value), allow_nan=False, **options)


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
