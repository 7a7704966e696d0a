"""Prometheus metrics for operators, in one object that owns its registry.

Nothing is registered at import time: bootstrap builds one `Metrics` (with a fresh
CollectorRegistry, not prometheus_client's global one) per process and hands it to what records.
Label values are fixed words chosen here or ids this app defines (subcommands, action and view ids,
Slack method and error codes), checked by `label`: never user text, user ids or tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

PREFIX = "confluence_bot"
# Slack's 3 s ack deadline sits between 2.5 and 5.
ACK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 2.5, 3.0, 5.0, 10.0)
# Lower-case words joined by "_" or "." (Slack methods, error codes, our ids): no digits, no
# capitals and no "-", so no user ids (U0123…), tokens (xoxb-…) or typed text fit.
_LABEL = re.compile(r"^[a-z][a-z_.]{0,47}$")
# Slack Web API methods: chat.postMessage, files.getUploadURLExternal.
_METHOD = re.compile(r"^[a-z]+(?:\.[a-zA-Z]+){1,3}$")
OTHER = "other"


def label(value: object) -> str:
    """`value` if it is a safe label value (see _LABEL), else "other"."""
    text = str(value)
    return text if _LABEL.match(text) else OTHER


def method_label(value: object) -> str:
    """A Slack Web API method name, else "other"."""
    text = str(value)
    return text if len(text) <= 48 and _METHOD.match(text) else OTHER


def status_class(status: int | None, failure: str | None = None) -> str:
    """ "2xx" … "5xx", or the failure ("timeout", "network") when there was no answer."""
    if status is None:
        return failure or "network"
    return f"{status // 100}xx"


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.slack_requests = Counter(
            f"{PREFIX}_slack_requests",
            "Slack requests (commands, shortcuts, actions, views, options, events) by kind, "
            "name (subcommand, action/view id or event type) and outcome (acked, error, "
            "unhandled, refused)",
            ["kind", "name", "outcome"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            f"{PREFIX}_slack_ack_seconds",
            "Seconds from receiving a Slack request to answering it (Slack allows 3)",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.http_requests = Counter(
            f"{PREFIX}_upstream_requests",
            "HTTP requests to Confluence (api=confluence) and Maton (api=maton: gateway "
            "discovery and the connection API) by status class (2xx…5xx, timeout, network)",
            ["api", "status"],
            registry=r,
        )
        self.http_retries = Counter(
            f"{PREFIX}_upstream_retries",
            "Retries of Confluence and Maton requests by reason (429, 5xx, timeout, network)",
            ["api", "reason"],
            registry=r,
        )
        self.slack_api_errors = Counter(
            f"{PREFIX}_slack_api_errors",
            "Slack Web API calls answered with an error (or not at all: connection_error), "
            "by method and error",
            ["method", "error"],
            registry=r,
        )
        self.job_runs = Counter(
            f"{PREFIX}_scheduled_job_runs", "Scheduled job runs", ["job"], registry=r
        )
        self.job_failures = Counter(
            f"{PREFIX}_scheduled_job_failures",
            "Scheduled job runs that raised",
            ["job"],
            registry=r,
        )
        self.job_late = Counter(
            f"{PREFIX}_scheduled_job_late",
            "Scheduled job runs that started late, or were skipped (missed, or the previous run "
            "still going)",
            ["job"],
            registry=r,
        )
        self.background_tasks = Gauge(
            f"{PREFIX}_background_tasks",
            "Background work running now (the queue behind the acks)",
            registry=r,
        )

    # -- recording (each call site passes only fixed words or ids; `label` enforces it) ---------
    def slack_request(self, kind: str, name: str, outcome: str, seconds: float) -> None:
        self.slack_requests.labels(label(kind), label(name), label(outcome)).inc()
        self.ack_seconds.labels(label(kind)).observe(seconds)

    def upstream_request(self, api: str, status: int | None, failure: str | None = None) -> None:
        self.http_requests.labels(label(api), label_status(status, failure)).inc()

    def upstream_retry(self, api: str, reason: str) -> None:
        self.http_retries.labels(label(api), label_status_reason(reason)).inc()

    def slack_api_error(self, method: str, error: str) -> None:
        self.slack_api_errors.labels(method_label(method), label(error)).inc()

    def job_ran(self, job: str) -> None:
        self.job_runs.labels(label(job)).inc()

    def job_failed(self, job: str) -> None:
        self.job_failures.labels(label(job)).inc()

    def job_started_late(self, job: str) -> None:
        self.job_late.labels(label(job)).inc()

    def watch_queue(self, depth: Callable[[], float]) -> None:
        """Report `depth()` (read at each scrape) as the background queue depth."""
        self.background_tasks.set_function(depth)

    def exposition(self) -> tuple[bytes, str]:
        """The Prometheus text format body and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


_STATUS = re.compile(r"^([1-5]xx|timeout|network)$")


def label_status(status: int | None, failure: str | None) -> str:
    value = status_class(status, failure)
    return value if _STATUS.match(value) else OTHER


def label_status_reason(reason: str) -> str:
    return reason if reason == "429" or _STATUS.match(reason) else OTHER
