"""The caller of each kind of request, as Bolt's context reads it from the payload."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.request.internals import build_context

from bot.slack.caller import Caller
from tests.shared_specs import SPECS, missing

TEAM, USER, CHANNEL = "T0001", "U0001", "C0001"


def _caller(body: dict[str, Any]) -> Caller:
    context = build_context(AsyncBoltContext(), body)
    assert isinstance(context, AsyncBoltContext)
    return Caller.of(context, body)


def test_a_slash_command() -> None:
    body = {"team_id": TEAM, "user_id": USER, "user_name": "ann", "channel_id": CHANNEL}
    assert _caller(body) == Caller(USER, TEAM, "ann", CHANNEL)


def test_a_message_shortcut() -> None:
    body = {
        "type": "message_action",
        "team": {"id": TEAM, "domain": "fake-workspace"},
        "user": {"id": USER, "name": "ann"},
        "channel": {"id": CHANNEL, "name": "general"},
    }
    assert _caller(body) == Caller(USER, TEAM, "ann", CHANNEL)


def test_a_global_shortcut_has_no_channel_and_its_team_on_the_user() -> None:
    body = {
        "type": "shortcut",
        "team": None,
        "user": {"id": USER, "username": "ann", "team_id": TEAM},
    }
    assert _caller(body) == Caller(USER, TEAM, "ann", None)


def test_a_view_submission_acts_in_the_channel_its_modal_names() -> None:
    body = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": USER, "username": "ann", "name": "ann", "team_id": TEAM},
        "view": {"id": "V1", "team_id": TEAM},
    }
    caller = _caller(body)
    assert caller == Caller(USER, TEAM, "ann", None)
    assert caller.at(CHANNEL) == Caller(USER, TEAM, "ann", CHANNEL)
    assert caller.about == f"user={USER} team={TEAM} channel=None"


def test_a_user_without_a_handle_is_named_by_id() -> None:
    assert _caller({"team_id": TEAM, "user_id": USER}).user_name == USER


def test_a_request_without_a_user_is_refused() -> None:
    with pytest.raises(ValueError, match="without a user"):
        _caller({"type": "event_callback", "team_id": TEAM, "event": {"type": "app_rate_limited"}})


def test_a_modal_opened_across_slack_connect_belongs_to_the_installing_workspace() -> None:
    """Bolt reads the team the app is installed in (the one its token is for) from
    `view.app_installed_team_id`, not the submitting user's own workspace."""
    path = (
        SPECS
        / "slack"
        / "payloads"
        / "bolt-python"
        / "view_submission.slack_connect_other_side.json"
    )
    if not path.exists():
        pytest.skip(missing("Bolt's Slack Connect view_submission payload", path))
    body = json.loads(path.read_text())
    caller = _caller(body)
    assert caller.team_id == body["view"]["app_installed_team_id"] != body["team"]["id"]
    assert caller.user_id == body["user"]["id"] and caller.user_name == body["user"]["name"]
