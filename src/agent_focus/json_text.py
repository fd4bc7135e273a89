"""JSON text in and out, where the standard library's reading or writing would not do.

Out (:func:`dumps`): a log's own ``costUSD`` may be ``1e999`` (an infinity), and sums with it
stay infinite (docs/usage.md). JSON has no number for infinity or NaN: Python writes
``Infinity``, which browsers and most parsers refuse, and Starlette's JSONResponse raises
instead (HTTP 500). Here such a figure is ``null``, as a cost nobody knows is.

In (:func:`exact_loads`): JSON may escape half of a surrogate pair (``"\\ud800"``), which
``json.loads`` keeps and UTF-8, so the journal's SQLite text, cannot hold: here it reads
U+FFFD. The agents' hooks' payloads are read so. Their logs are read as ccusage's Rust
reader (serde_json) reads them (ingest.jsonl): a Claude Code line with such a string is not
JSON at all (:func:`strict_loads`); a Codex line keeps it, and its reader decides
(:func:`lenient_loads`).
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


def strict_loads(line: bytes) -> Any:
    """``line`` as Rust's serde_json reads it (ccusage's reading of a Claude Code line), which
    refuses what ``json.loads`` lets by: bytes that are not UTF-8 (an encoded surrogate too), a
    byte-order mark, ``NaN`` and ``Infinity``, and a lone surrogate escape anywhere, in a
    string nobody reads or in a key (a pair, an emoji, is one character). ValueError for
    each, and for nesting past the recursion limit. (serde_json also refuses nesting past 127
    levels, a field of its Structs named twice, and a number past floats: not checked here.)"""
    try:
        value = json.loads(line.decode(), parse_constant=_refuse)
        if _SURROGATE.search(line) and _lone_surrogate(value):
            raise ValueError("a lone surrogate")
        return value
    except RecursionError:
        raise ValueError("nested too deeply") from None


def lenient_loads(line: bytes) -> Any:
    """``json.loads``' reading of ``line`` with its lone surrogates kept, and each byte that is
    not UTF-8 as one too (U+DC80 to U+DCFF, Python's ``surrogateescape``): serde_json does
    not look into a string it skips, so only the reader knows whether such a string matters.
    ValueError for ``NaN`` and ``Infinity`` (serde_json refuses them wherever they are) and
    for what ``json.loads`` refuses, nesting past the recursion limit too."""
    try:
        return json.loads(line.decode("utf-8", "surrogateescape"), parse_constant=_refuse)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _lone_surrogate(value: Any) -> bool:
    """Whether a string of ``value`` (or a key) holds half of a surrogate pair: ``json.loads``
    joins a pair into one character and keeps a half, which UTF-8 cannot encode."""
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False
