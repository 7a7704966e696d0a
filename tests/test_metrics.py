"""bot.metrics: labels refuse anything that could be user text, an id or a token; every Metrics
owns its registry (nothing registered at import); the text format has the series operators use."""

from __future__ import annotations

import importlib

import prometheus_client
import pytest

import bot.metrics
from bot.metrics import Metrics, label, method_label


@pytest.mark.parametrize(
    "value",
    [
        "U0123ABCD",  # user id
        "C0001",  # channel id
        "xoxb-123-456",  # token
        "xapp-1-A0001-test",
        "deploy checklist",  # typed text
        "Kubernetes",
        "tok_" + "a" * 60,  # too long
        "",
        None,
    ],
)
def test_label_refuses_what_could_be_user_data(value: object) -> None:
    assert label(value) == "other"


@pytest.mark.parametrize("value", ["search", "save_thread_view", "not_in_channel", "link_shared"])
def test_label_keeps_fixed_words_and_ids(value: str) -> None:
    assert label(value) == value


@pytest.mark.parametrize("value", ["chat.postMessage", "files.getUploadURLExternal"])
def test_slack_methods_keep_their_names(value: str) -> None:
    assert method_label(value) == value
    assert method_label("xoxb-1.2") == method_label("Some Text.x") == "other"


def test_importing_registers_nothing_globally_and_instances_do_not_clash() -> None:
    before = set(prometheus_client.REGISTRY._names_to_collectors)
    importlib.reload(bot.metrics)
    first, second = bot.metrics.Metrics(), bot.metrics.Metrics()  # a global registry would clash
    assert set(prometheus_client.REGISTRY._names_to_collectors) == before
    first.job_ran("digest_tick")
    assert b'job="digest_tick"' in first.exposition()[0]
    assert b'job="digest_tick"} 1.0' not in second.exposition()[0]


def test_exposition_lists_every_family() -> None:
    metrics = Metrics()
    metrics.watch_queue(lambda: 3)
    metrics.slack_request("command", "search", "acked", 0.2)
    metrics.upstream_request("confluence", 503)
    metrics.upstream_request("maton", None, "timeout")
    metrics.upstream_retry("confluence", "5xx")
    metrics.slack_api_error("chat.postMessage", "not_in_channel")
    metrics.job_ran("digest_tick")
    metrics.job_failed("digest_tick")
    metrics.job_started_late("digest_tick")
    body, content_type = metrics.exposition()
    text = body.decode()
    assert content_type.startswith("text/plain")
    for line in (
        'confluence_bot_slack_requests_total{kind="command",name="search",outcome="acked"} 1.0',
        'confluence_bot_slack_ack_seconds_bucket{kind="command",le="0.25"} 1.0',
        'confluence_bot_upstream_requests_total{api="confluence",status="5xx"} 1.0',
        'confluence_bot_upstream_requests_total{api="maton",status="timeout"} 1.0',
        'confluence_bot_upstream_retries_total{api="confluence",reason="5xx"} 1.0',
        'confluence_bot_slack_api_errors_total{error="not_in_channel",method="chat.postMessage"} 1.0',
        'confluence_bot_scheduled_job_runs_total{job="digest_tick"} 1.0',
        'confluence_bot_scheduled_job_failures_total{job="digest_tick"} 1.0',
        'confluence_bot_scheduled_job_late_total{job="digest_tick"} 1.0',
        "confluence_bot_background_tasks 3.0",
    ):
        assert line in text, line
