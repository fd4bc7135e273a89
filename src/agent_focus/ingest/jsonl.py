"""Reading JSON lines fast, as ccusage's Rust reader (serde_json) reads them.

Both ways parse with orjson when it is installed and fall back on :func:`json.loads` for the
lines orjson refuses: orjson refuses what serde_json refuses (NaN, a lone surrogate, a byte
that is not UTF-8, a byte-order mark; not nesting past 127 levels, which nothing here
refuses) and more (a number past floats, infinite here); it only gets there sooner. It
reads an integer beyond 64 bits as a float, so a reader that finds a float where a count
is reads the line again the exact way.

``serde_loads`` reads a Claude Code line, of which ccusage reads every string: a lone
surrogate escape (JSON's ``"\\ud800"``, which UTF-8 cannot encode) or a byte that is not
UTF-8 anywhere in it, even in a key, makes it no JSON
(:func:`agent_focus.json_text.strict_loads`).

``rollout_loads`` reads a Codex line, of which ccusage reads only the strings its Struct
names, skipping the others unchecked. So here a string may hold a lone surrogate (a byte
that is not UTF-8 as one of U+DC80-U+DCFF: :func:`agent_focus.json_text.lenient_loads`);
the reader refuses the line for one in a string ccusage reads, and stores the others with
U+FFFD in its place (UTF-8, so SQLite's text, cannot hold it).
"""

from __future__ import annotations

from typing import Any

from agent_focus.json_text import lenient_loads, strict_loads

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the fallback stays exact
    orjson = None  # type: ignore[assignment]


def _serde_fast(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return strict_loads(line)  # its verdict (and its value) is the one that counts


def _rollout_fast(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return lenient_loads(line)


serde_loads = _serde_fast if orjson is not None else strict_loads
rollout_loads = _rollout_fast if orjson is not None else lenient_loads
