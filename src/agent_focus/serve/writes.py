"""The triggers: `POST /api/agents/{id}/complete`, `/api/agents/{id}/plan`, `/api/update`.

The same actions, locks and journal events as `focus complete`, `focus plan` and `focus
update` run in that agent's worktree. A focus file another writer holds for longer than
:data:`LOCK_SECONDS` answers 409 and is left as it was. Bodies are JSON objects; anything
else, or a field of the wrong type, is 422 with the reason.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from anyio.to_thread import run_sync
from starlette.requests import Request
from starlette.responses import Response

from agent_focus.errors import UsageError
from agent_focus.focusfile.lock import LOCK_WAIT
from agent_focus.serve.clone import Clone
from agent_focus.serve.reads import clone_of
from agent_focus.serve.responses import JSONResponse

LOCK_SECONDS = 3.0
MAX_BODY = 64 * 1024


async def body_of(request: Request, fields: dict[str, type | tuple[type, ...]]) -> dict[str, Any]:
    """The request's JSON object, with only ``fields``, each of its type (422 otherwise)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        raise UsageError(f"body: over {MAX_BODY // 1024} KB")
    raw = b""
    async for chunk in request.stream():  # counted as it comes: never held whole if huge
        raw += chunk
        if len(raw) > MAX_BODY:
            raise UsageError(f"body: over {MAX_BODY // 1024} KB")
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise UsageError(f"body: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise UsageError("body: must be a JSON object")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise UsageError(f"body: unknown field(s) {', '.join(unknown)}; known: {', '.join(fields)}")
    for name, kind in fields.items():
        if name in data and data[name] is not None and not isinstance(data[name], kind):
            raise UsageError(f"body: {name!r} has the wrong type")
    return data


def _locked_briefly(work: Any) -> Any:
    """Run ``work`` with a bounded wait for focus-file locks (409 past it)."""
    token = LOCK_WAIT.set(LOCK_SECONDS)
    try:
        return work()
    finally:
        LOCK_WAIT.reset(token)


async def complete(request: Request) -> Response:
    """`{"task": "title, prefix, close match or number"}`: as `focus complete` there."""
    from agent_focus.actions.complete import complete as complete_task

    data = await body_of(request, {"task": str})
    task = (data.get("task") or "").strip()
    if not task:
        raise UsageError("body: 'task' is required: a title, a unique prefix or its number")
    clone = clone_of(request)
    workspace = await run_sync(clone.workspace, request.path_params["agent"])
    outcome = await run_sync(
        lambda: _locked_briefly(lambda: complete_task(workspace, task, date.today()))
    )
    clone.forget()
    return JSONResponse(outcome.to_json())


async def plan(request: Request) -> Response:
    """`{"provider"?, "model"?, "fallback"?, "dry_run"?}`: as `focus plan --json` there."""
    from agent_focus.actions.plan import check_provider_name, plan_sprint

    data = await body_of(request, {"provider": str, "model": str, "fallback": str, "dry_run": bool})
    for name in ("provider", "fallback"):
        try:
            check_provider_name(data.get(name))
        except UsageError as exc:
            raise UsageError(f"body: {name}: {exc.message}") from None
    clone = clone_of(request)
    workspace = await run_sync(clone.workspace, request.path_params["agent"])

    def run() -> dict[str, Any]:
        outcome = plan_sprint(
            workspace, clone.config(), provider_name=data.get("provider"),
            model=data.get("model"), dry_run=bool(data.get("dry_run")),
            fallback=data.get("fallback"), today=date.today(),
        )  # fmt: skip
        return outcome.to_json()

    result = await run_sync(lambda: _locked_briefly(run))
    clone.forget()
    return JSONResponse(result)


def _update_all(clone: Clone, agent: str | None) -> dict[str, Any]:
    """One agent's update (its error raised), or every agent's: each one's result or error,
    so an agent whose file is locked does not hide the others that were updated."""
    from agent_focus.actions.update import update_focus
    from agent_focus.errors import FocusError

    config = clone.config()
    if agent:
        return {"updated": [update_focus(clone.workspace(agent), config).to_json()], "errors": []}
    updated, errors = [], []
    for name in clone.agent_ids():
        try:
            updated.append(update_focus(clone.workspace(name), config).to_json())
        except FocusError as exc:
            errors.append({"agent": name, "error": str(exc)})
    return {"updated": updated, "errors": errors}


async def update(request: Request) -> Response:
    """`{"agent"?}`: as `focus update --json` in that agent's worktree, or in every one
    (`errors` lists the agents that could not be updated, with why)."""
    data = await body_of(request, {"agent": str})
    clone = clone_of(request)
    result = await run_sync(lambda: _locked_briefly(lambda: _update_all(clone, data.get("agent"))))
    clone.forget()
    return JSONResponse(result)
