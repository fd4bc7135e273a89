"""The one interface every planner implements, its registry, and the shared ask-and-validate.

A provider is a small class with a ``name`` and ``plan(context, request)``; registering it
with ``@register_provider`` is all a fourth one needs (as simonw/llm registers models).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from agent_focus.config import PlannerConfig
from agent_focus.errors import FocusError
from agent_focus.journal.calls import LLMCall
from agent_focus.planner.context import PlanningContext
from agent_focus.planner.providers.deadline import Deadline, DeadlineExceeded
from agent_focus.planner.schema import Plan, printable
from agent_focus.registry import Registry


class PlanError(FocusError):
    """Planning failed; nothing was written. ``calls`` are still logged. The message may
    quote a server or a model: it is made printable."""

    def __init__(self, message: str, calls: list[LLMCall] | None = None):
        super().__init__(printable(message))
        self.calls = calls or []


@dataclass(frozen=True)
class PlanRequest:
    """What the caller asks of a provider."""

    model: str | None
    config: PlannerConfig


@dataclass
class ProviderReply:
    plan: Plan
    model: str
    calls: list[LLMCall] = field(default_factory=list)


class Provider(Protocol):
    name: str

    def unavailable(self, config: PlannerConfig) -> str | None:
        """Why this provider cannot run here (a missing key), or None."""
        ...

    def plan(self, context: PlanningContext, request: PlanRequest) -> ProviderReply: ...


PROVIDERS: Registry[Provider] = Registry(
    tuple(
        f"agent_focus.planner.providers.{name}"
        for name in ("anthropic_provider", "offline", "openai_provider")
    )
)
register_provider = PROVIDERS.register


def providers() -> dict[str, Callable[[], Provider]]:
    """Every registered provider, the built-in ones included."""
    return PROVIDERS.all()


def secrets() -> list[str]:
    return [v for k in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY") if (v := os.environ.get(k))]


def redact(text: str) -> str:
    """Remove every API key (and every control character) from ``text`` before it is shown
    or logged."""
    for secret in secrets():
        text = text.replace(secret, "***")
    return printable(text)


def unreadable(provider: str, api: str, body: object) -> str:
    """The error for a reply that is not the API's at all (say, a proxy's HTML page)."""
    text = " ".join(printable(str(body)).split())
    return redact(f"{provider}: the reply is not a {api} response: {text[:120]!r}")


def validate_plan(payload: Any) -> Plan:
    """A Plan from a tool input (dict) or a JSON text; ValueError with a short reason otherwise."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise ValueError("the plan must be a JSON object with summary and tasks")
    try:
        return Plan.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise ValueError(problems) from None


Exchange = Callable[[str | None], tuple[Any, LLMCall]]


def ask_with_one_correction(
    provider: str, model: str, exchange: Exchange, deadline: Deadline
) -> tuple[Plan, list[LLMCall]]:
    """Call ``exchange(None)``; if the reply does not validate, ``exchange(error)`` once more,
    both within ``deadline``.

    ``exchange`` returns the raw payload and the call's record; it raises PlanError for
    transport failures (after its retries).
    """
    calls: list[LLMCall] = []
    error: str | None = None
    for _attempt in range(2):
        elapsed = timed()
        try:
            payload, call = deadline.run(lambda: exchange(error))  # noqa: B023 (run now)
        except PlanError as exc:
            raise PlanError(exc.message, calls + exc.calls) from None
        except (DeadlineExceeded, AttributeError, TypeError, KeyError, IndexError) as exc:
            # A reply of the right type but not the right shape (no usage, no choices) has
            # the SDK hand us None where an object belongs.
            message = redact(
                f"{provider}: {exc}"
                if isinstance(exc, DeadlineExceeded)
                else f"{provider}: the reply could not be read ({type(exc).__name__}: {exc})"
            )[:400]
            failed = LLMCall(provider, model, elapsed(), False, error=message)
            raise PlanError(message, [*calls, failed]) from None
        try:
            plan = validate_plan(payload)
        except ValueError as exc:
            error = str(exc)
            calls.append(_failed(call, f"invalid reply: {error}"))
            continue
        calls.append(call)
        return plan, calls
    raise PlanError(
        f"{provider}: the reply did not validate, even after one correction: {error}", calls
    )


def _failed(call: LLMCall, error: str) -> LLMCall:
    return LLMCall(**{**call.__dict__, "ok": False, "error": redact(error)[:500]})


def timed() -> Callable[[], float]:
    start = time.perf_counter()
    return lambda: round((time.perf_counter() - start) * 1000, 1)


def transport_error(provider: str, api: str, exc: Exception, deadline: Deadline, where: str) -> str:
    """One line for a failed call to ``api``, after the retries. The anthropic and openai
    SDKs name their exceptions alike (APITimeoutError, APIConnectionError, ...); a
    ValueError is a 200 whose body is not JSON (the SDK's json.loads raised)."""
    kind = type(exc).__name__
    status = getattr(exc, "status_code", None)
    if isinstance(exc, PlanError):
        return exc.message
    if isinstance(exc, ValueError):
        return unreadable(provider, api, getattr(exc, "doc", exc))
    if kind in ("APITimeoutError", "DeadlineExceeded"):
        text = deadline.timed_out()
    elif kind == "APIConnectionError":
        text = f"cannot reach {where}: {getattr(exc, '__cause__', None) or exc}"
    elif kind == "AuthenticationError":
        text = "the API key was rejected (HTTP 401)"
    elif status is not None:
        text = f"HTTP {status} after {deadline.attempts_note()}: {getattr(exc, 'message', exc)}"
    else:
        text = f"{kind}: {exc}"
    return redact(f"{provider}: {text}")[:400]
