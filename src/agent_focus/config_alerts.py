"""focus.yaml's ``alerts:`` rules (docs/alerts.md): one rule's model, and the error of a
rule that is wrong only among the others (reported at that rule's own line)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AlertRule(BaseModel):
    """One alert (docs/alerts.md): when it fires, for which agent, and where it goes.

    ``command`` is a list of arguments, or a string split as a shell would (``shlex``) but
    run without a shell: write ``["sh", "-c", "..."]`` for pipes and redirections."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # as config's other models

    name: str = Field(default="", max_length=80)  # default: the ``when``
    when: Literal["waiting", "over_budget", "slo_violated", "tests_failed", "sprint_done"]
    minutes: float | None = Field(default=None, ge=0, le=10080)
    agent: str | None = Field(default=None, min_length=1, max_length=40)
    command: list[str] | str | None = None
    webhook: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> AlertRule:
        if self.command is None and self.webhook is None:
            raise ValueError("give command:, webhook: or both")
        if (self.minutes is None) != (self.when != "waiting"):
            raise ValueError(
                "waiting needs minutes: N"
                if self.minutes is None
                else "minutes: is only for when: waiting"
            )
        if not self.argv and self.command is not None:
            raise ValueError("command: is empty")
        if self.webhook is not None and not self.webhook.startswith(("http://", "https://")):
            raise ValueError("webhook: must be an http:// or https:// URL")
        return self

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        """The name defaults to the ``when``; agents are upper case (A1)."""
        if isinstance(data, dict):
            data = dict(data)
            if not data.get("name") and isinstance(data.get("when"), str):
                data["name"] = data["when"]
            if isinstance(data.get("agent"), str):
                data["agent"] = data["agent"].upper()
        return data

    @property
    def argv(self) -> list[str]:
        """The command's arguments ([] without one); a string is split as a shell would."""
        if self.command is None:
            return []
        if isinstance(self.command, list):
            return list(self.command)
        import shlex

        try:
            return shlex.split(self.command)
        except ValueError:  # an unclosed quote
            return []

    def applies_to(self, agent: str | None) -> bool:
        return self.agent is None or self.agent == (agent or "").upper()


class AlertError(ValueError):
    """A rule that is wrong only among the others: reported at the rule's own line."""

    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index
