"""`GET /api/stream`: every new journal event, as it is written, one server-sent event each.

One :class:`Broadcaster` polls the journal for the whole server (not one query per client)
and hands each new event to every subscriber's queue. A client names where it stopped with
``Last-Event-ID`` (EventSource sends it when it reconnects) or ``?after=ID``: the events
after it are read from the journal first, then the live ones follow, each exactly once (by
id). A client too slow to keep up is cut off; its browser reconnects with the last id it
saw, so it misses nothing. A client that goes away frees its queue at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.requests import Request

from agent_focus.journal.events import Event, latest_id, read_events
from agent_focus.journal.state import AgentState, advance, current_states
from agent_focus.json_text import dumps

QUEUE_SIZE = 2048
PAGE = 1000  # events read at a time for a client resuming far back


class Broadcaster:
    """Polls the journal every ``interval`` seconds; fans new events out to subscribers."""

    def __init__(self, folder: Path, interval: float = 0.2) -> None:
        self.folder = folder
        self.interval = interval
        self.last = 0
        self.generation = 0  # bumped on every new event: caches of derived views expire
        self.subscribers: set[asyncio.Queue[Event | None]] = set()
        self.states: dict[str, AgentState] = {}  # each agent's live state, advanced per event
        # Its own worker thread: slow requests filling the shared pool never delay delivery.
        self.limiter = anyio.CapacityLimiter(1)
        self.failure: str | None = None  # the last poll's error, shown by /api/health

    async def start(self) -> None:
        self.last = await anyio.to_thread.run_sync(self._latest)
        try:
            self.states = await anyio.to_thread.run_sync(current_states, self.folder)
        except Exception as exc:  # a journal we cannot read yet: states fill in as events come
            self.failure = f"{type(exc).__name__}: {exc}"

    def _latest(self) -> int:
        try:
            return latest_id(self.folder)
        except Exception:  # a journal being created or migrated: try again next tick
            return self.last

    def _new_events(self) -> list[Event]:
        return read_events(self.folder, after=self.last, first=PAGE)

    async def run(self) -> None:
        """Poll until cancelled; an error is remembered (``failure``) and the next tick tries
        again, so one bad moment never stops delivery for good."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.poll()
                self.failure = None
            except Exception as exc:
                self.failure = f"{type(exc).__name__}: {exc}"

    async def poll(self) -> None:
        newest = await anyio.to_thread.run_sync(self._latest, limiter=self.limiter)
        if newest <= self.last:
            return
        events = await anyio.to_thread.run_sync(self._new_events, limiter=self.limiter)
        if not events:
            return
        self.last = events[-1].id
        self.generation += 1
        for event in events:
            advance(self.states, event)
        for queue in list(self.subscribers):
            for event in events:
                try:
                    queue.put_nowait(event)
                except asyncio.QueueFull:
                    self._cut_off(queue)
                    break

    def _cut_off(self, queue: asyncio.Queue[Event | None]) -> None:
        self.subscribers.discard(queue)
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)  # it fell behind: its stream ends, and it reconnects

    def subscribe(self) -> asyncio.Queue[Event | None]:
        queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_SIZE)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event | None]) -> None:
        self.subscribers.discard(queue)


def resume_point(request: Request, broadcaster: Broadcaster) -> int:
    """Where a client resumes: ``Last-Event-ID``, else ``?after=``, else from now on."""
    for text in (request.headers.get("last-event-id"), request.query_params.get("after")):
        if text is not None and text.strip().isascii() and text.strip().isdigit():
            return int(text.strip())
    return broadcaster.last


def message(event: Event) -> dict[str, Any]:
    return {"id": str(event.id), "data": dumps(event.to_json(), ensure_ascii=False)}


async def event_messages(
    request: Request, broadcaster: Broadcaster, agent: str | None
) -> AsyncIterator[dict[str, Any]]:
    """The SSE messages of one client: the backlog after its resume point, then live."""
    queue = broadcaster.subscribe()  # first, so nothing written meanwhile is missed
    try:
        sent = resume_point(request, broadcaster)
        while sent < broadcaster.last:  # the backlog, a page at a time
            page = await anyio.to_thread.run_sync(
                functools.partial(
                    read_events, broadcaster.folder, after=sent, agent=agent, first=PAGE
                )
            )
            for event in page:
                yield message(event)
                sent = event.id
            if len(page) < PAGE:
                break
        while True:
            item = await queue.get()
            if item is None:  # cut off: the client reconnects from its last id
                return
            event = item
            if event.id <= sent or (agent and (event.agent or "").upper() != agent.upper()):
                continue
            yield message(event)
            sent = event.id
    finally:
        broadcaster.unsubscribe(queue)


@contextlib.asynccontextmanager
async def running(broadcaster: Broadcaster) -> AsyncIterator[None]:
    """Run the broadcaster for the server's lifetime."""
    await broadcaster.start()
    task = asyncio.create_task(broadcaster.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
