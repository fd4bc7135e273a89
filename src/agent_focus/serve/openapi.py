"""`GET /api/openapi.json`: the API described for other tools (OpenAPI 3.1)."""

from __future__ import annotations

from typing import Any

from agent_focus import __version__


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _get(
    summary: str, *params: dict[str, Any], content: str = "application/json"
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": list(params),
            "responses": {
                "200": {"description": "OK", "content": {content: {}}},
                "401": {"$ref": "#/components/responses/Error"},
                "422": {"$ref": "#/components/responses/Error"},
            },
        }
    }


def _post(summary: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "security": [{"bearer": []}],
            "requestBody": {"required": False, "content": {"application/json": {"schema": body}}},
            "responses": {
                code: {"$ref": "#/components/responses/Error"}
                if code != "200"
                else {"description": "OK", "content": {"application/json": {}}}
                for code in ("200", "401", "403", "404", "409", "422")
            },
        }
    }


AGENT = {
    "example": "A1",
    "name": "agent",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "An agent id (A1), any case",
}
SINCE = _query("since", "30m, 2h, 3d, today, yesterday or an ISO date or time")
UNTIL = _query("until", "same forms as since")


def openapi() -> dict[str, Any]:
    from agent_focus.planner.providers.base import providers

    known = {"type": "string", "enum": ["auto", *sorted(providers())]}
    by = {
        "type": "string",
        "enum": ["agent", "worktree", "model", "day", "session", "task", "source", "provider"],
    }
    paths: dict[str, Any] = {
        "/api/agents": _get("Every agent of the clone, as `focus status --all --json`"),
        "/api/agents/{agent}": {"parameters": [AGENT], **_get("One agent (404: unknown)")},
        "/api/agents/{agent}/complete": {
            "parameters": [AGENT],
            **_post(
                "Tick a task, as `focus complete --json` in that worktree",
                {
                    "type": "object",
                    "required": ["task"],
                    "additionalProperties": False,
                    "properties": {"task": {"type": "string", "minLength": 1, "pattern": "\\S"}},
                },
            ),
        },
        "/api/agents/{agent}/plan": {
            "parameters": [AGENT],
            **_post(
                "Plan today's tasks, as `focus plan --json` in that worktree",
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "provider": known,
                        "model": {"type": "string"},
                        "fallback": known,
                        "dry_run": {"type": "boolean"},
                    },
                },
            ),
        },
        "/api/update": _post(
            "Write real metrics and portfolio boxes, as `focus update --json` (every agent, or one)",
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {"agent": {"type": "string"}},
            },
        ),
        "/api/events": _get(
            "Journal events, oldest first, as `focus log --json`",
            _query("after", "only events with a greater id", {"type": "integer", "minimum": 0}),
            _query("agent", "only this agent's"),
            SINCE,
            _query(
                "limit",
                "the newest N (default 500)",
                {"type": "integer", "minimum": 1, "maximum": 10000},
            ),
        ),
        "/api/usage": _get(
            "Tokens and dollars, as `focus usage --json`",
            _query("by", "group by", by),
            SINCE,
            UNTIL,
        ),
        "/api/slo": _get(
            "The SLO gate, as `focus slo --json` (read only)", _query("agent", "one agent's SLOs")
        ),
        "/api/charts": _get(
            "The page's chart series",
            _query("days", "how many days", {"type": "integer", "minimum": 1, "maximum": 366}),
        ),
        "/api/health": _get("Up: version, last event id, stream clients"),
        "/api/stream": _get(
            "Every new journal event as a server-sent event (id: the event id; resume with Last-Event-ID)",
            _query("after", "resume after this id"),
            _query("agent", "only this agent's"),
            content="text/event-stream",
        ),
        "/api/export/{name}": {
            "parameters": [
                {
                    "name": "name",
                    "in": "path",
                    "required": True,
                    "schema": {
                        "type": "string",
                        "enum": ["events.csv", "events.jsonl", "usage.csv", "usage.jsonl"],
                    },
                }
            ],
            **_get(
                "The journal's events or model calls as a file", SINCE, UNTIL, content="text/csv"
            ),
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "agent-focus control room",
            "version": __version__,
            "description": "Reads need no token on loopback; writes always need "
            "`Authorization: Bearer TOKEN` (`focus serve --show-token`).",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {
                    "description": "An error",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "error": {"type": "string"},
                                    "status": {"type": "integer"},
                                },
                            }
                        }
                    },
                }
            },
        },
    }
