"""The read endpoints: the same objects as the CLI's `--json`.

Each handler runs its blocking work (SQLite, git, files) in a worker thread; the
clone's agents are cached by :class:`~agent_focus.serve.clone.Clone`.
"""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from starlette.requests import Request
from starlette.responses import Response

from agent_focus.cli.since import BadMoment, parse_moment, parse_window
from agent_focus.errors import UsageError
from agent_focus.serve.clone import Clone
from agent_focus.serve.responses import JSONResponse

USAGE_KEYS = ("agent", "worktree", "model", "day", "session", "task", "source", "provider")


def clone_of(request: Request) -> Clone:
    clone: Clone = request.app.state.clone
    return clone


def moment(request: Request, name: str) -> Any:
    """A ``since`` query value (30m, 2h, 3d, today, an ISO date...); 422 if bad."""
    try:
        return parse_moment(request.query_params.get(name))
    except BadMoment as error:
        raise UsageError(f"{name}: {error}") from None


def window(request: Request) -> tuple[Any, Any]:
    """The ``since`` and ``until`` query values, as `focus usage` reads them (a day given to
    ``until`` is in the window: cli.since.parse_window); 422 if bad, or if empty."""
    query = request.query_params
    try:
        return parse_window(query.get("since"), query.get("until"))
    except BadMoment as error:
        raise UsageError(f"since/until: {error}") from None


def whole_number(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise UsageError(f"{name}: {text!r}: a whole number from {low} to {high}")
    return int(text)


async def agents(request: Request) -> Response:
    """As `focus status --all --json`."""
    found = await run_sync(clone_of(request).seats)
    return JSONResponse([seat.to_json() for seat in found])


async def agent(request: Request) -> Response:
    """One agent, as its entry in `focus status --all --json`."""
    clone = clone_of(request)
    seat = await run_sync(clone.seat, request.path_params["agent"])
    return JSONResponse(seat.to_json())


async def events(request: Request) -> Response:
    """As `focus log --json`: the newest ``limit`` events (500), or with ``after`` the
    oldest ``limit`` after that id (page on with the last id); ``agent``, ``since``."""
    from agent_focus.journal.events import read_events

    after = whole_number(request, "after", 0, 0, 2**62)
    limit = whole_number(request, "limit", 500, 1, 10_000)
    since = moment(request, "since")
    agent_id = request.query_params.get("agent") or None
    folder = clone_of(request).state_dir
    # With `after`, a page to resume from: the oldest `limit` after it (a cursor); without,
    # the newest `limit` (what `focus log` shows).
    paging = "after" in request.query_params
    found = await run_sync(
        lambda: read_events(
            folder,
            after=after,
            agent=agent_id,
            since=since,
            limit=None if paging else limit,
            first=limit if paging else None,
        )
    )
    return JSONResponse([event.to_json() for event in found])


def _usage(clone: Clone, by: str, since: Any, until: Any) -> dict[str, Any]:
    from agent_focus.actions.usage import agent_usage, read_agent_logs
    from agent_focus.readers.workspace import Workspace

    workspace = Workspace(clone.root, clone.root / "AGENT_FOCUS.md")
    ingest = read_agent_logs(workspace)
    return agent_usage(workspace, by, since, until, ingest).to_json()


async def usage(request: Request) -> Response:
    """As `focus usage --json`: ``by``, ``since``, ``until``; the agents' new log lines are
    read first."""
    by = request.query_params.get("by") or "agent"
    if by not in USAGE_KEYS:
        raise UsageError(f"by: {by!r}: choose one of {', '.join(USAGE_KEYS)}")
    since, until = window(request)
    clone = clone_of(request)
    return JSONResponse(await run_sync(lambda: _usage(clone, by, since, until)))


async def slo(request: Request) -> Response:
    """As `focus slo --json`, for every SLO of focus.yaml (``agent`` for one agent's);
    read only: a GET records no `slo` event. Always 200: ``exit_code`` says met (0),
    violated (3) or no data (4), ``reason`` why there is nothing to judge."""
    from agent_focus.metrics.gate import slo_gate

    clone = clone_of(request)
    agent_id = request.query_params.get("agent")

    def judge() -> dict[str, Any]:
        workspace = clone.workspace(agent_id) if agent_id else None
        return slo_gate(workspace, clone.config(), record=False).to_json()

    return JSONResponse(await run_sync(judge))


async def charts(request: Request) -> Response:
    """The page's charts over the last ``days`` days (default 14)."""
    from agent_focus.readers.attribution import place_for
    from agent_focus.serve.charts import MAX_DAYS, chart_data

    days = whole_number(request, "days", 14, 1, MAX_DAYS)
    clone = clone_of(request)

    def build() -> dict[str, Any]:
        budgets = dict(getattr(clone.config(), "budgets", None) or {})
        return chart_data(clone.state_dir, place_for(clone.root), days, budgets)

    return JSONResponse(await run_sync(build))


async def export(request: Request) -> Response:
    """`events.csv`, `events.jsonl`, `usage.csv` or `usage.jsonl`, streamed; ``since`` and
    ``until`` narrow them."""
    from starlette.responses import StreamingResponse

    from agent_focus.journal.usage import bounds
    from agent_focus.readers.attribution import place_for
    from agent_focus.serve import exports

    name = request.path_params["name"]
    kind, _, form = name.partition(".")
    if kind not in exports.KINDS or form not in exports.FORMATS:
        from starlette.exceptions import HTTPException

        raise HTTPException(404, f"no export {name!r}: events or usage, .csv or .jsonl")
    since, until = window(request)
    clone = clone_of(request)
    span = bounds(since, until)  # now, not inside the stream: parse_moment checked both
    if kind == "events":
        rows = exports.event_rows(clone.state_dir, span)
        columns: tuple[str, ...] = exports.EVENT_COLUMNS
    else:
        place = await run_sync(place_for, clone.root)
        rows = exports.usage_rows(clone.state_dir, place, span)
        columns = exports.USAGE_COLUMNS
    body = exports.as_csv(rows, columns) if form == "csv" else exports.as_jsonl(rows)
    headers = {"Content-Disposition": f'attachment; filename="focus-{name}"'}
    return StreamingResponse(body, media_type=exports.FORMATS[form], headers=headers)
