"""The identity resolution policy, as a table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.confluence import ConfluenceError
from bot.slack.error_messages import user_message
from bot.slack.identity import (
    ConnectionPending,
    IdentityRequired,
    NotConnected,
    Own,
    ReconnectNeeded,
    Shared,
    attribution,
    decide,
    store_team,
)
from bot.store import ConnectionStatus, UserConnection

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _link(status: ConnectionStatus) -> UserConnection:
    return UserConnection(
        team_id="T1",
        slack_user_id="U1",
        connection_id="conn-1",
        status=status,
        atlassian_account_id="acc-1" if status == "active" else None,
        atlassian_name=None,
        atlassian_email=None,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("user_auth", "status", "expected"),
    [
        ("optional", None, Shared),
        ("optional", "pending", Shared),
        ("optional", "active", Own),
        ("optional", "stale", ReconnectNeeded),
        ("required", None, NotConnected),
        ("required", "pending", ConnectionPending),
        ("required", "active", Own),
        ("required", "stale", ReconnectNeeded),
    ],
)
def test_gateway_policy(
    user_auth: str, status: ConnectionStatus | None, expected: type[object]
) -> None:
    link = _link(status) if status else None

    def run() -> object:
        return decide(
            direct=False,
            user_auth=user_auth,  # type: ignore[arg-type]
            team_id="T1",
            user_id="U1",
            link=link,
        )

    if issubclass(expected, IdentityRequired):
        with pytest.raises(expected) as info:
            run()
        assert info.value.user_id == "U1"
        assert "/confluence connect" in info.value.user_text
    else:
        decision = run()
        assert isinstance(decision, expected)
        if isinstance(decision, Own):
            assert decision.connection_id == "conn-1"


@pytest.mark.parametrize("status", [None, "pending", "active", "stale"])
@pytest.mark.parametrize("user_auth", ["optional", "required"])
def test_direct_mode_has_one_identity_for_everyone(
    user_auth: str, status: ConnectionStatus | None
) -> None:
    decision = decide(
        direct=True,
        user_auth=user_auth,  # type: ignore[arg-type]
        team_id="T1",
        user_id="U1",
        link=_link(status) if status else None,
    )
    assert isinstance(decision, Shared)


def test_attribution_only_for_the_shared_identity() -> None:
    assert attribution(Shared(), "Ada") == "Posted from Slack by Ada"
    assert attribution(Own("conn-1", _link("active")), "Ada") is None


def test_refusals_are_the_apps_own_not_confluence_errors_with_their_own_sentences() -> None:
    # The app decides them before any request: Confluence's error tree stays Confluence's.
    refusals = [
        NotConnected("T1", "U1"),
        ConnectionPending("T1", "U1"),
        ReconnectNeeded("T1", "U1"),
    ]
    texts = {exc.user_text for exc in refusals}
    assert len(texts) == 3
    for exc in refusals:
        assert not isinstance(exc, ConfluenceError)
        assert "U1" in str(exc)
        assert user_message(exc) != exc.user_text  # the generic mapping would lose the advice


def test_store_team_key() -> None:
    assert store_team("T1") == "T1"
    assert store_team(None) == ""
