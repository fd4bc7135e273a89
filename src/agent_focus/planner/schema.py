"""The plan a provider must return, validated with pydantic: bounded in length and count.

A plan can only *add* tasks: there is no field to delete, rename or tick one. Whatever a
model replies, existing lines of the focus file cannot change through it. Its text is made
printable before validation: no escape sequence, control or bidi character of a model's
reaches the focus file, the journal or a terminal.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_TASKS = 10
SERVES_KINDS = ("portfolio", "priority", "slo", "service", "requirement", "activity")

# ANSI/ECMA-48 sequences, whole: CSI (colours, cursor moves), OSC (titles, hyperlinks, up to
# BEL or ST), other two-byte escapes; and their one-byte C1 forms.
_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|[ -/]*[0-~])"
    r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
# Controls (NUL, ESC, BEL, C1), format characters (bidi overrides and isolates, zero-width
# marks), lone surrogates, private use, and the line and paragraph separators.
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
_KEPT = frozenset("\t\n\r\u200d")  # whitespace the validators judge; ZWJ joins emoji


def printable(text: str) -> str:
    """``text`` without anything a terminal or an editor would act on rather than show."""
    text = _ESCAPES.sub("", text)
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch for ch in text if ch in _KEPT or unicodedata.category(ch) not in _UNPRINTABLE)


class PlannedTask(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=3, max_length=120)
    reason: str = Field(min_length=1, max_length=300)
    serves_kind: Literal["portfolio", "priority", "slo", "service", "requirement", "activity"]
    serves: str = Field(min_length=1, max_length=120)
    priority: Literal["high", "medium", "low"]
    estimate_hours: float = Field(ge=0.25, le=16)

    @field_validator("title", "reason", "serves", mode="before")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        return printable(value) if isinstance(value, str) else value

    @field_validator("title")
    @classmethod
    def _one_plain_line(cls, title: str) -> str:
        if "\n" in title or "\r" in title:
            raise ValueError("a title is one line")
        title = " ".join(title.split())
        if title[:1] in "#>|-*+[" or title.startswith("<!--"):
            raise ValueError("a title is plain text, not markdown structure (#, >, |, -, [ ])")
        return title

    @field_validator("reason", "serves")
    @classmethod
    def _single_line(cls, text: str) -> str:
        return " ".join(text.split())


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    summary: str = Field(max_length=400)
    tasks: list[PlannedTask] = Field(max_length=MAX_TASKS)

    @field_validator("summary", mode="before")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        return " ".join(printable(value).split()) if isinstance(value, str) else value


PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}

# Written by hand so it is valid for OpenAI's strict structured outputs (every property
# required, no additional ones) and for Anthropic tool input alike; pydantic checks the rest.
PLAN_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {
            "type": "string",
            "description": "One or two sentences: the idea of today's plan.",
        },
        "tasks": {
            "type": "array",
            "description": f"New tasks only, most important first, at most {MAX_TASKS}.",
            "items": {
                "type": "object",
                "properties": {
                    "title": {
                        "type": "string",
                        "description": "Imperative, one line, at most 120 characters.",
                    },
                    "reason": {
                        "type": "string",
                        "description": "Why today, grounded in the data given.",
                    },
                    "serves_kind": {"type": "string", "enum": list(SERVES_KINDS)},
                    "serves": {
                        "type": "string",
                        "description": "The portfolio item, priority, SLO, service or requirement served.",
                    },
                    "priority": {"type": "string", "enum": ["high", "medium", "low"]},
                    "estimate_hours": {"type": "number", "description": "0.25 to 16"},
                },
                "required": [
                    "title",
                    "reason",
                    "serves_kind",
                    "serves",
                    "priority",
                    "estimate_hours",
                ],
                "additionalProperties": False,
            },
        },
    },
    "required": ["summary", "tasks"],
    "additionalProperties": False,
}
