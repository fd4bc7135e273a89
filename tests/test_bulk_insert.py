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
@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "INSERT OR IGNORE"])
@pytest.mark.parametrize("seed", range(4))
def test_rows_are_written_as_executemany_writes_them(width: int, verb: str, seed: int) -> None:
    many = PARAMETERS // width
    rng = random.Random(seed)
    count = rng.choice([0, 1, many - 1, many, many + 1, 2 * many, 3 * many + 5, 1000])
    values: list[object] = ["a", "é\U0001f600", None, 0, -(2**62), 1.5, math.nan, b"\x00b", ""]
    # Repeated first values: which of two rows with one key is kept (the last for REPLACE,
    # the first for IGNORE) depends on the order they are run in, within a statement too.
    rows = [
        (rng.randrange(count // 2 + 1), *(rng.choice(values) for _ in range(width - 1)))
        for _ in range(count)
    ]
    columns = ", ".join(f"c{n}" for n in range(width))
    ours, theirs = _tables(width)
    insert_rows(ours, f"{verb} INTO t ({columns}) VALUES", rows)
    theirs.executemany(f"{verb} INTO t ({columns}) VALUES ({', '.join('?' * width)})", rows)
    query = "SELECT * FROM t ORDER BY seq"
    assert ours.execute(query).fetchall() == theirs.execute(query).fetchall()
    assert len(ours.execute(query).fetchall()) == len({row[0] for row in rows})


def test_a_bad_row_stops_the_rows_as_executemany_does() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE t (a INTEGER NOT NULL)")
    rows = [(n,) for n in range(2000)]
    rows[1500] = (None,)
    with pytest.raises(sqlite3.IntegrityError):
        insert_rows(db, "INSERT INTO t (a) VALUES", rows)
