"""Finding the few marked lines in a gigabyte of logs: substring search by StringZilla.

A first read searches every byte of every log for the markers of the lines that may record a
call (``"usage":{``, Codex's three event types) and every call line for a refused
``"<field>":null``. CPython's ``bytes.find`` and ``re`` step through such JSON a byte at a
time (its first byte, ``"``, is everywhere) at under 1 GB/s; StringZilla's SIMD search
reads 5-6 GB/s on the same bytes (docs/performance.md, "Seventh pass"), with the same
answers as ``bytes.find`` (tests/test_search.py holds it to them).
"""

from __future__ import annotations

from collections.abc import Callable

import stringzilla

find: Callable[[bytes, bytes, int, int], int] = stringzilla.find
"""``haystack.find(needle, start, end)``: the first place of ``needle`` wholly inside
``haystack[start:end]``, or -1."""


class Markers:
    """The next place of any of several markers in a buffer (:func:`find` for each one): each
    marker's next place is found once and kept until the search passes it, not searched for
    again from every line (a rare one would be, to the buffer's end)."""

    def __init__(self, markers: tuple[bytes, ...]):
        self.markers = markers
        self.places = [-1] * len(markers)  # each marker's next place in the buffer, or -1

    def __call__(self, data: bytes, start: int, end: int) -> int:
        """The first place at or after ``start`` of any marker wholly before ``end``, or -1.
        A call from 0 starts afresh (a new buffer, a new ``end``); the calls after it search
        the same buffer to the same ``end``, going forward (``start`` never smaller)."""
        places, markers = self.places, self.markers
        if start == 0:
            places[:] = [find(data, marker, 0, end) for marker in markers]
        else:
            for i, place in enumerate(places):
                if 0 <= place < start:
                    places[i] = find(data, markers[i], start, end)
        first = -1
        for place in places:
            if place >= 0 and (first < 0 or place < first):
                first = place
        return first
