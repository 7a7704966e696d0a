"""GET /metrics in HTTP mode, beside /healthz, after real traffic through the signed endpoint:
requests and acks by command and outcome, ack latency, Confluence and Maton requests, Slack API
errors, the background queue — and no user text, user id or token in any label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.slack.search_view import SHARE_ACTION
from tests.fakes.slack_fake import FakeSlack
from tests.slack.conftest import CHANNEL, SIGNING_SECRET, USER, Harness
from tests.slack.identity_harness import harness_with
from tests.slack.test_http_e2e import _buttons

SECRET_WORDS = "zanzibarsecretproject"


@pytest.fixture
def pages(harness: Harness) -> None:
    harness.confluence.add_space("ENG", "Engineering")
    harness.confluence.add_page("ENG", f"The {SECRET_WORDS} plan", f"<p>{SECRET_WORDS}</p>")


async def _metrics(harness: Harness) -> str:
    response = await harness.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def _value(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match, f"{series} not in\n{text}"
    return float(match.group(1))


async def test_metrics_count_traffic_without_user_data(harness: Harness, pages: None) -> None:
    _, url = await harness.command(f"search {SECRET_WORDS}")
    share = _buttons(harness.answers(url)[0], SHARE_ACTION)[0]
    harness.slack.fail("chat.postMessage", "not_in_channel")
    await harness.action(SHARE_ACTION, str(share["value"]))
    await harness.command(f"{SECRET_WORDS} typed without a subcommand")
    await harness.command("digest subscribe NOPE")
    bad = await harness.post(
        b"command=%2Fconfluence&text=x", "application/x-www-form-urlencoded", secret="wrong"
    )
    assert bad.status_code == 401

    text = await _metrics(harness)
    prefix = "confluence_bot_slack_requests_total"
    assert _value(text, f'{prefix}{{kind="command",name="search",outcome="acked"}}') == 2
    assert _value(text, f'{prefix}{{kind="command",name="digest",outcome="acked"}}') == 1
    assert (
        _value(text, f'{prefix}{{kind="block_actions",name="search_share",outcome="acked"}}') == 1
    )
    assert _value(text, f'{prefix}{{kind="unverified",name="other",outcome="refused"}}') == 1
    assert _value(text, 'confluence_bot_slack_ack_seconds_count{kind="command"}') == 3
    assert (
        _value(text, 'confluence_bot_upstream_requests_total{api="confluence",status="2xx"}') >= 2
    )
    assert _value(text, 'confluence_bot_upstream_requests_total{api="maton",status="2xx"}') >= 1
    assert (
        _value(
            text,
            'confluence_bot_slack_api_errors_total{error="not_in_channel",method="chat.postMessage"}',
        )
        == 1
    )
    assert _value(text, "confluence_bot_background_tasks") == 0

    labels = " ".join(re.findall(r"\{[^}]*\}", text))
    for private in (
        SECRET_WORDS,
        "typed",
        "NOPE",
        USER,
        CHANNEL,
        "T0001",
        "xoxb-test-token",
        SIGNING_SECRET,
        "maton-test-key",
    ):
        assert private not in labels, private
    assert (await harness.http.get("/healthz")).status_code == 200


async def test_confluence_retries_are_counted(
    slack_server: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    async with harness_with(slack_server, tmp_path, confluence_max_attempts=2) as harness:
        harness.confluence.add_space("ENG", "Engineering")
        harness.confluence.add_page("ENG", f"The {SECRET_WORDS} plan", f"<p>{SECRET_WORDS}</p>")
        harness.confluence.fail(r"/rest/api/search$", 503, headers={"Retry-After": "0"})
        _, url = await harness.command(f"search {SECRET_WORDS}")
        assert SECRET_WORDS in harness.answer_text(url)
        text = await _metrics(harness)
    assert _value(text, 'confluence_bot_upstream_retries_total{api="confluence",reason="5xx"}') == 1
    assert (
        _value(text, 'confluence_bot_upstream_requests_total{api="confluence",status="5xx"}') == 1
    )
