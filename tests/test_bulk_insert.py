"""insert_rows writes what executemany writes, in the same order, many rows a statement."""

from __future__ import annotations

import math
import random
import sqlite3

import pytest

from agent_focus.ingest.bulk import PARAMETERS, insert_rows


def _tables(width: int) -> tuple[sqlite3.Connection, sqlite3.Connection]:
    columns = ", ".join(f"c{n}" for n in range(width))
    made = []
    for _ in range(2):
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.execute(f"CREATE TABLE t (seq INTEGER PRIMARY KEY, {columns}, UNIQUE (c0))")
        made.append(db)
    return made[0], made[1]


@pytest.mark.parametrize("width", [2, 15, 7])
@pytest.mark.parametrize(
    "verb", ["INSERT OR REPLACE", "INSERT OR IGNORE", "INSERT ... ON CONFLICT"]
)
@pytest.mark.parametrize(
    ("statements", "more"), [(0, 0), (0, 1), (1, -1), (1, 0), (1, 1), (2, 0), (3, 5), (0, 1000)]
)
def test_rows_are_written_as_executemany_writes_them(
    width: int, verb: str, statements: int, more: int
) -> None:
    # so many full statements' rows and ``more``: each count around a statement's end
    rows_count = statements * (PARAMETERS // width) + more
    rng = random.Random(f"{width} {verb} {rows_count}")
    values: list[object] = ["a", "é\U0001f600", None, 0, -(2**62), 1.5, math.nan, b"\x00b", ""]
    # Repeated first values: which of two rows with one key is kept (the last for REPLACE and
    # an upsert, the first for IGNORE) depends on the order they are run in, within a
    # statement too; an upsert keeps the first row's place (seq), with the last one's values.
    rows = [
        (rng.randrange(rows_count // 2 + 1), *(rng.choice(values) for _ in range(width - 1)))
        for _ in range(rows_count)
    ]
    columns = ", ".join(f"c{n}" for n in range(width))
    tail = ""
    if verb.endswith("ON CONFLICT"):  # an upsert (save_marks'): its clause after the values
        verb = "INSERT"
        changed = ", ".join(f"c{n} = excluded.c{n}" for n in range(1, width))
        tail = f" ON CONFLICT(c0) DO UPDATE SET {changed}"
    ours, theirs = _tables(width)
    insert_rows(ours, f"{verb} INTO t ({columns}) VALUES", rows, tail)
    theirs.executemany(f"{verb} INTO t ({columns}) VALUES ({', '.join('?' * width)}){tail}", rows)
    query = "SELECT * FROM t ORDER BY seq"
    assert ours.execute(query).fetchall() == theirs.execute(query).fetchall()
    assert len(ours.execute(query).fetchall()) == len({row[0] for row in rows})


def test_rows_of_another_width_are_refused_not_written_shifted() -> None:
    # Flattened into one statement's parameters, a short row and a long one would add up and
    # shift their values into the wrong columns; executemany refuses them, and so do we.
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE t (a, b, c)")
    rows = [(1, 2, 3)] * 318 + [(4, 5), (6, 7, 8, 9)]
    with pytest.raises(sqlite3.ProgrammingError, match="same number of values"):
        insert_rows(db, "INSERT INTO t (a, b, c) VALUES", rows)
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_a_bad_row_stops_the_rows_as_executemany_does() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE t (a INTEGER NOT NULL)")
    rows = [(n,) for n in range(2000)]
    rows[1500] = (None,)
    with pytest.raises(sqlite3.IntegrityError):
        insert_rows(db, "INSERT INTO t (a) VALUES", rows)
