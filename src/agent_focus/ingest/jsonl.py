"""Reading JSON lines fast, with the standard library's answers.

``loads`` parses with orjson when it is installed and falls back to :func:`json.loads` on
anything orjson refuses (NaN, integers beyond 64 bits, lone surrogates, a byte-order mark,
nesting deeper than orjson allows): a line means what ``json.loads`` says it means, orjson
only gets there sooner. Either way a string holds no lone surrogate (JSON's ``"\\ud800"``,
which ``json.loads`` keeps and UTF-8, so SQLite's text, cannot hold): it reads U+FFFD
(:func:`agent_focus.json_text.exact_loads`, which the agents' hooks use too, without orjson).
"""

from __future__ import annotations

from typing import Any

from agent_focus.json_text import exact_loads

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the fallback stays exact
    orjson = None  # type: ignore[assignment]


def _loads_fast(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return exact_loads(line)  # its verdict (and its value) is the one that counts


loads = _loads_fast if orjson is not None else exact_loads
