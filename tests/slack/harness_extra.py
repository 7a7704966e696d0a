"""Payload builders for shortcuts, view submissions, block actions and options loads (shapes as in
shared/specs/slack/payloads/bolt-python/*.json), sent through the harness's signed endpoint."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.fakes.slack_signing import interactivity_body
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness

FORM = "application/x-www-form-urlencoded"
_user = {"id": USER, "username": "someone", "name": "someone", "team_id": TEAM}
_team = {"id": TEAM, "domain": "fake-workspace"}


async def _send(harness: Harness, payload: dict[str, Any]) -> httpx.Response:
    response = await harness.post(interactivity_body(payload), FORM)
    await harness.settle()
    return response


async def message_shortcut(
    harness: Harness,
    callback_id: str,
    message: dict[str, Any],
    *,
    channel_id: str = CHANNEL,
    trigger_id: str | None = None,
) -> httpx.Response:
    payload = {
        "type": "message_action",
        "token": "verification_token",
        "action_ts": "1700000000.000001",
        "team": _team,
        "user": {"id": USER, "name": "someone"},
        "channel": {"id": channel_id, "name": "general"},
        "callback_id": callback_id,
        "trigger_id": trigger_id or harness.slack.new_trigger_id(),
        "message_ts": message["ts"],
        "message": message,
        "response_url": harness.slack.new_response_url(harness.slack_url),
    }
    return await _send(harness, payload)


async def global_shortcut(harness: Harness, callback_id: str) -> httpx.Response:
    payload = {
        "type": "shortcut",
        "token": "verification_token",
        "action_ts": "111.111",
        "team": _team,
        "user": {"id": USER, "username": "someone", "team_id": TEAM},
        "callback_id": callback_id,
        "trigger_id": harness.slack.new_trigger_id(),
    }
    return await _send(harness, payload)


def last_view(harness: Harness) -> dict[str, Any]:
    """The most recently opened or updated modal, as the fake stores it."""
    (call,) = harness.slack.calls_to("views.open")[-1:]
    view_id = max(harness.slack.views)  # ids grow monotonically
    assert call
    return harness.slack.views[view_id]


def _view_payload(view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {**view, "state": {"values": values}}


async def submit(
    harness: Harness, view: dict[str, Any], values: dict[str, dict[str, Any]]
) -> httpx.Response:
    """view_submission of `view` with these state values ({block_id: {action_id: {...}}})."""
    payload = {
        "type": "view_submission",
        "team": _team,
        "user": _user,
        "api_app_id": "A0001",
        "token": "verification_token",
        "trigger_id": harness.slack.new_trigger_id(),
        "view": _view_payload(view, values),
        "response_urls": [],
    }
    return await harness.post(interactivity_body(payload), FORM)


async def options_load(
    harness: Harness,
    view: dict[str, Any],
    action_id: str,
    block_id: str,
    value: str,
    values: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    payload = {
        "type": "block_suggestion",
        "user": _user,
        "container": {"type": "view", "view_id": view["id"]},
        "api_app_id": "A0001",
        "token": "verification_token",
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "team": _team,
        "view": _view_payload(view, values or {}),
    }
    response = await harness.post(interactivity_body(payload), FORM)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def view_action(
    harness: Harness,
    view: dict[str, Any],
    action_id: str,
    block_id: str,
    selected: dict[str, Any],
    values: dict[str, dict[str, Any]],
) -> httpx.Response:
    """block_actions from a select inside a modal (dispatch_action)."""
    payload = {
        "type": "block_actions",
        "user": _user,
        "api_app_id": "A0001",
        "token": "verification_token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": harness.slack.new_trigger_id(),
        "team": _team,
        "view": _view_payload(view, values),
        "actions": [
            {
                "type": "external_select",
                "action_id": action_id,
                "block_id": block_id,
                "selected_option": selected,
                "action_ts": "1700000000.1",
            }
        ],
    }
    return await _send(harness, payload)


def selected(value: str, text: str = "x") -> dict[str, Any]:
    return {
        "type": "external_select",
        "selected_option": {"text": {"type": "plain_text", "text": text}, "value": value},
    }


def typed(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def ticked(value: str | None) -> dict[str, Any]:
    options = [{"text": {"type": "plain_text", "text": "x"}, "value": value}] if value else []
    return {"type": "checkboxes", "selected_options": options}


def dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
