"""Reading JSON lines fast, with the standard library's answers.

``loads`` parses with orjson when it is installed and falls back to :func:`json.loads` on
anything orjson refuses (NaN, integers beyond 64 bits, lone surrogates, a byte-order mark,
nesting deeper than orjson allows): a line means what ``json.loads`` says it means, orjson
only gets there sooner.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the fallback stays exact
    orjson = None  # type: ignore[assignment]


def _loads_std(line: bytes) -> Any:
    try:
        return json.loads(line)
    except RecursionError:  # nesting too deep for Python: a broken line like any other
        raise ValueError("nested too deeply") from None


def _loads_fast(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return _loads_std(line)  # its verdict (and its value) is the one that counts


loads = _loads_fast if orjson is not None else _loads_std
