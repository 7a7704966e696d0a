"""Each Confluence failure gets its own sentence for the user, with no credentials in it."""

from __future__ import annotations

import pytest

from bot.confluence.errors import (
    ApiError,
    AuthError,
    BadRequest,
    Conflict,
    ConfluenceError,
    ConnectionServiceUnreachable,
    ExpiredGrant,
    NoConnection,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    ServerError,
    ServiceUnavailable,
    TransportError,
)
from bot.slack.error_messages import short_message, user_message
from bot.slack.identity import ConnectionPending, NotConnected, ReconnectNeeded

SECRET = "fake-confluence-token-not-real-0003"  # no real token prefix
SECRET_PATH = f"/wiki/api/v2/pages/1?token={SECRET}"
BODY = {"message": "denied", "authorization": f"Bearer {SECRET}", "headers": {"X-Key": SECRET}}


def api(cls: type[ApiError], status: int, detail: str = "", **kwargs: object) -> ApiError:
    return cls("GET", SECRET_PATH, status, detail, body=BODY, **kwargs)  # type: ignore[arg-type]


def transport(cls: type[TransportError] = TransportError) -> TransportError:
    return cls("GET", SECRET_PATH, f"connect to https://user:{SECRET}@host failed")


# One of each class the user can meet, with Confluence's detail carrying a secret too.
CASES: dict[str, ConfluenceError] = {
    "ExpiredGrant": api(ExpiredGrant, 500, f"grant expired {SECRET}"),
    "NoConnection": api(NoConnection, 400, f"no connection {SECRET}"),
    "AuthError": api(AuthError, 401, f"bad token {SECRET}"),
    "PermissionDenied": api(PermissionDenied, 403, f"no {SECRET}"),
    "NotFound": api(NotFound, 404, f"missing {SECRET}"),
    "Conflict": api(Conflict, 409, "Version must be incremented"),
    "RateLimited": api(RateLimited, 429, f"slow {SECRET}", retry_after=12.0),
    "BadRequest": api(BadRequest, 400, "Could not parse cql"),
    "ServerError": api(ServerError, 500, f"NPE {SECRET}"),
    "TransportError": transport(),
    "ConnectionServiceUnreachable": transport(ConnectionServiceUnreachable),
}


def test_distinct_sentences_apart_from_server_and_transport() -> None:
    sentences = {name: user_message(exc) for name, exc in CASES.items()}
    without_transport = {k: v for k, v in sentences.items() if k != "TransportError"}
    assert len(set(without_transport.values())) == len(without_transport), sentences
    for sentence in sentences.values():
        assert sentence.strip() and "\n" not in sentence


def test_short_labels_fit_an_option_and_point_at_the_fix() -> None:
    refusals = [
        NotConnected("T1", "U1"),
        ConnectionPending("T1", "U1"),
        ReconnectNeeded("T1", "U1"),
    ]
    for exc in [*CASES.values(), *refusals]:
        label = short_message(exc)
        assert 0 < len(label) <= 75 and SECRET not in label and "\n" not in label
    for exc in [*refusals, CASES["ExpiredGrant"], CASES["NoConnection"]]:
        assert "/confluence connect" in short_message(exc)
    assert short_message(CASES["RateLimited"]) != short_message(CASES["ServerError"])


def test_server_error_and_transport_error_are_told_apart() -> None:
    assert user_message(CASES["ServerError"]) != user_message(CASES["TransportError"])


def test_unreachable_connection_service_is_not_called_confluence() -> None:
    # Connect, disconnect and "Done" talk to Maton's connection API, not to Confluence.
    sentence = user_message(CASES["ConnectionServiceUnreachable"])
    assert "Maton's connection service" in sentence
    assert "Confluence (network" not in sentence and "reach Confluence" not in sentence
    assert sentence != user_message(CASES["TransportError"])
    assert "reach Confluence" in user_message(CASES["TransportError"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_credentials_or_request_details(name: str) -> None:
    exc = CASES[name]
    sentence = user_message(exc)
    assert SECRET not in sentence
    assert "Bearer" not in sentence
    assert "/wiki/api" not in sentence
    assert "MATON_API_KEY" not in sentence  # operator hints are for logs, not users


@pytest.mark.parametrize(
    "name",
    sorted(set(CASES) - {"Conflict", "BadRequest"}),
)
def test_detail_is_not_shown_except_for_conflict_and_bad_request(name: str) -> None:
    exc = CASES[name]
    if isinstance(exc, ApiError):
        assert exc.detail and exc.detail not in user_message(exc)


def test_bad_request_shows_confluence_detail_by_design() -> None:
    assert "Could not parse cql" in user_message(CASES["BadRequest"])
    assert user_message(api(BadRequest, 400)) == ":x: Confluence refused the request"


def test_conflict_shows_detail_or_a_default() -> None:
    assert "Version must be incremented" in user_message(CASES["Conflict"])
    assert "someone else changed it" in user_message(api(Conflict, 409))


def test_expired_grant_and_no_connection_point_to_connect() -> None:
    assert "/confluence connect" in user_message(CASES["ExpiredGrant"])
    assert "/confluence connect" in user_message(CASES["NoConnection"])
    assert "expired" in user_message(CASES["ExpiredGrant"])


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [(12.0, "in about 13 s"), (0.4, "in about 1 s"), (None, "in a minute"), (0.0, "in a minute")],
)
def test_rate_limited_mentions_the_wait(retry_after: float | None, expected: str) -> None:
    sentence = user_message(api(RateLimited, 429, retry_after=retry_after))
    assert "rate limited" in sentence
    assert expected in sentence


def test_subclasses_share_their_parent_sentence() -> None:
    assert user_message(api(ServiceUnavailable, 503)) == user_message(CASES["ServerError"])
    assert user_message(transport(RequestTimeout)) == user_message(CASES["TransportError"])


def test_unexpected_classes_get_a_generic_sentence() -> None:
    generic = user_message(api(ApiError, 418, f"teapot {SECRET}"))
    assert SECRET not in generic
    assert generic not in {user_message(e) for e in CASES.values()}
    assert user_message(ConfluenceError(SECRET)) == generic


def test_detail_is_mrkdwn_escaped() -> None:
    sentence = user_message(api(BadRequest, 400, "Could not parse cql: <!channel> & more"))
    assert "<!channel>" not in sentence
    assert "&lt;!channel&gt; &amp; more" in sentence
