"""The door of HTTP mode: what reaches Bolt was signed by Slack, is small, and has Slack's shape.

In order, before anything else looks at a request:
1. the body is bounded (`MAX_BODY_BYTES`): a larger announced length is refused unread, and a
   stream is cut off as soon as it passes the bound (413);
2. the signature is checked strictly: a timestamp of ASCII digits within 5 minutes and a
   `v0=<64 hex>` signature of `v0:{timestamp}:{body}` (401). slack_sdk's verifier raises on a
   malformed timestamp instead of refusing it, and Bolt would then hand the unverified body to the
   global error handler;
3. the body is parsed exactly as Bolt parses it (Bolt's own request object) and must be a JSON
   object of the shape Slack sends for its kind (400).
Each refusal is one log line with the reason, never the body.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request
from slack_bolt.async_app import AsyncBoltRequest
from starlette.requests import Request

from bot.slack.payload_kinds import INTERACTIVE_KINDS

log = logging.getLogger("bot.slack.http")

# Slack's payloads are far below this (a modal of 100 blocks with its state is a few hundred KB).
MAX_BODY_BYTES = 1024 * 1024
MAX_CLOCK_SKEW_SECONDS = 5 * 60
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def admit(
    request: Request,
    signing_secret: str | None,
    *,
    now: Callable[[], float] = time.time,
    max_bytes: int = MAX_BODY_BYTES,
) -> AsyncBoltRequest:
    """The Bolt request for a signed, well-formed Slack request; raises Refused otherwise."""
    body = await _read(request, max_bytes)
    _verify(body, request, signing_secret, now())
    try:
        bolt_request = to_async_bolt_request(request, body)
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    except ValueError:  # json.JSONDecodeError included
        raise Refused(400, "body is not valid JSON") from None
    except (TypeError, AttributeError, KeyError, IndexError):  # Bolt reading odd field types
        raise Refused(400, "body has fields of unexpected types") from None
    problem = shape_problem(bolt_request.body)
    if problem is not None:
        raise Refused(400, problem)
    return bolt_request


async def _read(request: Request, max_bytes: int) -> bytes:
    announced = request.headers.get("content-length")
    if announced is not None:
        if not announced.isdigit():
            raise Refused(400, "malformed Content-Length")
        if int(announced) > max_bytes:
            raise Refused(413, f"body of {announced} bytes is over the {max_bytes} byte bound")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise Refused(413, f"body is over the {max_bytes} byte bound")
    return bytes(body)


def _verify(body: bytes, request: Request, secret: str | None, now: float) -> None:
    timestamp = request.headers.get("x-slack-request-timestamp")
    signature = request.headers.get("x-slack-signature")
    if not secret:
        raise Refused(401, "no signing secret is configured")
    if timestamp is None or signature is None:
        raise Refused(401, "signature headers missing")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Refused(401, "malformed X-Slack-Request-Timestamp")
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise Refused(401, "timestamp is more than 5 minutes away")
    if not _SIGNATURE.fullmatch(signature):
        raise Refused(401, "malformed X-Slack-Signature")
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Refused(401, "signature does not match")


# ------------------------------------------------------------------------ shapes


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _user_problem(body: Mapping[str, Any]) -> str | None:
    user = body.get("user")
    if not isinstance(user, Mapping) or not _is_str(user.get("id")):
        return "user.id missing"
    return None


def _interactive_problem(kind: str, body: Mapping[str, Any]) -> str | None:
    if problem := _user_problem(body):
        return problem
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "actions missing"
        if not all(isinstance(a, Mapping) and _is_str(a.get("action_id")) for a in actions):
            return "an action has no action_id"
    elif kind == "block_suggestion":
        if not _is_str(body.get("action_id")):
            return "action_id missing"
    elif kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, Mapping) or not _is_str(view.get("callback_id")):
            return "view.callback_id missing"
        if not _is_str(view.get("id")):
            return "view.id missing"
    elif kind in ("shortcut", "message_action") and not _is_str(body.get("callback_id")):
        return "callback_id missing"
    return None


def shape_problem(body: Any) -> str | None:
    """Why `body` (as Bolt parsed it) is not something Slack sends, or None."""
    if not isinstance(body, Mapping):
        return f"body is a JSON {type(body).__name__}, not an object"
    if not body:
        return "body is empty"
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, Mapping) or not _is_str(event.get("type")):
            return "event.type missing"
        if not _is_str(body.get("event_id")):
            return "event_id missing"
        return None
    if kind == "url_verification":
        return None if _is_str(body.get("challenge")) else "challenge missing"
    if isinstance(kind, str) and kind in INTERACTIVE_KINDS:
        return _interactive_problem(kind, body)
    if "command" in body:
        if not _is_str(body.get("command")) or not _is_str(body.get("user_id")):
            return "slash command without command or user_id"
        return None
    if body.get("ssl_check") is not None or _is_str(kind):
        return None  # Slack's SSL check, or a kind Bolt decides about
    return "not a Slack request (no type or command)"
