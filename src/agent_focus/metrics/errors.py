"""Turning a failed read into an honest NO DATA: the reason, the detail, how to start it."""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

from agent_focus.metrics.answer_cap import MAX_ANSWER_BYTES, TOO_LARGE
from agent_focus.metrics.model import NoData

START_HINTS = {
    "mlflow": "start it: `just services-up` (or `mlflow server --host 127.0.0.1 --port 5000`), "
    "or point MLFLOW_TRACKING_URI / mlflow.tracking_uri in focus.yaml at yours",
    "prometheus": "start it: `just services-up` (or `prometheus --config.file=prometheus.yml`), "
    "or point PROMETHEUS_URL / prometheus.url in focus.yaml at yours",
}

_STATUS_RE = re.compile(
    r"(?:HTTP Status Code|status code|response code|error code|too many)\D{0,5}(\d{3})",
    re.IGNORECASE,
)


def classify(source: str, where: str, error: BaseException) -> NoData:
    """NO DATA for an exception raised while reading ``source`` at ``where``.

    Clients wrap their transport errors differently (MLflow folds them into the message of an
    MlflowException), so the whole chain's text is read, not only the exception type.
    """
    texts: list[str] = []
    current: BaseException | None = error
    while current is not None and len(texts) < 6:
        texts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    text = " | ".join(texts)
    hint = START_HINTS.get(source, "")
    lowered = text.lower()
    if TOO_LARGE in lowered:
        return NoData(
            "too large",
            f"{where} sent an answer over {MAX_ANSWER_BYTES // 2**20} MB: {TOO_LARGE}",
            f"is {where} really {source}? (not a proxy, a file server or another service)",
        )
    if "refused" in lowered or "newconnectionerror" in lowered or "failed to establish" in lowered:
        return NoData("refused", f"connection refused at {where}", hint)
    if "timed out" in lowered or "timeout" in lowered:
        return NoData("timed out", f"no answer from {where} in time", hint)
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return NoData("refused", f"unknown host in {where}", hint)
    status = _STATUS_RE.search(text)
    if status:
        return NoData("HTTP error", f"{where} answered HTTP {status.group(1)}", "")
    first = texts[0]
    return NoData("error", first if len(first) <= 300 else first[:297] + "...", hint)


def probe(source: str, url: str, timeout: float) -> NoData | None:
    """A TCP connect to ``url``'s host and port: NO DATA if nobody listens, else None.

    Cheap enough to run before importing a client (MLflow's import takes a second), so a
    dead service is reported at once. Non-HTTP URIs (``file:``, ``databricks``) are not probed.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return None
    except ConnectionRefusedError:
        return NoData("refused", f"connection refused at {url}", START_HINTS.get(source, ""))
    except TimeoutError:
        return NoData(
            "timed out", f"no answer from {url} within {timeout:g} s", START_HINTS.get(source, "")
        )
    except OSError as exc:
        return NoData(
            "refused",
            f"cannot connect to {url}: {exc.strerror or exc}",
            START_HINTS.get(source, ""),
        )
