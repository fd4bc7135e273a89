"""Write a large, realistic corpus of agent logs for the usage readers.

    python bench/agent_logs_corpus.py --out DIR --size 300MB [--seed 0] [--days 120] [--jobs 2]

Writes DIR/claude (a Claude Code config dir: projects/<encoded cwd>/<session>.jsonl and
<session>/subagents/agent-*.jsonl) and DIR/codex (a Codex home: sessions/YYYY/MM/DD/rollout-*.jsonl)
of about --size bytes in total, over --days days before --end, with several worktrees as cwds.

Every trap of tests/fixtures/agent_logs/README.md appears at a realistic rate: split content
blocks (one line per block, same message id and request id, growing output_tokens), resumed
sessions that start with a copy of the previous session's tail, subagent transcripts and the
parent's agent_progress lines repeating their calls, /btw sidechain replays with a new request id,
Task tool results with a nested usage object, 1-hour cache writes, Sonnet calls over 200k tokens,
old records with costUSD, <synthetic> records, torn last lines, non-JSON and binary lines, null
usage fields; Codex token_count snapshots with info null, repeated snapshots, total-only
snapshots, model switches.

The output depends only on --seed, --size, --days and --end (not on --jobs): the corpus is a
sequence of independent units (one session, or a session and its resumption), each drawn from its
own generator seeded by (seed, index), and its size is decided before it is written. Memory use is
flat: lines go straight to buffered files.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORKTREES = [
    ("/home/dev/proj/wt-a1-mlops", "a1-mlops", 0.30),
    ("/home/dev/proj/wt-a2-genai", "a2-genai", 0.25),
    ("/home/dev/proj/wt-a3-evals", "a3-evals", 0.15),
    ("/home/dev/proj/wt-a4-infra", "a4-infra", 0.10),
    ("/home/dev/proj", "main", 0.12),
    ("/home/dev/other", "master", 0.08),
]
CLAUDE_MODELS = [
    ("claude-sonnet-4-5-20250929", 0.55),
    ("claude-opus-4-5-20251101", 0.20),
    ("claude-haiku-4-5-20251001", 0.15),
    ("claude-opus-4-1-20250805", 0.10),
]
CODEX_MODELS = ["gpt-5-codex", "gpt-5"]
CODEX_SHARE = 0.25  # of the units
MEAN_UNIT_BYTES = 160_000
OVERSHOOT = 1.3  # a unit ends after the turn that crosses its budget

WORDS = (
    "the a model run train eval loss metric batch step data loader feature store cache prompt "
    "token request session worktree branch commit test fixture assert config yaml json parquet "
    "mlflow registry deploy service latency p95 retry timeout error trace span log report table "
    "def class return import self None True False if else for in while with as try except raise"
)


def compact(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"))


def encode_cwd(cwd: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", cwd)


def iso(t: float) -> str:
    dt = datetime.fromtimestamp(t, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text.upper())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 300MB, 1GB, 50KB)")
    scale = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[m.group(2)]
    return int(float(m.group(1)) * scale)


def pick(rng: random.Random, weighted: list) -> tuple:
    x = rng.random() * sum(w[-1] for w in weighted)
    for item in weighted:
        x -= item[-1]
        if x <= 0:
            return item
    return weighted[-1]


class Text:
    """Deterministic filler text, cut from a pool built once per process."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        words = WORDS.split()
        lines = []
        for _ in range(400):
            n = rng.randint(4, 14)
            indent = "    " * rng.randint(0, 3)
            lines.append(indent + " ".join(rng.choice(words) for _ in range(n)))
        self.pool = "\n".join(lines) * 8
        self.size = len(self.pool)

    def take(self, rng: random.Random, n: int) -> str:
        n = max(1, min(n, self.size // 2))
        start = rng.randrange(0, self.size - n)
        return self.pool[start : start + n]


class Out:
    """One output file: counts bytes, writes lines as they come."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(path, "wb", buffering=1 << 20)  # noqa: SIM115 (closed in close())
        self.bytes = 0

    def line(self, text: str | bytes) -> None:
        data = (text if isinstance(text, bytes) else text.encode()) + b"\n"
        self.fh.write(data)
        self.bytes += len(data)

    def raw(self, data: bytes) -> None:
        self.fh.write(data)
        self.bytes += len(data)

    def close(self) -> int:
        self.fh.close()
        return self.bytes


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def token_id(rng: random.Random, prefix: str) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
    return prefix + "".join(rng.choice(alphabet) for _ in range(24))


# ----------------------------------------------------------------------------- Claude


class ClaudeSession:
    def __init__(self, ctx: Unit, out: Out, cwd: str, branch: str, sid: str, version: str) -> None:
        self.ctx, self.out, self.cwd, self.branch, self.sid = ctx, out, cwd, branch, sid
        self.version = version
        self.parent: str | None = None
        self.sidechain = False
        self.agent: str | None = None
        self.context = ctx.rng.randint(8_000, 30_000)  # prompt size, grows per call
        self.tail: list[str] = []  # last assistant lines, for a resumed copy

    def head(self, kind: str) -> dict:
        rng = self.ctx.rng
        u = new_id(rng)
        d = {
            "parentUuid": self.parent,
            "isSidechain": self.sidechain,
            "userType": "external",
            "cwd": self.cwd,
            "sessionId": self.sid,
            "version": self.version,
            "gitBranch": self.branch,
        }
        if self.agent:
            d["agentId"] = self.agent
        d["type"] = kind
        d["uuid"] = u
        self.parent = u
        return d

    def user(self, t: float, content: object, tool_result: dict | None = None) -> None:
        d = self.head("user")
        d["message"] = {"role": "user", "content": content}
        d["timestamp"] = iso(t)
        if tool_result is not None:
            d["toolUseResult"] = tool_result
        self.out.line(compact(d))

    def usage(self, model: str, out_tokens: int) -> dict:
        rng = self.ctx.rng
        fresh = rng.randint(200, 6_000)
        one_hour = rng.random() < 0.2
        if model.startswith("claude-sonnet") and rng.random() < 0.01:
            self.context = rng.randint(201_000, 420_000)  # long-context request
        read = self.context
        self.context = min(self.context + fresh + out_tokens, 180_000)
        if rng.random() < 0.03:
            self.context = rng.randint(8_000, 30_000)  # compaction
        return {
            "input_tokens": rng.choice((1, 2, 3, 4, 5, 6, 8, 10, 12)),
            "cache_creation_input_tokens": fresh,
            "cache_read_input_tokens": read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": 0 if one_hour else fresh,
                "ephemeral_1h_input_tokens": fresh if one_hour else 0,
            },
            "output_tokens": out_tokens,
            "service_tier": "standard",
        }

    def message(self, model: str, mid: str, content: list, usage: dict, stop: str | None) -> dict:
        return {
            "model": model,
            "id": mid,
            "type": "message",
            "role": "assistant",
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": usage,
        }

    def assistant(self, t: float, model: str, blocks: list[list], cost: bool = False) -> tuple:
        """One API response written once per content block; returns (id, requestId, usage)."""
        rng = self.ctx.rng
        mid, rid = token_id(rng, "msg_01"), token_id(rng, "req_011C")
        final = rng.randint(20, 1_800)
        usage = self.usage(model, final)
        for i, block in enumerate(blocks):
            last = i == len(blocks) - 1
            u = dict(usage)
            if not last and rng.random() < 0.5:
                u["output_tokens"] = rng.randint(1, max(1, final // 3))  # grows on later copies
            d = self.head("assistant")
            stop = (
                ("tool_use" if block and block[0].get("type") == "tool_use" else "end_turn")
                if last
                else None
            )
            d["message"] = self.message(model, mid, block, u, stop)
            if cost:
                d["costUSD"] = round(rng.uniform(0.001, 0.2), 6)
            d["requestId"] = rid
            d["timestamp"] = iso(t + i * rng.uniform(0.2, 1.5))
            line = compact(d)
            self.out.line(line)
            self.tail = [*self.tail[-4:], line]
        return mid, rid, usage

    def progress(self, t: float, model: str, mid: str, rid: str, usage: dict, tool: str) -> None:
        d = self.head("progress")
        d["data"] = {
            "message": {
                "type": "assistant",
                "message": self.message(model, mid, [], usage, None),
                "requestId": rid,
                "uuid": new_id(self.ctx.rng),
                "timestamp": iso(t),
            },
            "normalizedMessages": [],
            "type": "agent_progress",
            "prompt": "",
            "agentId": self.agent or "",
        }
        d["toolUseID"] = token_id(self.ctx.rng, "agent_msg_")
        d["parentToolUseID"] = tool
        d["timestamp"] = iso(t + 0.05)
        self.out.line(compact(d))


def claude_unit(ctx: Unit) -> None:
    rng = ctx.rng
    cwd, branch, _ = pick(rng, WORKTREES)
    old = ctx.t0 < ctx.start + 0.25 * ctx.span and rng.random() < 0.3
    version = (
        rng.choice(["1.0.17", "1.0.44", "1.0.88"])
        if old
        else rng.choice(["2.0.14", "2.0.31", "2.0.37", "2.0.42", "2.0.55"])
    )
    project = ctx.root / "claude" / "projects" / encode_cwd(cwd)
    sid = new_id(rng)
    budget = ctx.budget
    resumed = rng.random() < 0.12
    first_budget = budget // 2 if resumed else budget
    t = ctx.t0
    out = Out(project / f"{sid}.jsonl")
    s = ClaudeSession(ctx, out, cwd, branch, sid, version)
    t = claude_turns(ctx, s, t, first_budget, cost=old)
    torn = rng.random() < 0.03
    if torn:
        out.raw(s.tail[-1].encode()[: rng.randint(20, 200)] if s.tail else b'{"type":"assi')
    ctx.written += out.close()
    if resumed:
        sid2 = new_id(rng)
        out2 = Out(project / f"{sid2}.jsonl")
        for line in s.tail[-rng.randint(2, 5) :]:
            out2.line(line)  # the previous session's tail, verbatim
        s2 = ClaudeSession(ctx, out2, cwd, branch, sid2, version)
        t += rng.uniform(600, 36_000)
        claude_turns(ctx, s2, t, budget - first_budget, cost=old)
        ctx.written += out2.close()


def claude_turns(ctx: Unit, s: ClaudeSession, t: float, budget: int, cost: bool) -> float:
    rng, text = ctx.rng, ctx.text
    model = pick(rng, CLAUDE_MODELS)[0]
    out = s.out
    out.line(
        compact(
            {
                "type": "file-history-snapshot",
                "messageId": new_id(rng),
                "snapshot": {
                    "messageId": new_id(rng),
                    "trackedFileBackups": {},
                    "timestamp": iso(t),
                },
                "isSnapshotUpdate": False,
            }
        )
    )
    while out.bytes < budget:
        s.user(t, text.take(rng, rng.randint(40, 600)))
        t += rng.uniform(2, 15)
        for _ in range(rng.randint(1, 8)):
            r = rng.random()
            blocks = []
            if rng.random() < 0.5:
                blocks.append(
                    [
                        {
                            "type": "thinking",
                            "thinking": text.take(rng, 300),
                            "signature": "Ep" + "x" * 40,
                        }
                    ]
                )
            if rng.random() < 0.6:
                blocks.append([{"type": "text", "text": text.take(rng, rng.randint(40, 900))}])
            tool_id = token_id(rng, "toolu_01")
            task = r < 0.05
            name = "Task" if task else rng.choice(["Read", "Edit", "Bash", "Grep", "Write"])
            blocks.append(
                [
                    {
                        "type": "tool_use",
                        "id": tool_id,
                        "name": name,
                        "input": {"command": text.take(rng, 80)},
                    }
                ]
            )
            mid, _rid, usage = s.assistant(t, model, blocks, cost=cost)
            t += rng.uniform(1, 40)
            if task:
                t = subagent(ctx, s, t, tool_id)
            elif r < 0.06:
                out.line(
                    rng.choice(
                        [
                            "Error: EPIPE while writing transcript",
                            "<<<<<<< HEAD",
                            "\tat Object.<anonymous> (cli.js:1:2)",
                        ]
                    )
                )
            elif r < 0.061:
                out.line(
                    bytes(rng.getrandbits(8) for _ in range(rng.randint(10, 80))).replace(
                        b"\n", b" "
                    )
                )
            elif r < 0.063:
                d = s.head("assistant")
                d["message"] = s.message(
                    model,
                    token_id(rng, "msg_01"),
                    [],
                    {
                        "input_tokens": 3,
                        "output_tokens": 50,
                        "cache_creation_input_tokens": None,
                        "cache_read_input_tokens": 900,
                    },
                    None,
                )
                d["requestId"] = token_id(rng, "req_011C")
                d["timestamp"] = iso(t)
                out.line(compact(d))
            elif r < 0.073 and not s.sidechain:
                # /btw: a side question replays the last parent message with a new request id
                s.sidechain = True
                d = s.head("assistant")
                replay = dict(
                    usage, cache_read_input_tokens=usage["cache_read_input_tokens"] + 5_000
                )
                d["message"] = s.message(model, mid, [], replay, None)
                d["requestId"] = token_id(rng, "req_011C")
                d["timestamp"] = iso(t)
                out.line(compact(d))
                s.assistant(
                    t + 1,
                    "claude-haiku-4-5-20251001",
                    [[{"type": "text", "text": text.take(rng, 120)}]],
                )
                s.sidechain = False
            if not task:
                s.user(
                    t,
                    [
                        {
                            "tool_use_id": tool_id,
                            "type": "tool_result",
                            "content": text.take(rng, rng.randint(200, 12_000)),
                        }
                    ],
                    {"stdout": "", "stderr": "", "interrupted": False, "isImage": False},
                )
            t += rng.uniform(0.5, 4)
        if rng.random() < 0.01:
            s.assistant(t, "<synthetic>", [[{"type": "text", "text": "No response requested."}]])
            s.tail = s.tail[:-1]
        if rng.random() < 0.05:
            out.line(
                compact({"type": "summary", "summary": text.take(rng, 60), "leafUuid": s.parent})
            )
        if rng.random() < 0.1:
            d = s.head("system")
            d.update(
                subtype="informational",
                content="Conversation compacted",
                level="info",
                timestamp=iso(t),
            )
            out.line(compact(d))
        t += rng.uniform(30, 1_500)
    return t


def subagent(ctx: Unit, s: ClaudeSession, t: float, tool_id: str) -> float:
    """A Task call: subagent transcript + agent_progress lines in the parent + Task result."""
    rng, text = ctx.rng, ctx.text
    agent = f"{rng.getrandbits(32):08x}"
    path = s.out.fh.name
    sub_out = Out(Path(path[: -len(".jsonl")]) / "subagents" / f"agent-{agent}.jsonl")
    sub = ClaudeSession(ctx, sub_out, s.cwd, s.branch, s.sid, s.version)
    sub.sidechain, sub.agent = True, agent
    s.agent = agent
    sub.user(t, text.take(rng, 200))
    model = rng.choice(["claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"])
    total = {"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0}
    for _ in range(rng.randint(1, 6)):
        blocks = [
            [
                {
                    "type": "tool_use",
                    "id": token_id(rng, "toolu_01"),
                    "name": "Bash",
                    "input": {"command": text.take(rng, 60)},
                }
            ]
        ]
        mid, rid, usage = sub.assistant(t, model, blocks)
        if rng.random() < 0.8:
            s.progress(t, model, mid, rid, usage, tool_id)  # the same call, non-sidechain copy
        for key in total:
            total[key] += usage[key]
        sub.user(
            t + 0.5,
            [
                {
                    "tool_use_id": blocks[0][0]["id"],
                    "type": "tool_result",
                    "content": text.take(rng, rng.randint(100, 4_000)),
                }
            ],
        )
        t += rng.uniform(2, 30)
    ctx.written += sub_out.close()
    s.agent = None
    result = {
        "status": "completed",
        "prompt": text.take(rng, 80),
        "agentId": agent,
        "content": [{"type": "text", "text": text.take(rng, 300)}],
        "totalDurationMs": rng.randint(5_000, 300_000),
        "totalTokens": sum(total.values()),
        "totalToolUseCount": rng.randint(1, 12),
        "usage": {**total, "cache_creation_input_tokens": 0, "service_tier": "standard"},
    }
    s.user(
        t, [{"tool_use_id": tool_id, "type": "tool_result", "content": text.take(rng, 300)}], result
    )
    return t + 1


# ----------------------------------------------------------------------------- Codex


def codex_unit(ctx: Unit) -> None:
    rng, text = ctx.rng, ctx.text
    cwd, branch, _ = pick(rng, WORKTREES)
    sid = new_id(rng)
    t = ctx.t0
    day = datetime.fromtimestamp(t, UTC)
    name = f"rollout-{day:%Y-%m-%dT%H-%M-%S}-{sid}.jsonl"
    out = Out(ctx.root / "codex" / "sessions" / f"{day:%Y/%m/%d}" / name)
    legacy = rng.random() < 0.1  # total_token_usage only

    def ev(ts: float, kind: str, payload: dict) -> None:
        out.line(compact({"timestamp": iso(ts), "type": kind, "payload": payload}))

    ev(
        t,
        "session_meta",
        {
            "id": sid,
            "timestamp": iso(t),
            "cwd": cwd,
            "originator": "codex_cli_rs",
            "cli_version": rng.choice(["0.42.0", "0.46.0", "0.50.0"]),
            "instructions": None,
            "source": "cli",
            "model_provider": "openai",
            "git": {
                "commit_hash": f"{rng.getrandbits(160):040x}",
                "branch": branch,
                "repository_url": "git@example.com:dev/proj.git",
            },
        },
    )
    model = rng.choice(CODEX_MODELS)
    total = {
        "input_tokens": 0,
        "cached_input_tokens": 0,
        "output_tokens": 0,
        "reasoning_output_tokens": 0,
        "total_tokens": 0,
    }
    context = rng.randint(6_000, 14_000)
    rate = {
        "primary": {"used_percent": 10.0, "window_minutes": 300, "resets_in_seconds": 9_000},
        "secondary": None,
    }
    while out.bytes < ctx.budget:
        prompt = text.take(rng, rng.randint(40, 500))
        ev(
            t,
            "response_item",
            {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": prompt}],
            },
        )
        ev(t, "event_msg", {"type": "user_message", "message": prompt, "images": []})
        if rng.random() < 0.05:
            model = rng.choice(CODEX_MODELS)
        ev(
            t,
            "turn_context",
            {
                "cwd": cwd,
                "approval_policy": "on-request",
                "sandbox_policy": {"mode": "workspace-write", "network_access": False},
                "model": model,
                "effort": "medium",
                "summary": "auto",
            },
        )
        if total["total_tokens"] == 0 or rng.random() < 0.1:
            ev(t + 0.1, "event_msg", {"type": "token_count", "info": None, "rate_limits": rate})
        for _ in range(rng.randint(1, 6)):
            t += rng.uniform(2, 40)
            ev(
                t,
                "response_item",
                {
                    "type": "reasoning",
                    "summary": [{"type": "summary_text", "text": text.take(rng, 80)}],
                    "content": None,
                    "encrypted_content": "gAAAAAB" + "Q" * rng.randint(100, 2_000),
                },
            )
            call = f"call_{rng.getrandbits(64):016x}"
            ev(
                t,
                "response_item",
                {
                    "type": "function_call",
                    "name": "shell",
                    "arguments": compact(
                        {"command": ["bash", "-lc", text.take(rng, 60)], "workdir": cwd}
                    ),
                    "call_id": call,
                },
            )
            inp = context + rng.randint(200, 4_000)
            cached = min(inp, int(context * rng.uniform(0.6, 1.0)))
            outt = rng.randint(50, 2_500)
            last = {
                "input_tokens": inp,
                "cached_input_tokens": cached,
                "output_tokens": outt,
                "reasoning_output_tokens": rng.randint(0, outt),
                "total_tokens": inp + outt,
            }
            for key in total:
                total[key] += last[key]
            context = min(inp + outt, 250_000)
            info = {"total_token_usage": dict(total), "model_context_window": 272_000}
            if not legacy:
                info["last_token_usage"] = last
            ev(t + 0.2, "event_msg", {"type": "token_count", "info": info, "rate_limits": rate})
            if rng.random() < 0.05:
                ev(
                    t + 0.2 + rng.choice((0, 0.4)),
                    "event_msg",
                    {"type": "token_count", "info": info, "rate_limits": rate},
                )
            ev(
                t + 0.5,
                "response_item",
                {
                    "type": "function_call_output",
                    "call_id": call,
                    "output": compact(
                        {
                            "output": text.take(rng, rng.randint(100, 10_000)),
                            "metadata": {"exit_code": 0, "duration_seconds": 0.3},
                        }
                    ),
                },
            )
        msg = text.take(rng, rng.randint(40, 800))
        ev(t + 1, "event_msg", {"type": "agent_message", "message": msg})
        ev(
            t + 1,
            "response_item",
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": msg}],
            },
        )
        t += rng.uniform(30, 1_200)
    if rng.random() < 0.03:
        out.raw(
            b'{"timestamp":"'
            + iso(t).encode()
            + b'","type":"event_msg","payload":{"type":"token_co'
        )
    ctx.written += out.close()


# ----------------------------------------------------------------------------- driver


class Unit:
    """One independent piece of the corpus: its own RNG, start time and byte budget."""

    def __init__(
        self, root: Path, seed: int, index: int, start: float, span: float, text: Text
    ) -> None:
        plan = random.Random(f"{seed}:{index}:plan")
        self.index = index
        self.root = root
        self.text = text
        self.start, self.span = start, span
        self.codex = plan.random() < CODEX_SHARE
        self.budget = unit_budget(plan)
        day = plan.randrange(int(span // 86_400))
        # working hours of a developer in UTC-5..-8: 13:00-08:00 UTC, often just around midnight
        hour = plan.choice([13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 23, 0, 0, 1, 2, 3, 4])
        self.t0 = start + day * 86_400 + hour * 3_600 + plan.uniform(0, 3_600)
        self.rng = random.Random(f"{seed}:{index}:body")
        self.written = 0


def unit_budget(plan: random.Random) -> int:
    return int(min(3_000_000, max(4_000, plan.lognormvariate(0, 1.0) * MEAN_UNIT_BYTES / 1.65)))


_TEXT: Text | None = None


def write_units(args: tuple) -> int:
    root, seed, start, span, indexes = args
    global _TEXT
    if _TEXT is None:
        _TEXT = Text(seed)
    written = 0
    for index in indexes:
        ctx = Unit(Path(root), seed, index, start, span, _TEXT)
        (codex_unit if ctx.codex else claude_unit)(ctx)
        written += ctx.written
    return written


def plan_units(seed: int, size: int) -> int:
    """How many units make `size` bytes: decided from the budgets alone, before any writing."""
    total, n = 0, 0
    while total * OVERSHOOT < size:
        total += unit_budget(random.Random(f"{seed}:{n}:plan"))
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--size", default="300MB", type=parse_size)
    ap.add_argument("--seed", default=0, type=int)
    ap.add_argument("--days", default=120, type=int, help="how many days the logs span")
    ap.add_argument("--end", default="2026-03-31", help="last day (UTC) of the span")
    ap.add_argument("--jobs", default=min(2, os.cpu_count() or 1), type=int)
    args = ap.parse_args(argv)

    end = datetime.fromisoformat(args.end).replace(tzinfo=UTC) + timedelta(days=1)
    span = args.days * 86_400.0
    start = end.timestamp() - span
    n = plan_units(args.seed, args.size)
    began = time.monotonic()
    batches = [
        (str(args.out), args.seed, start, span, range(j, n, args.jobs)) for j in range(args.jobs)
    ]
    if args.jobs == 1:
        written = write_units(batches[0])
    else:
        with ProcessPoolExecutor(args.jobs) as pool:
            written = sum(pool.map(write_units, batches))
    took = time.monotonic() - began
    print(
        f"{args.out}: {n} units, {written / 1e6:.1f} MB in {took:.1f} s ({written / 1e6 / took:.0f} MB/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
