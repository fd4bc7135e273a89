"""Anthropic's Messages API: structured output through a forced tool call, with the stable
part of the prompt (instructions, tool, strategy) marked for prompt caching."""

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

DEFAULT_MODEL = "claude-sonnet-4-5"
API = "Messages API"
TOOL = {
    "name": "submit_plan",
    "description": "Submit today's new sprint tasks for the agent.",
    "input_schema": PLAN_JSON_SCHEMA,
}


@register_provider("anthropic")
class AnthropicPlanner:
    name = "anthropic"

    def unavailable(self, config: PlannerConfig) -> str | None:
        if not os.environ.get("ANTHROPIC_API_KEY"):
            return "ANTHROPIC_API_KEY is not set"
        return None

    def plan(self, context: PlanningContext, request: PlanRequest) -> ProviderReply:
        import anthropic

        config = request.config
        model = request.model or DEFAULT_MODEL
        deadline = Deadline(config.timeout, config.max_retries)
        client = anthropic.Anthropic(
            api_key=os.environ.get("ANTHROPIC_API_KEY"),
            max_retries=0,  # the deadline's loop retries, within planner.timeout
            timeout=config.timeout,
        )
        messages_api: Any = client.messages  # the typed overloads want TypedDict params
        system = [
            {"type": "text", "text": INSTRUCTIONS},
            {
                "type": "text",
                "text": strategy_block(context),
                "cache_control": {"type": "ephemeral"},
            },
        ]
        messages: list[dict[str, Any]] = [{"role": "user", "content": today_message(context)}]

        def exchange(error: str | None) -> tuple[Any, LLMCall]:
            if error is not None:
                messages.extend(self._correction(last_content[0], error))
            elapsed = timed()

            def send(timeout: float, retries_taken: int) -> Any:
                return messages_api.create(
                    model=model,
                    max_tokens=2048,
                    system=system,
                    messages=messages,
                    tools=[TOOL],
                    tool_choice={"type": "tool", "name": "submit_plan"},
                    timeout=timeout,
                    extra_headers={"x-stainless-retry-count": str(retries_taken)},
                )

            try:
                response = deadline.attempts_of(send)
                if not isinstance(response, anthropic.types.Message):
                    raise PlanError(unreadable(self.name, API, response))
            except (anthropic.AnthropicError, TimeoutError, ValueError, PlanError) as exc:
                message = transport_error(self.name, API, exc, deadline, str(client.base_url))
                raise PlanError(
                    message, [LLMCall(self.name, model, elapsed(), False, error=message)]
                ) from None
            usage = response.usage
            cached = usage.cache_read_input_tokens or 0
            written = usage.cache_creation_input_tokens or 0
            call = LLMCall(
                self.name, response.model or model, elapsed(), True,
                input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
                cached_tokens=cached, cache_write_tokens=written,
                cost_usd=cost_usd(
                    response.model or model, config.prices, input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens, cached_tokens=cached, cache_write_tokens=written,
                ),
            )  # fmt: skip
            last_content[0] = [block.model_dump(exclude_none=True) for block in response.content]
            tool_use = next((b for b in response.content if b.type == "tool_use"), None)
            return (tool_use.input if tool_use is not None else None), call

        last_content: list[list[dict[str, Any]]] = [[]]
        plan, calls = ask_with_one_correction(self.name, model, exchange, deadline)
        return ProviderReply(plan, calls[-1].model, calls)

    @staticmethod
    def _correction(content: list[dict[str, Any]], error: str) -> list[dict[str, Any]]:
        tool_use = next((b for b in content if b.get("type") == "tool_use"), None)
        if tool_use is None:
            return [
                {
                    "role": "assistant",
                    "content": content or [{"type": "text", "text": "(no reply)"}],
                },
                {
                    "role": "user",
                    "content": correction_message("no submit_plan call") + " Call submit_plan.",
                },
            ]
        return [
            {"role": "assistant", "content": content},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": tool_use["id"],
                        "is_error": True,
                        "content": correction_message(error),
                    }
                ],
            },
        ]
