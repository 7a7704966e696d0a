"""manifest.yml: valid against Slack's manifest schema and exposing the names the code relies on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.shared_specs import SPECS, missing

REPO = Path(__file__).resolve().parents[1]
SCHEMA = SPECS / "slack" / "manifest" / "manifest.schema.1.0.0.json"
EVENTS_URL = "https://YOUR-HOST/slack/events"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _schema() -> dict[str, Any]:
    if not SCHEMA.is_file():
        pytest.skip(missing("the Slack manifest JSON schema", SCHEMA))
    schema: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return schema


def test_manifest_is_valid_against_slack_schema(manifest: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(_schema())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]
    assert errors == []


def test_schema_check_is_not_vacuous(manifest: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(_schema())
    broken = json.loads(json.dumps(manifest))
    broken["features"]["shortcuts"][0]["name"] = "x" * 25  # Slack caps shortcut names at 24
    assert not validator.is_valid(broken)


def test_slash_command(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/confluence"
    assert command["url"] == EVENTS_URL
    assert command["should_escape"] is False
    for word in ("search", "recent", "create", "comment", "digest", "notify", "connect", "help"):
        assert word in command["usage_hint"]


def test_shortcuts(manifest: dict[str, Any]) -> None:
    shortcuts = {s["callback_id"]: s for s in manifest["features"]["shortcuts"]}
    assert {k: v["type"] for k, v in shortcuts.items()} == {
        "save_thread": "message",
        "comment_on_page": "message",
        "create_page": "global",
    }
    assert shortcuts["save_thread"]["name"] == "Save to Confluence"
    assert shortcuts["comment_on_page"]["name"] == "Comment in Confluence"
    assert shortcuts["create_page"]["name"] == "Create Confluence page"
    for shortcut in shortcuts.values():
        assert len(shortcut["name"]) <= 24
        assert 1 <= len(shortcut["description"]) <= 150


def test_features(manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    assert features["unfurl_domains"] == ["atlassian.net"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["bot_user"]["display_name"] == "Confluence"
    assert manifest["display_information"]["name"] == "Confluence"


def test_settings(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["token_rotation_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    events = settings["event_subscriptions"]
    assert events["request_url"] == EVENTS_URL
    assert sorted(events["bot_events"]) == ["app_home_opened", "link_shared"]
    interactivity = settings["interactivity"]
    assert interactivity["is_enabled"] is True
    assert interactivity["request_url"] == EVENTS_URL
    assert interactivity["message_menu_options_url"] == EVENTS_URL


def test_bot_scopes_are_the_needed_ones(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    for needed in ("commands", "chat:write", "links:read", "links:write", "users:read"):
        assert needed in scopes
    # We join public channels or ask to be invited instead of posting everywhere.
    assert "chat:write.public" not in scopes
    assert "user" not in manifest["oauth_config"]["scopes"]
