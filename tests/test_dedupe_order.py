"""The readers resolve a log's consecutive copies of a call themselves (keep_consecutive);
the journal must end exactly as if the de-duplicator had seen every copy, whatever the
sidechains, sessions, replays and calls already in the journal."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from agent_focus.ingest.copies import keep_consecutive
from agent_focus.ingest.dedupe import Deduper
from agent_focus.ingest.records import Call, call_tuple
from agent_focus.journal.db import open_log


def _copy(rng: random.Random, path: str, offset: int) -> Call:
    """A call from a small pool of ids, so that copies, replays and ties are common."""
    message = rng.choice(["m1", "m2", "m3", None])
    session = rng.choice(["s1", "s2"])
    request = rng.choice(["r1", "r2", None])
    stamp = rng.choice(["2026-11-20T10:00:00.000Z", "2026-11-20T11:00:00.000Z"])
    if message is None:
        key = replay = None
    else:
        key = f"{message}\t{request}" if request else f"{message}\t{session}\t{stamp}"
        replay = f"{message}\t{session}"
    given, made = rng.choice([(10, 5), (10, 50), (20, 5)])
    cost = rng.choice([None, 0.001, 0.002])
    return call_tuple(
        "claude", key, replay, stamp[:23] + "+00:00", session, "/w", "claude-sonnet-4-5",
        given, made, 0, 0, 0, cost, rng.random() < 0.4, path, offset,
    )  # fmt: skip


def _logs(rng: random.Random, names: list[str]) -> list[list[Call]]:
    logs = []
    for name in names:
        calls: list[Call] = []
        for offset in range(rng.randint(0, 8)):
            if calls and rng.random() < 0.5:  # a copy of the call before, maybe grown
                last = calls[-1]
                grown = (*last[:8], last[8] + rng.choice([0, 0, 7]), *last[9:13])
                if last[1] is not None and rng.random() < 0.3:  # the same call from a session
                    session = rng.choice(["s1", "s2"])  # replayed into another one
                    message = last[1].split("\t")[1]
                    grown = (last[0], f"r\t{message}\t{session}", *last[2:4], session, *last[5:])
                    grown = grown[:13]
                calls.append((*grown, rng.choice([last[13], 1 - last[13]]), name, offset))
            else:
                calls.append(_copy(rng, name, offset))
        logs.append(calls)
    return logs


def _journal(folder: Path, runs: list[list[list[Call]]], merge: bool) -> tuple[list, list]:  # type: ignore[type-arg]
    for logs in runs:
        db = open_log(folder)
        with db:
            db.execute("BEGIN IMMEDIATE")
            calls = Deduper(db)
            for log in logs:
                kept: list[Call] = []
                for call in log:
                    if merge:
                        keep_consecutive(kept, call)
                    else:
                        kept.append(call)
                if merge:  # and the short way of a first read's new calls
                    calls.add_all(kept)
                else:
                    for call in kept:
                        calls.add(call)
            calls.close()
        db.close()
    db = open_log(folder)
    rows = db.execute("SELECT * FROM agent_usage ORDER BY id").fetchall()
    keys = db.execute("SELECT * FROM call_keys ORDER BY key").fetchall()
    db.close()
    return rows, keys


@pytest.mark.parametrize("seed", range(100))
def test_consecutive_copies_resolved_early_end_the_same(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    runs = [_logs(rng, ["a.jsonl", "b.jsonl"]), _logs(rng, ["c.jsonl", "d.jsonl"])]
    every_copy = _journal(tmp_path / "all", runs, merge=False)
    resolved = _journal(tmp_path / "merged", runs, merge=True)
    assert resolved == every_copy
    assert every_copy[0]
