"""The HTTP door: unverified, malformed, unknown and oversized requests against the real app.

A loopback server records every request it gets, standing in for a host an attacker chose as
`response_url`: nothing may ever reach it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.slack.http_guard import shape_problem
from bot.slack.search_view import MORE_ACTION
from bot.slack.slack_urls import is_slack_response_url
from tests.fakes.server import serve, serve_async
from tests.fakes.slack_signing import (
    PAYLOADS,
    event_callback_body,
    interactivity_body,
    require_payload,
    slash_command_body,
)
from tests.shared_specs import missing
from tests.slack.conftest import CHANNEL, SIGNING_SECRET, TEAM, USER, Harness

FORM = "application/x-www-form-urlencoded"


class Recorder:
    """Any host on the internet: records what reaches it."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, bytes]] = []
        self.app = Starlette(routes=[Route("/{path:path}", self._any, methods=["GET", "POST"])])

    async def _any(self, request: Request) -> Response:
        self.requests.append((request.url.path, await request.body()))
        return Response("ok")


@pytest.fixture(scope="module")
def recorder() -> Iterator[tuple[Recorder, str]]:
    rec = Recorder()
    with serve(rec.app) as url:
        yield rec, url


@pytest.fixture
def hook(recorder: tuple[Recorder, str]) -> Iterator[tuple[Recorder, str]]:
    rec, url = recorder
    rec.requests.clear()
    yield rec, f"{url}/hook"


def _signed(body: bytes, timestamp: str, content_type: str = FORM) -> dict[str, str]:
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Signature": f"v0={digest}",
        "X-Slack-Request-Timestamp": timestamp,
    }


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info is not None]


@pytest.mark.parametrize("timestamp", ["abc", "", "1e3", " 1700000000", "-5", "1" * 40])
async def test_malformed_timestamp_is_refused_and_nothing_is_sent(
    harness: Harness,
    hook: tuple[Recorder, str],
    timestamp: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder, url = hook
    body = slash_command_body("search kubernetes", response_url=url)
    response = await harness.http.post(
        "/slack/events", content=body, headers=_signed(body, timestamp)
    )
    await harness.settle()
    assert response.status_code == 401
    assert recorder.requests == []
    assert harness.confluence.requests == []
    assert _tracebacks(caplog) == []
    [line] = [r for r in caplog.records if "refused" in r.getMessage()]
    assert "status=401" in line.getMessage()


async def test_missing_or_malformed_signature_is_refused(
    harness: Harness, hook: tuple[Recorder, str]
) -> None:
    recorder, url = hook
    body = slash_command_body("search kubernetes", response_url=url)
    now = str(int(time.time()))
    for headers in (
        {"Content-Type": FORM},
        {"Content-Type": FORM, "X-Slack-Request-Timestamp": now},
        {**_signed(body, now), "X-Slack-Signature": "v1=" + "0" * 64},
        {**_signed(body, now), "X-Slack-Signature": "v0=zz"},
    ):
        response = await harness.http.post("/slack/events", content=body, headers=headers)
        assert response.status_code == 401
    await harness.settle()
    assert recorder.requests == []


def _payload(kind: str, url: str, **extra: object) -> dict[str, object]:
    return {
        "type": kind,
        "user": {"id": USER, "name": "someone", "team_id": TEAM},
        "team": {"id": TEAM, "domain": "fake"},
        "trigger_id": "1.2.3",
        "response_url": url,
        **extra,
    }


def _malformed(url: str) -> list[tuple[str, bytes, str]]:
    def form(payload: object) -> bytes:
        return urlencode({"payload": json.dumps(payload), "response_url": url}).encode()

    return [
        ("not json", urlencode({"payload": "not-json", "response_url": url}).encode(), FORM),
        ("json list", form([1, 2, 3]), FORM),
        ("json string", form("block_actions"), FORM),
        ("null view", form(_payload("view_submission", url, view=None)), FORM),
        ("view without callback", form(_payload("view_submission", url, view={"id": "V1"})), FORM),
        ("no actions", form(_payload("block_actions", url)), FORM),
        ("empty actions", form(_payload("block_actions", url, actions=[])), FORM),
        ("action not an object", form(_payload("block_actions", url, actions=["x"])), FORM),
        ("no user", form({"type": "block_actions", "actions": [{"action_id": "a"}]}), FORM),
        ("user not an object", form(_payload("shortcut", url, user="U1", callback_id="c")), FORM),
        ("shortcut without callback", form(_payload("shortcut", url)), FORM),
        ("options without action", form(_payload("block_suggestion", url)), FORM),
        ("command without user", urlencode({"command": "/confluence", "text": "x"}).encode(), FORM),
        ("not utf-8", b"payload=%7B%7D&text=\xff\xfe", FORM),
        ("not utf-8 json", b'{"type": "event_callback", "x": "\xff"}', "application/json"),
        ("json list body", b"[1, 2]", "application/json"),
        (
            "event without event",
            b'{"type": "event_callback", "event_id": "Ev1"}',
            "application/json",
        ),
        (
            "event of no type",
            b'{"type": "event_callback", "event_id": "Ev1", "event": {"x": 1}}',
            "application/json",
        ),
        ("broken json", b'{"type": "event_callback", ', "application/json"),
        ("nothing", b"", FORM),
    ]


@pytest.mark.parametrize("case", range(len(_malformed(""))), ids=[c[0] for c in _malformed("")])
async def test_malformed_signed_payloads_are_400_with_one_log_line(
    harness: Harness,
    hook: tuple[Recorder, str],
    case: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder, url = hook
    name, body, content_type = _malformed(url)[case]
    headers = _signed(body, str(int(time.time())), content_type)
    response = await harness.http.post("/slack/events", content=body, headers=headers)
    await harness.settle()
    assert response.status_code == 400, name
    assert recorder.requests == []
    assert harness.slack.calls == []
    assert _tracebacks(caplog) == []
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "status=400" in lines[0].getMessage(), lines


async def test_unknown_event_types_are_acknowledged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    event = {"type": "reaction_added", "user": USER, "reaction": "tada", "event_ts": "1.2"}
    response = await harness.post(
        event_callback_body(event, event_id="EvUNKNOWN"), "application/json"
    )
    assert response.status_code == 200
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_url_verification_still_answers_the_challenge(harness: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"}).encode()
    response = await harness.post(body, "application/json")
    assert response.status_code == 200 and "abc123" in response.text


async def test_error_handler_never_answers_a_foreign_response_url(
    harness: Harness, hook: tuple[Recorder, str], caplog: pytest.LogCaptureFixture
) -> None:
    # Signed and well-formed, but the button value is garbage: the listener fails after its ack,
    # and the global error handler must not post to a host the body chose.
    recorder, url = hook
    payload = _payload(
        "block_actions",
        url,
        channel={"id": CHANNEL},
        actions=[{"action_id": MORE_ACTION, "block_id": "b", "value": "not json"}],
    )
    await harness.post(interactivity_body(payload), FORM)
    await harness.settle()
    assert recorder.requests == []
    assert any("not a Slack response_url" in r.getMessage() for r in caplog.records)
    # The same failure with Slack's response_url still tells the user.
    slack_url = harness.slack.new_response_url(harness.slack_url)
    payload["response_url"] = slack_url
    await harness.post(interactivity_body(payload), FORM)
    await harness.settle()
    assert "Something went wrong" in harness.answer_text(slack_url)


async def test_answers_go_only_to_slack_response_urls(
    harness: Harness, hook: tuple[Recorder, str], caplog: pytest.LogCaptureFixture
) -> None:
    recorder, url = hook
    harness.confluence.add_space("ENG", "Engineering")
    harness.confluence.add_page("ENG", "Kubernetes guide", "<p>kubernetes</p>")
    body = slash_command_body(
        "search kubernetes",
        user_id=USER,
        channel_id=CHANNEL,
        team_id=TEAM,
        response_url=url,
        trigger_id=harness.slack.new_trigger_id(),
    )
    assert (await harness.post(body, FORM)).status_code == 200
    await harness.settle()
    assert recorder.requests == []
    assert any("not a Slack response_url" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("url", "api", "allowed"),
    [
        ("https://hooks.slack.com/commands/T1/2/x", "https://slack.com/api/", True),
        ("https://hooks.slack.com:443/actions/T1/2/x", "https://slack.com/api/", True),
        ("http://hooks.slack.com/commands/T1/2/x", "https://slack.com/api/", False),
        ("https://hooks.slack.com:8443/commands/T1/2/x", "https://slack.com/api/", False),
        ("https://u:p@hooks.slack.com/commands/T1/2/x", "https://slack.com/api/", False),
        ("https://evil.example\\@hooks.slack.com/x", "https://slack.com/api/", False),
        ("https://hooks.slack.com.evil.example/x", "https://slack.com/api/", False),
        ("https://hooks.slack-gov.com/commands/T1/2/x", "https://slack-gov.com/api/", True),
        ("https://hooks.slack-gov.com/commands/T1/2/x", "https://slack.com/api/", False),
        ("http://127.0.0.1:9/response/1", "http://127.0.0.1:9/api/", True),
        ("http://127.0.0.1:10/response/1", "http://127.0.0.1:9/api/", False),
        ("https://example.com/hook", "https://slack.com/api/", False),
        ("not a url", "https://slack.com/api/", False),
    ],
)
def test_which_response_urls_are_slacks(url: str, api: str, allowed: bool) -> None:
    assert is_slack_response_url(url, api) is allowed


class _Counting:
    """The app as `serve` runs it, counting the body bytes it actually read."""

    def __init__(self, app: Any) -> None:
        self.app, self.read = app, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def counted() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


async def _chunks(total: int, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    for _ in range(total // chunk):
        yield b"a" * chunk


async def test_oversized_bodies_are_refused_before_they_are_read(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    ten_mb = 10 * 1024 * 1024
    app = _Counting(harness.web)
    async with serve_async(app) as url, httpx.AsyncClient(base_url=url) as http:
        # Announced as too big: refused unread.
        response = await http.post(
            "/slack/events",
            content=_chunks(ten_mb),
            headers={"Content-Type": FORM, "Content-Length": str(ten_mb)},
        )
        assert response.status_code == 413 and app.read == 0
        # Not announced (chunked): cut off once past the bound, long before the end.
        response = await http.post(
            "/slack/events", content=_chunks(ten_mb), headers={"Content-Type": FORM}
        )
        assert response.status_code == 413
        assert app.read < 2 * 1024 * 1024
        # Within the bound, a signed request still works.
        fine = slash_command_body("help")
        response = await http.post(
            "/slack/events", content=fine, headers=_signed(fine, str(int(time.time())))
        )
        assert response.status_code == 200
    assert _tracebacks(caplog) == []


_NOT_REQUESTS = ("_response", "thread_ts_cases", "state_values", "rich_text_blocks", "envelopes")


def _real_requests() -> list[str]:
    if not PAYLOADS.is_dir():
        return []
    names = sorted(str(p.relative_to(PAYLOADS)) for p in PAYLOADS.rglob("*.json"))
    return [n for n in names if not any(part in n for part in _NOT_REQUESTS)]


@pytest.mark.parametrize("name", _real_requests() or ["(none)"])
def test_real_slack_payloads_have_the_shape_the_door_expects(name: str) -> None:
    if name == "(none)":
        pytest.skip(missing("the real-shaped Slack payloads", PAYLOADS))
    assert shape_problem(require_payload(name)) is None
