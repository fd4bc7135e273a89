"""What `focus serve` does on its own while it runs: evaluate the alerts of focus.yaml.

Every :data:`TICK` seconds when a journal event came in since the last look, else every
:data:`IDLE` seconds (a wait of N minutes ends without any event), in a worker thread
(a delivery may take seconds). The hooks evaluate too; an episode fires once whoever
sees it first (:mod:`agent_focus.alerts.episodes`).
"""

from __future__ import annotations

import asyncio
import sys
import time

from anyio.to_thread import run_sync

from agent_focus.errors import FocusError
from agent_focus.serve.clone import Clone

TICK = 1.0
IDLE = 10.0


def evaluate_once(clone: Clone) -> int:
    """Run the rules once; how many alerts fired. A bad focus.yaml is said once per change."""
    from agent_focus.alerts import evaluate

    try:
        config = clone.config()
    except FocusError as exc:
        message = f"focus serve: alerts not evaluated: {exc}"
        if message != Said.last:
            Said.last = message
            sys.stderr.write(message + "\n")
        return 0
    Said.last = None
    return len(evaluate(clone.root, config, state_dir=clone.state_dir))


class Said:
    """The last complaint about focus.yaml, so a bad file is said once, not every tick."""

    last: str | None = None


async def alerts_loop(clone: Clone) -> None:
    seen, last = -1, 0.0
    while True:
        await asyncio.sleep(TICK)
        generation = clone.broadcaster.generation
        if generation == seen and time.monotonic() - last < IDLE:
            continue
        seen, last = generation, time.monotonic()
        try:
            await run_sync(evaluate_once, clone)
        except Exception as exc:  # never let the page and API go down with an alert
            sys.stderr.write(f"focus serve: alerts: {type(exc).__name__}: {exc}\n")
