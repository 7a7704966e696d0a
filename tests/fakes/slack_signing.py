"""Build signed Slack requests for tests: signatures, request bodies, and real payload examples.

Slack signs `v0:{timestamp}:{raw body}` with HMAC-SHA256 using the app's signing secret and sends
it as `X-Slack-Signature: v0=<hex>` with `X-Slack-Request-Timestamp`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.shared_specs import SPECS, missing

PAYLOADS = SPECS / "slack" / "payloads"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack would send with `body`: X-Slack-Signature and X-Slack-Request-Timestamp."""
    ts = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(ts).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Signature": f"v0={digest}", "X-Slack-Request-Timestamp": str(ts)}


def signed_headers(
    body: bytes, secret: str, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    return {"Content-Type": content_type, **sign(body, secret, timestamp)}


def slash_command_body(
    text: str = "",
    *,
    command: str = "/confluence",
    user_id: str = "U0001",
    channel_id: str = "C0001",
    team_id: str = "T0001",
    response_url: str = "https://hooks.slack.com/commands/T0001/1/x",
    trigger_id: str = "1.1.x",
    **extra: str,
) -> bytes:
    """Form-encoded slash command body as Slack posts it."""
    fields = {
        "token": "verification_token",
        "team_id": team_id,
        "team_domain": "fake-workspace",
        "channel_id": channel_id,
        "channel_name": "general",
        "user_id": user_id,
        "user_name": "someone",
        "command": command,
        "text": text,
        "api_app_id": "A0001",
        "response_url": response_url,
        "trigger_id": trigger_id,
        **extra,
    }
    return urlencode(fields).encode()


def interactivity_body(payload: dict[str, Any]) -> bytes:
    """Form-encoded `payload=<json>` body used for shortcuts, actions, views and options."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def event_callback_body(
    event: dict[str, Any],
    *,
    team_id: str = "T0001",
    api_app_id: str = "A0001",
    event_id: str = "Ev0001",
    event_time: int | None = None,
) -> bytes:
    """JSON Events API envelope around `event`."""
    envelope = {
        "token": "verification_token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {"team_id": team_id, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }
    return json.dumps(envelope).encode()


def payload_path(name: str) -> Path:
    """Path of a shared payload example, e.g. "bolt-python/view_submission.json"."""
    return PAYLOADS / name


def load_payload(name: str) -> Any | None:
    """A real payload example from the shared specs (JSON parsed, .txt raw), or None if absent."""
    path = payload_path(name)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


def require_payload(name: str) -> Any:
    """Like load_payload, but skips the calling test with a clear reason when absent."""
    payload = load_payload(name)
    if payload is None:
        pytest.skip(missing("a real-shaped Slack payload", payload_path(name)))
    return payload
