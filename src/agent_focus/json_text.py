"""JSON text of a command's or the API's answer, where a figure JSON cannot say is null.

A log's own ``costUSD`` may be ``1e999`` (an infinity), and sums with it stay infinite
(docs/usage.md). JSON has no number for infinity or NaN: Python writes ``Infinity``, which
browsers and most parsers refuse, and Starlette's JSONResponse raises instead (HTTP 500).
Here such a figure is ``null``, as a cost nobody knows is.
"""

from __future__ import annotations

import json
import math
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
