"""The API's JSON answers: Starlette's, with a figure JSON cannot say (an infinite cost)
written as null instead of failing the request (:mod:`agent_focus.json_text`)."""

from __future__ import annotations

from typing import Any

from starlette import responses

from agent_focus.json_text import dumps


class JSONResponse(responses.JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
