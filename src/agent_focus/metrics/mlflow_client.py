"""The one place an MLflow client is made, for the collector and the team mirror alike."""

from __future__ import annotations

import os
from typing import Any


def mlflow_client(tracking_uri: str, timeout: float) -> Any:
    """An ``MlflowClient`` that fails within ``timeout``, reads no answer over
    ``answer_cap.MAX_ANSWER_BYTES`` and keeps stdout clean.

    MLflow retries 7 times with backoff and waits 120 s by default; a dead server must say
    so within our timeout. stdout carries `--json` and the MCP protocol, so MLflow must not
    print run links there. The user's own settings of these variables win.
    """
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(max(1, int(timeout))))
    from mlflow.tracking import MlflowClient

    from agent_focus.metrics.answer_cap import cap_mlflow_answers

    cap_mlflow_answers()
    return MlflowClient(tracking_uri=tracking_uri)
