"""Prometheus: SLO and custom instant queries through prometheus-api-client (no pandas)."""

from __future__ import annotations

import ast
import json
import math
import time
from typing import Any

from agent_focus.config import FocusConfig, PromQuery, Slo
from agent_focus.metrics.answer_cap import cap_session
from agent_focus.metrics.errors import START_HINTS, classify
from agent_focus.metrics.model import Metric, NoData, SloResult, SourceReport, now
from agent_focus.metrics.registry import register_collector

Series = list[tuple[dict[str, str], float]]


def _series(result: Any) -> Series:
    """(labels, value) pairs of an instant-query result: a vector, or a scalar ``[ts, "v"]``."""
    if isinstance(result, list) and len(result) == 2 and not isinstance(result[0], dict):
        return [({}, float(result[1]))]
    return [(dict(item.get("metric", {})), float(item["value"][1])) for item in result or []]


def _bad_query_detail(error: BaseException) -> str | None:
    """Prometheus answers 400 (or 422) with ``{"error": "..."}`` for a bad PromQL expression."""
    text = str(error)
    if "Status Code 400" not in text and "Status Code 422" not in text:
        return None
    # The client puts ``repr(response.content)`` in its message: read that bytes literal back.
    try:
        body = json.loads(ast.literal_eval(text[text.index("(") + 1 : text.rindex(")")]))
        return str(body["error"])
    except (ValueError, SyntaxError, KeyError, TypeError):
        return text


@register_collector("prometheus")
class PrometheusCollector:
    name = "prometheus"

    def location(self, config: FocusConfig) -> str:
        return config.prometheus.url

    def prepare(self) -> None:
        import prometheus_api_client  # noqa: F401

    def _client(self, config: FocusConfig) -> Any:
        import requests
        from prometheus_api_client import PrometheusConnect
        from urllib3.util.retry import Retry

        session = cap_session(requests.Session())  # a huge answer is cut short, not parsed
        session.verify = False
        # No retries: a dead or failing server should say so within the timeout.
        return PrometheusConnect(
            url=config.prometheus.url,
            disable_ssl=True,
            retry=Retry(total=0),
            timeout=config.timeout,
            session=session,
        )

    def _query(self, client: Any, query: str) -> tuple[Series, NoData | None]:
        try:
            result = client.custom_query(query)
        except Exception as exc:
            bad = _bad_query_detail(exc)
            if bad is not None:
                return [], NoData("bad query", bad, "check the PromQL in focus.yaml")
            raise
        series = _series(result)
        if not series:
            return [], NoData(
                "empty result",
                f"no series for {query}",
                "is the exporter scraped? see Status > Targets",
            )
        if all(math.isnan(value) for _, value in series):
            return [], NoData("NaN", f"{query} is NaN (no samples in the window?)", "")
        return [(labels, value) for labels, value in series if not math.isnan(value)], None

    def collect(self, config: FocusConfig, agent: str | None) -> SourceReport:
        started = time.monotonic()
        client = self._client(config)
        slos: list[SloResult] = []
        metrics: list[Metric] = []
        try:
            metrics.append(self._targets(client))
            for slo in config.slos_for(agent):
                series, missing = self._query(client, slo.query)
                slos.append(self._evaluate(slo, series, missing))
            for query in self._queries(config, agent):
                series, missing = self._query(client, query.query)
                read_at = now()
                if missing:
                    metrics.append(
                        Metric(self.name, query.name, read_at, no_data=missing, agent=query.agent)
                    )
                for labels, value in series:
                    metrics.append(
                        Metric(
                            self.name,
                            query.name,
                            read_at,
                            value=value,
                            labels=labels,
                            agent=query.agent,
                        )
                    )
        except Exception as exc:
            return self.unavailable(config, agent, classify(self.name, config.prometheus.url, exc))
        return SourceReport(
            self.name,
            config.prometheus.url,
            now(),
            time.monotonic() - started,
            tuple(metrics),
            tuple(slos),
        )

    def _targets(self, client: Any) -> Metric:
        """Scrape targets up out of all: real data from any Prometheus, and proof it answers."""
        series = _series(client.custom_query("up"))
        if not series:
            return Metric(
                self.name,
                "scrape targets up",
                now(),
                no_data=NoData(
                    "empty result",
                    "Prometheus has no scrape targets",
                    "add scrape_configs to prometheus.yml",
                ),
            )
        up = sum(1 for _, value in series if value == 1)
        return Metric(
            self.name, "scrape targets up", now(), value=float(up), text=f"{up}/{len(series)}"
        )

    @staticmethod
    def _queries(config: FocusConfig, agent: str | None) -> list[PromQuery]:
        return [q for q in config.prometheus.queries if agent is None or q.agent in (None, agent)]

    @staticmethod
    def _evaluate(slo: Slo, series: Series, missing: NoData | None) -> SloResult:
        read_at = now()
        if missing is not None:
            return SloResult(
                slo.name, slo.query, slo.target, read_at, no_data=missing, agent=slo.agent
            )
        # Several series: the SLO holds only if every one of them meets it; show the worst.
        values = [value for _, value in series]
        worst = max(values) if slo.max is not None else min(values)
        return SloResult(
            slo.name,
            slo.query,
            slo.target,
            read_at,
            value=worst,
            met=slo.met_by(worst),
            agent=slo.agent,
        )

    def unavailable(self, config: FocusConfig, agent: str | None, no_data: NoData) -> SourceReport:
        read_at = now()
        if not no_data.hint:
            no_data = NoData(no_data.reason, no_data.detail, START_HINTS[self.name])
        slos = tuple(
            SloResult(s.name, s.query, s.target, read_at, no_data=no_data, agent=s.agent)
            for s in config.slos_for(agent)
        )
        return SourceReport(self.name, config.prometheus.url, read_at, 0.0, (), slos, no_data)
