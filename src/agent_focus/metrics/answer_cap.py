"""A cap on the size of the answers MLflow and Prometheus send us.

Both clients read an answer whole, then parse it: a 200 MB answer costs seconds and
gigabytes (the JSON parse holds the GIL, so not even the deadline can cut it short) before
the honest NO DATA. Here the body is streamed through a counter that stops reading at
:data:`MAX_ANSWER_BYTES` (decoded bytes, so a gzip bomb is caught too), and an announced
``Content-Length`` above it is refused before a byte of the body is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_ANSWER_BYTES = 16 * 2**20  # far above any real answer of ours; parsed, a few hundred MB
TOO_LARGE = "stopped reading"  # in every AnswerTooLarge message; errors.classify looks for it


class AnswerTooLarge(Exception):
    def __init__(self, url: str, limit: int):
        super().__init__(f"the answer from {url} is over {limit // 2**20} MB: {TOO_LARGE}")


class _CappedBody:
    """A urllib3 response that raises :class:`AnswerTooLarge` past ``limit`` bytes."""

    def __init__(self, raw: Any, url: str, limit: int):
        self._raw = raw
        self._url = url
        self._limit = limit
        self._seen = 0

    def _count(self, data: bytes) -> bytes:
        self._seen += len(data)
        if self._seen > self._limit:
            self._raw.close()
            raise AnswerTooLarge(self._url, self._limit)
        return data

    def stream(
        self, amt: int | None = 2**16, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        for chunk in self._raw.stream(amt, decode_content=decode_content):
            yield self._count(chunk)

    def read(self, amt: int | None = None, *args: Any, **kwargs: Any) -> bytes:
        if amt is not None:
            return self._count(self._raw.read(amt, *args, **kwargs))
        parts = []
        while part := self._raw.read(2**16, *args, **kwargs):
            parts.append(self._count(part))
        return b"".join(parts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def cap_answer(response: Any, *args: Any, limit: int = MAX_ANSWER_BYTES, **kwargs: Any) -> Any:
    """A requests response hook (it runs before the body is read) capping ``response``."""
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > limit:
        response.close()
        raise AnswerTooLarge(response.url, limit)
    if not isinstance(response.raw, _CappedBody):
        response.raw = _CappedBody(response.raw, response.url, limit)
    return response


def cap_session(session: Any) -> Any:
    """Cap every answer ``session`` (a ``requests.Session``) receives."""
    if cap_answer not in session.hooks["response"]:
        session.hooks["response"].append(cap_answer)
    return session


def cap_mlflow_answers() -> None:
    """Cap every answer MLflow's REST client receives (once per process).

    MLflow makes its sessions privately, all with the one adapter class of
    ``mlflow.utils.request_utils``; its ``build_response`` runs before the body is read.
    Should a future MLflow drop that class, answers go uncapped and the deadline still holds.
    """
    from mlflow.utils import request_utils

    adapter = getattr(request_utils, "TCPKeepAliveHTTPAdapter", None)
    if adapter is None or getattr(adapter, "_focus_capped", False):
        return
    build_response = adapter.build_response

    def capped_build_response(self: Any, request: Any, response: Any) -> Any:
        return cap_answer(build_response(self, request, response))

    adapter.build_response = capped_build_response
    adapter._focus_capped = True
