"""OpenAI Chat Completions with JSON-schema structured output. ``planner.base_url`` (or
``OPENAI_BASE_URL``) points it at any OpenAI-compatible server: Ollama, vLLM, LM Studio."""

from __future__ import annotations

import os
from typing import Any

from agent_focus.config import PlannerConfig
from agent_focus.journal.calls import LLMCall
from agent_focus.journal.pricing import cost_usd
from agent_focus.planner.context import PlanningContext
from agent_focus.planner.prompt import (
    INSTRUCTIONS,
    correction_message,
    strategy_block,
    today_message,
)
from agent_focus.planner.providers.base import (
    PlanError,
    PlanRequest,
    ProviderReply,
    ask_with_one_correction,
    register_provider,
    timed,
    transport_error,
    unreadable,
)
from agent_focus.planner.providers.deadline import Deadline
from agent_focus.planner.schema import PLAN_JSON_SCHEMA

DEFAULT_MODEL = "gpt-4.1-mini"
API = "Chat Completions"
RESPONSE_FORMAT: dict[str, Any] = {
    "response_format": {
        "type": "json_schema",
        "json_schema": {"name": "focus_plan", "schema": PLAN_JSON_SCHEMA, "strict": True},
    }
}


def base_url(config: PlannerConfig) -> str | None:
    return config.base_url or os.environ.get("OPENAI_BASE_URL") or None


@register_provider("openai")
class OpenAIPlanner:
    name = "openai"

    def unavailable(self, config: PlannerConfig) -> str | None:
        if os.environ.get("OPENAI_API_KEY") or base_url(config):
            return None
        return "OPENAI_API_KEY is not set (nor planner.base_url for a local server)"

    def plan(self, context: PlanningContext, request: PlanRequest) -> ProviderReply:
        import openai

        config = request.config
        model = request.model or DEFAULT_MODEL
        url = base_url(config)
        deadline = Deadline(config.timeout, config.max_retries)
        client = openai.OpenAI(
            # A local server (Ollama, vLLM, LM Studio) wants no key, but the SDK wants one.
            api_key=os.environ.get("OPENAI_API_KEY") or "local-no-key",
            base_url=url,
            max_retries=0,  # the deadline's loop retries, within planner.timeout
            timeout=config.timeout,
        )
        completions: Any = client.chat.completions  # the typed overloads want TypedDict messages
        messages: list[dict[str, Any]] = [
            # Stable first: providers that cache prompt prefixes reuse this part.
            {"role": "system", "content": INSTRUCTIONS + "\n" + strategy_block(context)},
            {"role": "user", "content": today_message(context)},
        ]

        def exchange(error: str | None) -> tuple[Any, LLMCall]:
            if error is not None:
                messages.append({"role": "assistant", "content": last_reply[0] or ""})
                messages.append({"role": "user", "content": correction_message(error)})
            elapsed = timed()

            def send(timeout: float, retries_taken: int) -> Any:
                return completions.create(
                    **RESPONSE_FORMAT, model=model, messages=messages, timeout=timeout,
                    extra_headers={"x-stainless-retry-count": str(retries_taken)},
                )  # fmt: skip

            try:
                response = deadline.attempts_of(send)
                if not isinstance(response, openai.types.chat.ChatCompletion):
                    raise PlanError(unreadable(self.name, API, response))
            except (openai.OpenAIError, TimeoutError, ValueError, PlanError) as exc:
                message = transport_error(self.name, API, exc, deadline, str(client.base_url))
                raise PlanError(
                    message, [LLMCall(self.name, model, elapsed(), False, error=message)]
                ) from None
            usage = response.usage
            prompt = usage.prompt_tokens if usage else 0
            details = usage.prompt_tokens_details if usage else None
            cached = (details.cached_tokens or 0) if details else 0
            output = usage.completion_tokens if usage else 0
            used_model = response.model or model
            call = LLMCall(
                self.name, used_model, elapsed(), True,
                input_tokens=prompt - cached, output_tokens=output, cached_tokens=cached,
                cost_usd=cost_usd(used_model, config.prices, input_tokens=prompt - cached, output_tokens=output, cached_tokens=cached),
            )  # fmt: skip
            content = response.choices[0].message.content if response.choices else None
            last_reply[0] = content
            return content, call

        last_reply: list[str | None] = [None]
        plan, calls = ask_with_one_correction(self.name, model, exchange, deadline)
        return ProviderReply(plan, calls[-1].model, calls)
