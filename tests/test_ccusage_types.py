"""Claude Code lines that ccusage 20.0.24 refuses for what is in them, not for their shape: a
lone surrogate escape anywhere, a byte that is not UTF-8, NaN, and a field of the wrong JSON
type among those its serde_json Structs read (RULES.md, "Which lines"). Each line below is
the only call of its day; CCUSAGE holds the days ccusage counted and its figures for them,
from its binary (`ccusage daily --json --offline`, TZ=UTC) run on exactly this log. Each
refused line is skipped and counted under its reason, the same whether a chunk is searched
for its markers or read line by line, the usual shapes' way or the general way."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from agent_focus.ingest.claude import _parse, parse_claude_line
from agent_focus.ingest.dedupe import pricer_for
from tests.conftest import FocusRunner, git

TEXT = '"text":"hi"'
INNER = '"data":{"message":{'


def call(n: int) -> str:
    """A direct assistant record, the only call of day ``n``: n output tokens."""
    entry = {
        "type": "assistant", "sessionId": f"s{n}", "cwd": "/w",
        "timestamp": f"{day(n)}T10:00:00.000Z", "requestId": f"req_{n}", "version": "2.0.55",
        "message": {
            "id": f"msg_{n}", "model": "claude-sonnet-4-5-20250929",
            "content": [{"type": "text", "text": "hi"}],
            "usage": {"input_tokens": 10, "output_tokens": n},
        },
    }  # fmt: skip
    return json.dumps(entry, separators=(",", ":"))


def progress(n: int) -> str:
    """An agent_progress record of day ``n`` (a running subagent's call in its parent's
    transcript), whose own fields ccusage does not read but for its session."""
    entry = {
        "type": "progress", "sessionId": f"s{n}", "cwd": "/w", "version": "2.0.55",
        "isSidechain": False, "timestamp": f"{day(n)}T10:00:09.000Z",
        "data": {
            "message": {
                "type": "assistant", "requestId": f"req_{n}",
                "timestamp": f"{day(n)}T10:00:08.000Z",
                "message": {
                    "id": f"msg_{n}", "model": "claude-haiku-4-5-20251001", "content": [],
                    "usage": {"input_tokens": 3, "output_tokens": n},
                },
            },
            "type": "agent_progress",
        },
    }  # fmt: skip
    return json.dumps(entry, separators=(",", ":"))


def day(n: int) -> str:
    return (date(2026, 1, 1) + timedelta(days=n - 1)).isoformat()


def _with(line: str, old: str, new: str) -> str:
    assert old in line, old
    return line.replace(old, new, 1)


def usage(n: int, extra: str) -> str:
    """Day ``n``'s call with ``extra`` fields in its usage."""
    return _with(call(n), f'"output_tokens":{n}', f'"output_tokens":{n},{extra}')


def record(n: int, extra: str) -> str:
    """Day ``n``'s call with ``extra`` fields in its record."""
    return _with(call(n), '"version"', f'{extra},"version"')


# (what the line holds, the line): a day each, in this order. \\ud800 in the text is JSON's
# escape of half a surrogate pair.
CASES: list[tuple[str, bytes]] = [
    (name, line.encode() if isinstance(line, str) else line)
    for name, line in [
        ("plain", call(1)),
        ("high surrogate alone", _with(call(2), TEXT, r'"text":"x\ud800"')),
        ("low surrogate alone", _with(call(3), TEXT, r'"text":"x\udc00"')),
        ("reversed pair", _with(call(4), TEXT, r'"text":"x\udc00\ud800"')),
        ("a valid pair (an emoji)", _with(call(5), TEXT, r'"text":"x\ud83d\ude00"')),
        ("upper case high alone", _with(call(6), TEXT, r'"text":"x\uD800"')),
        ("upper case valid pair", _with(call(7), TEXT, r'"text":"x\uD83D\uDE00"')),
        ("high then another escape", _with(call(8), TEXT, r'"text":"x\ud800\u0041"')),
        ("an escaped backslash, then ud800", _with(call(9), TEXT, r'"text":"x\\ud800"')),
        ("high alone in cwd", _with(call(10), '"cwd":"/w"', r'"cwd":"/w\ud800"')),
        ("low alone in message.id", _with(call(11), '"id":"msg_11"', r'"id":"msg_11\udfff"')),
        ("high alone in a key", _with(call(12), TEXT, r'"te\ud800xt":"hi"')),
        ("a valid pair in cwd", _with(call(13), '"cwd":"/w"', r'"cwd":"/w\ud83d\ude00"')),
        ("a byte that is not UTF-8", call(14).encode().replace(b'"hi"', b'"x\xff"')),
        ("a surrogate encoded in UTF-8", call(15).encode().replace(b'"hi"', b'"x\xed\xa0\x80"')),
        ("NaN in the content", _with(call(16), TEXT, '"text":"hi","n":NaN')),
        ("a byte-order mark", b"\xef\xbb\xbf" + call(17).encode()),
        ('costUSD "abc"', record(18, '"costUSD":"abc"')),
        ("costUSD true", record(19, '"costUSD":true')),
        ("costUSD [1]", record(20, '"costUSD":[1]')),
        ("costUSD {}", record(21, '"costUSD":{}')),
        ("costUSD 0.5", record(22, '"costUSD":0.5')),
        ("cwd 5 (not read)", _with(call(23), '"cwd":"/w"', '"cwd":5')),
        ("version 5", _with(call(24), '"version":"2.0.55"', '"version":5')),
        ("sessionId 5", _with(call(25), '"sessionId":"s25"', '"sessionId":5')),
        ("requestId 5", _with(call(26), '"requestId":"req_26"', '"requestId":5')),
        ("message.id 5", _with(call(27), '"id":"msg_27"', '"id":5')),
        ("message.model 5", _with(call(28), '"model":"claude-sonnet-4-5-20250929"', '"model":5')),
        ('isSidechain "true"', record(29, '"isSidechain":"true"')),
        ("isSidechain 1", record(30, '"isSidechain":1')),
        ("isSidechain null", record(31, '"isSidechain":null')),
        ('input_tokens "10"', _with(call(32), '"input_tokens":10', '"input_tokens":"10"')),
        ("input_tokens 10.5", _with(call(33), '"input_tokens":10', '"input_tokens":10.5')),
        ('cache_read_input_tokens "7"', usage(34, '"cache_read_input_tokens":"7"')),
        ("cache_read_input_tokens 7.5", usage(35, '"cache_read_input_tokens":7.5')),
        ('cache_creation_input_tokens "7"', usage(36, '"cache_creation_input_tokens":"7"')),
        ("cache_creation_input_tokens 7.0", usage(37, '"cache_creation_input_tokens":7.0')),
        ("cache_creation 5", usage(38, '"cache_creation":5')),
        ('cache_creation "x"', usage(39, '"cache_creation":"x"')),
        ("cache_creation [7, 3] (a Struct to serde)", usage(40, '"cache_creation":[7,3]')),
        ("cache_creation [7, 3, 1]", usage(41, '"cache_creation":[7,3,1]')),
        ('ephemeral_5m_input_tokens "7"', usage(42, '"cache_creation":{"ephemeral_5m_input_tokens":"7"}')),
        ("ephemeral_5m_input_tokens null", usage(43, '"cache_creation":{"ephemeral_5m_input_tokens":null}')),
        ("speed 5", usage(44, '"speed":5')),
        ('speed "slow"', usage(45, '"speed":"slow"')),
        ('speed "standard"', usage(46, '"speed":"standard"')),
        ("progress", progress(47)),
        ('progress: the call\'s costUSD "abc"', _with(progress(48), INNER, INNER + '"costUSD":"abc",')),
        ("progress: the record's costUSD 0.5 (not read)", _with(progress(49), '{"type"', '{"costUSD":0.5,"type"')),
        ("progress: the record's sessionId 5", _with(progress(50), '"sessionId":"s50"', '"sessionId":5')),
        ("progress: the call's sessionId 5 (not read)", _with(progress(51), INNER, INNER + '"sessionId":5,')),
        ('progress: version "abc" (not read)', _with(progress(52), '"version":"2.0.55"', '"version":"abc"')),
        ('progress: the call\'s isSidechain "x"', _with(progress(53), INNER, INNER + '"isSidechain":"x",')),
        ("progress: the call without a time", _with(progress(54), f'"timestamp":"{day(54)}T10:00:08.000Z",', "")),
        ("progress: a lone surrogate", _with(progress(55), '"content":[]', r'"content":"\ud800"')),
        ("a bad message, then a good progress call", _with(progress(56), '{"type"', '{"message":{"usage":{"input_tokens":"x"}},"type"')),
        ("a message without usage, then a progress call", _with(progress(57), '{"type"', '{"message":{"role":"user"},"type"')),
    ]
]  # fmt: skip

# ccusage 20.0.24's own figures for the log of CASES (its binary, `ccusage daily --json
# --offline`, TZ=UTC): the days it counted, (input, output, cache writes, cache reads, cost).
# Every other day's line it skipped.
CCUSAGE = {
    "2026-01-01": (10, 1, 0, 0, 4.5e-05),
    "2026-01-05": (10, 5, 0, 0, 0.000105),
    "2026-01-07": (10, 7, 0, 0, 0.000135),
    "2026-01-09": (10, 9, 0, 0, 0.000165),
    "2026-01-13": (10, 13, 0, 0, 0.000225),
    "2026-01-22": (10, 22, 0, 0, 0.5),
    "2026-01-23": (10, 23, 0, 0, 0.000375),
    "2026-01-31": (10, 31, 0, 0, 0.000495),
    "2026-02-09": (10, 40, 10, 0, 0.00067425),
    "2026-02-15": (10, 46, 0, 0, 0.0007199999999999999),
    "2026-02-16": (3, 47, 0, 0, 0.000238),
    "2026-02-18": (3, 49, 0, 0, 0.00024800000000000007),
    "2026-02-20": (3, 51, 0, 0, 0.00025800000000000004),
    "2026-02-21": (3, 52, 0, 0, 0.00026300000000000005),
    "2026-02-25": (3, 56, 0, 0, 0.00028300000000000005),
    "2026-02-26": (3, 57, 0, 0, 0.00028800000000000006),
}
# Our reasons for the lines ccusage skipped (41 of them).
SKIPPED = {
    "not JSON": 13,
    "field of the wrong type": 19,
    "usage without whole token counts or a timestamp": 9,
}


def _log(folder: Path, lines: list[bytes]) -> None:
    projects = folder / "claude" / "projects" / "p"
    projects.mkdir(parents=True)
    (projects / "s.jsonl").write_bytes(b"\n".join(lines) + b"\n")


def _days(focus: FocusRunner, home: Path) -> tuple[dict[str, tuple[object, ...]], dict[str, int]]:
    (home / "clone").mkdir()
    git(home / "clone", "init", "-q")
    env = {
        "CLAUDE_CONFIG_DIR": str(home / "claude"), "CODEX_HOME": str(home / "codex"),
        "FOCUS_STATE_DIR": str(home / "journal"), "TZ": "UTC",
    }  # fmt: skip
    done = focus("usage", "--by", "day", "--json", cwd=home / "clone", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    days = {
        row["day"]: (
            row["input_tokens"], row["output_tokens"], row["cache_write_tokens"],
            row["cached_tokens"], row["cost_usd"],
        )
        for row in report["rows"]
    }  # fmt: skip
    return days, report["ingest"]["skipped_by_reason"]


@pytest.mark.parametrize("binary", [False, True])
def test_the_lines_ccusage_refuses_are_skipped_and_the_rest_counted_as_it_counts_them(
    tmp_path: Path, focus: FocusRunner, binary: bool
) -> None:
    """(With a NUL byte in a last line, the chunk is read line by line: the same answers.)"""
    _log(tmp_path, [line for _name, line in CASES] + ([b'{"\x00"}'] if binary else []))
    days, skipped = _days(focus, tmp_path)
    assert sorted(days) == sorted(CCUSAGE)
    for when, (given, made, write, read, cost) in CCUSAGE.items():
        assert days[when][:4] == (given, made, write, read), when
        assert days[when][4] == pytest.approx(cost, rel=1e-9, abs=1e-12), when
    assert skipped == SKIPPED | ({"binary": 1} if binary else {})


def test_the_usual_shapes_and_the_general_way_agree_on_every_line() -> None:
    """The msgspec Structs take a line of the usual shape the fast way; the general way
    (the whole line as serde_json reads it) gives the same answer for each line here."""
    price = pricer_for({})
    reasons: Counter[str] = Counter()
    for name, line in CASES:
        fast, general = parse_claude_line(line, "p", 7, price), _parse(line, "p", 7, price)
        assert fast == general, name
        if isinstance(fast, str):
            reasons[fast] += 1
    assert reasons == SKIPPED


def test_a_progress_calls_own_cwd_wins_even_empty_both_ways() -> None:
    """The cwd is ours (ccusage reads none): the call's own when it has one, an empty one
    too, else the record's; the fast and the general way alike."""
    price = pricer_for({})
    lines = {
        "/w": progress(1).encode(),
        "": _with(progress(2), INNER, INNER + '"cwd":"",').encode(),
        "/sub": _with(progress(3), INNER, INNER + '"cwd":"/sub",').encode(),
    }
    for cwd, line in lines.items():
        fast, general = parse_claude_line(line, "p", 7, price), _parse(line, "p", 7, price)
        assert isinstance(fast, tuple) and fast == general, cwd
        assert fast[5] == cwd


def rollout(n: int, kind: str, payload: dict[str, object]) -> str:
    entry = {"timestamp": f"{day(n)}T10:00:00.000Z", "type": kind, "payload": payload}
    return json.dumps(entry, separators=(",", ":"))


def turn(n: int, last: bool = True, **extra: object) -> str:
    """Day ``n``'s token_count: n turns of 100 input and 10 output tokens so far."""
    info = {"total_token_usage": {"input_tokens": 100 * n, "output_tokens": 10 * n}}
    if last:
        info["last_token_usage"] = {"input_tokens": 100, "output_tokens": 10}
    return rollout(n, "event_msg", {"type": "token_count", "info": info, **extra})


# A Codex rollout: ccusage reads only the strings its Struct names (a time, a model), so a
# lone surrogate or a byte that is not UTF-8 elsewhere is no matter, and one in such a
# string makes it ignore the line (NaN anywhere too).
ROLLOUT: list[bytes] = [
    line.encode() if isinstance(line, str) else line
    for line in [
        rollout(1, "session_meta", {"id": "c\udc00", "cwd": "/c"}),  # ours: U+FFFD
        rollout(1, "turn_context", {"model": "gpt-5"}),
        turn(1),
        rollout(2, "turn_context", {"model": "gpt-5-mini\ud800"}),  # ignored: still gpt-5
        turn(2),
        turn(3, rate_limits={"z": "\ud800"}),  # not read: counted
        turn(4, rate_limits={"z": "?"}).encode().replace(b'"?"', b'"\xff"'),  # not read
        turn(5, model="gpt-5\ud800"),  # ignored, its total with it
        turn(6, last=False),  # the difference from day 4's total: 200 and 20
        turn(7, rate_limits={"z": 0}).replace('"z":0', '"z":NaN'),  # ignored
        turn(8),
    ]
]
# ccusage 20.0.24's own figures for ROLLOUT (its binary, `ccusage daily --json --offline`,
# TZ=UTC, an empty Claude folder): (input, output, cache reads, cost) of each day counted.
CCUSAGE_CODEX = {
    "2026-01-01": (100, 10, 0, 0.000225),
    "2026-01-02": (100, 10, 0, 0.000225),
    "2026-01-03": (100, 10, 0, 0.000225),
    "2026-01-04": (100, 10, 0, 0.000225),
    "2026-01-06": (200, 20, 0, 0.00045),
    "2026-01-08": (100, 10, 0, 0.000225),
}


def test_a_codex_line_is_refused_only_for_a_string_ccusage_reads(
    tmp_path: Path, focus: FocusRunner
) -> None:
    """The turn_context naming a model with a lone surrogate is ignored (the calls after it
    stay gpt-5's), so are the token_counts with one in their model or with NaN (the next
    total's difference includes theirs); those with one, or a byte that is not UTF-8, in a
    string ccusage skips count."""
    sessions = tmp_path / "codex" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "rollout-1.jsonl").write_bytes(b"\n".join(ROLLOUT) + b"\n")
    (tmp_path / "claude" / "projects").mkdir(parents=True)
    days, skipped = _days(focus, tmp_path)
    assert sorted(days) == sorted(CCUSAGE_CODEX)
    for when, (given, made, read, cost) in CCUSAGE_CODEX.items():
        assert days[when][:4] == (given, made, 0, read), when
        assert days[when][4] == pytest.approx(cost, rel=1e-9, abs=1e-12), when
    assert skipped == {"not JSON": 3}
