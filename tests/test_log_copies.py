"""A Claude log's consecutive copies of a call are resolved in the reader, and only the copy
kept is priced and built (ingest.copies.LogCalls): the calls a log gives, and the lines it
skips, must be those of every line parsed the general way and resolved one by one."""

from __future__ import annotations

import collections
import json
import random
from pathlib import Path

import pytest

from agent_focus.ingest import readers
from agent_focus.ingest.claude import MARKER, _parse, refused_null
from agent_focus.ingest.copies import keep_consecutive
from agent_focus.ingest.dedupe import pricer_for
from agent_focus.ingest.locate import LogFile
from agent_focus.ingest.readers import read_log
from agent_focus.ingest.records import Call
from agent_focus.ingest.report import IngestReport


def _line(rng: random.Random, last: dict | None) -> dict:  # type: ignore[type-arg]
    """An assistant record, often a copy of ``last`` (its ids), grown or not, sometimes
    broken in a way ccusage refuses."""
    if last is not None and rng.random() < 0.7:
        record = json.loads(json.dumps(last))
        usage = record["message"]["usage"]
        usage["output_tokens"] += rng.choice([0, 0, 3, 40])
        if rng.random() < 0.3:  # the same total, another mix: another price, either way
            given, made = rng.sample(["input_tokens", "output_tokens"], 2)
            moved = rng.randint(1, max(1, usage[given]))
            moved = min(moved, usage[given])
            usage[given] -= moved
            usage[made] += moved
    else:
        record = {
            "type": "assistant", "sessionId": rng.choice(["s1", "s2"]), "cwd": "/w",
            "version": "2.0.55", "timestamp": "2026-11-20T10:00:00.000Z",
            "requestId": rng.choice(["r1", "r2"]),
            "message": {
                "id": rng.choice(["m1", "m2", "m1"]), "model": "claude-sonnet-4-5",
                "content": [{"type": "text", "text": "hi"}],
                "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 3},
            },
        }  # fmt: skip
    if rng.random() < 0.2:
        record["isSidechain"] = rng.random() < 0.5
    if rng.random() < 0.2:  # a record's own cost decides a tie of tokens
        record["costUSD"] = rng.choice([0.001, 0.002, 0, INFINITE])
    elif "costUSD" in record and rng.random() < 0.5:
        del record["costUSD"]
    if rng.random() < 0.15:  # another model: another price, the same tokens
        record["message"]["model"] = rng.choice(["claude-opus-4-5", "claude-sonnet-4-5"])
    if rng.random() < 0.1:  # no message id: never a copy
        record["message"]["id"] = None
    if rng.random() < 0.1:
        record["timestamp"] = rng.choice(["2026-11-20T10:00:00.5Z", "2026-13-20T10:00:00.000Z"])
    if rng.random() < 0.05:
        record["version"] = "abc"
    if rng.random() < 0.05:
        record["cwd"] = None  # a refused null
    if rng.random() < 0.05:
        record["timestamp"] = "2026-11-20T11:00:00+00:00"  # valid, not the usual form
    if rng.random() < 0.05:
        record["isSidechain"] = "yes"  # not a bool: a call read the general way, not a copy
    return record


INFINITE = 123456.789  # written as 1e999: JSON that json.loads reads as infinity


def _expected(lines: list[bytes], path: str) -> tuple[list[Call], collections.Counter[str], int]:
    """Each line parsed whole the general way, each call resolved against the one before."""
    price = pricer_for({})
    calls: list[Call] = []
    skipped: collections.Counter[str] = collections.Counter()
    offset = read = 0
    for line in lines:
        if MARKER not in line:
            found = None
        else:
            found = "null field" if refused_null(line) else _parse(line, path, offset, price)
        if type(found) is tuple:
            read += 1
            keep_consecutive(calls, found)
        elif found is not None:
            skipped[found] += 1  # type: ignore[index]
        elif problem := readers.broken(line):  # no call: binary, or not an object
            skipped[problem] += 1
        offset += len(line) + 1
    return calls, skipped, read


@pytest.mark.parametrize("chunk", [readers.CHUNK, 700])
@pytest.mark.parametrize("seed", range(150))
def test_copies_priced_late_end_as_every_line_parsed(
    tmp_path: Path, seed: int, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any run of copies, at any chunk size (700 bytes: a line or two a chunk), with broken
    and binary lines among them (a chunk with a NUL byte is read line by line)."""
    monkeypatch.setattr(readers, "CHUNK", chunk)
    rng = random.Random(seed)
    records: list[dict] = []  # type: ignore[type-arg]
    for _ in range(rng.randint(1, 14)):
        records.append(_line(rng, records[-1] if records else None))
    lines = [
        json.dumps(record, separators=(",", ":")).replace(str(INFINITE), "1e999").encode()
        for record in records
    ]
    if rng.random() < 0.2:
        lines.insert(rng.randint(0, len(lines)), b"\x00\x01 not a record")
    log = tmp_path / "a.jsonl"
    log.write_bytes(b"\n".join(lines) + b"\n")
    report = IngestReport()
    found = read_log(LogFile(str(log), "claude"), None, report, pricer_for({}))
    assert found is not None
    calls, skipped, read = _expected(lines, str(log))
    assert found[1] == calls
    assert report.skipped == skipped
    assert found[3] == read
