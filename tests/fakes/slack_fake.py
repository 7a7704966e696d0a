"""A fake Slack Web API that answers like Slack and refuses what Slack refuses.

`FakeSlack().app` is a Starlette ASGI app. Point slack_sdk at it with
`AsyncWebClient(token=..., base_url=f"{server}/api/")`, or drive it with httpx.ASGITransport.
It records every call (`calls`), every response_url post (`responses`) and keeps channels,
messages, views and files as plain state so tests assert on state rather than on mocks.

Block/view validation has two layers: hand-written Slack limits (always on; these are the limits
the Block Kit docs state and the ones our builders must respect) and, when the shared specs are
present, the third-party Block Kit JSON schema (TightknitAI) applied per block (`$defs/block`) and
per view (`$defs/modal_view` / `$defs/home_view`); rich_text blocks skip the schema layer (see
SCHEMA_SKIPPED_BLOCK_TYPES).
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

import jsonschema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.shared_specs import BLOCK_KIT_SCHEMA

Surface = Literal["message", "modal", "home"]


# The schema's rich_text `date` leaf refuses real payloads (string timestamps, `{ago}` formats),
# so rich_text blocks get only the hand-written checks.
SCHEMA_SKIPPED_BLOCK_TYPES = frozenset({"rich_text"})
MAX_BLOCKS: dict[Surface, int] = {"message": 50, "modal": 100, "home": 100}
JSON_ARGS = ("blocks", "view", "unfurls", "attachments", "metadata")
TRIGGER_TTL = 3.0
RESPONSE_URL_USES = 5
# Methods that take the app-level token (xapp-) instead of the bot token.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>"
)


# --------------------------------------------------------------------------- validation


def _text_of(obj: Any) -> str:
    return obj.get("text", "") if isinstance(obj, dict) and isinstance(obj.get("text"), str) else ""


class _Checker:
    """Walks blocks and collects Slack-style errors: "<message> [json-pointer:/path]"."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, path: str, message: str) -> None:
        self.errors.append(f"{message} [json-pointer:{path}]")

    def max_len(self, path: str, value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.err(path, f"must be less than {limit + 1} characters")

    def text_obj(self, path: str, obj: Any, limit: int, *, plain_only: bool = False) -> None:
        if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
            self.err(path, "must be a text object")
            return
        if plain_only and obj["type"] != "plain_text":
            self.err(f"{path}/type", "must be plain_text")
        if not isinstance(obj.get("text"), str) or not obj["text"]:
            self.err(f"{path}/text", "must be a non-empty string")
        self.max_len(f"{path}/text", obj.get("text"), limit)

    def option(self, path: str, opt: Any) -> None:
        if not isinstance(opt, dict):
            self.err(path, "must be an option object")
            return
        self.text_obj(f"{path}/text", opt.get("text"), 75)
        value = opt.get("value")
        if value is not None:
            self.max_len(f"{path}/value", value, 150)

    def element(self, path: str, el: Any) -> None:
        if not isinstance(el, dict):
            self.err(path, "must be an object")
            return
        self.max_len(f"{path}/action_id", el.get("action_id"), 255)
        kind = el.get("type")
        if kind == "button":
            self.text_obj(f"{path}/text", el.get("text"), 75, plain_only=True)
            self.max_len(f"{path}/value", el.get("value"), 2000)
            self.max_len(f"{path}/url", el.get("url"), 3000)
            if "style" in el and el["style"] not in ("primary", "danger"):
                self.err(f"{path}/style", "must be primary or danger")
        if "placeholder" in el:
            self.text_obj(f"{path}/placeholder", el["placeholder"], 150, plain_only=True)
        options = el.get("options")
        if isinstance(options, list):
            if len(options) > 100:
                self.err(f"{path}/options", "must provide at most 100 items")
            for i, opt in enumerate(options):
                self.option(f"{path}/options/{i}", opt)
        groups = el.get("option_groups")
        if isinstance(groups, list):
            if len(groups) > 100:
                self.err(f"{path}/option_groups", "must provide at most 100 items")
            for g, group in enumerate(groups):
                for i, opt in enumerate(
                    group.get("options", []) if isinstance(group, dict) else []
                ):
                    self.option(f"{path}/option_groups/{g}/options/{i}", opt)
        if "initial_option" in el:
            self.option(f"{path}/initial_option", el["initial_option"])
        if kind == "checkboxes" and isinstance(options, list):
            if not 1 <= len(options) <= 10:
                self.err(f"{path}/options", "must provide between 1 and 10 items")
            initial = el.get("initial_options")
            if initial is not None and (
                not isinstance(initial, list)
                or not initial
                or any(o not in options for o in initial)
            ):
                self.err(f"{path}/initial_options", "must be 1 or more of the options")
        if kind == "plain_text_input":
            max_length = el.get("max_length")
            if isinstance(max_length, int) and not 1 <= max_length <= 3000:
                self.err(f"{path}/max_length", "must be between 1 and 3000")
            self.max_len(f"{path}/initial_value", el.get("initial_value"), 3000)
        if kind == "external_select":
            min_query = el.get("min_query_length")
            if isinstance(min_query, int) and min_query < 0:
                self.err(f"{path}/min_query_length", "must be at least 0")

    def block(self, path: str, block: Any, surface: Surface) -> None:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            self.err(path, "must be a block object with a type")
            return
        self.max_len(f"{path}/block_id", block.get("block_id"), 255)
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.err(path, "must provide text or fields")
            if "text" in block:
                self.text_obj(f"{path}/text", block["text"], 3000)
            fields = block.get("fields")
            if fields is not None:
                if not isinstance(fields, list) or len(fields) > 10:
                    self.err(f"{path}/fields", "must provide at most 10 items")
                for i, f in enumerate(fields if isinstance(fields, list) else []):
                    self.text_obj(f"{path}/fields/{i}", f, 2000)
            if "accessory" in block:
                self.element(f"{path}/accessory", block["accessory"])
        elif kind == "header":
            self.text_obj(f"{path}/text", block.get("text"), 150, plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                self.err(f"{path}/elements", "must provide between 1 and 10 items")
            for i, el in enumerate(elements if isinstance(elements, list) else []):
                if isinstance(el, dict) and el.get("type") in ("plain_text", "mrkdwn"):
                    self.text_obj(f"{path}/elements/{i}", el, 3000)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                self.err(f"{path}/elements", "must provide between 1 and 25 items")
            for i, el in enumerate(elements if isinstance(elements, list) else []):
                self.element(f"{path}/elements/{i}", el)
        elif kind == "input":
            if surface == "message":
                self.err(path, "input blocks are only allowed in modals and Home")
            self.text_obj(f"{path}/label", block.get("label"), 2000, plain_only=True)
            if "hint" in block:
                self.text_obj(f"{path}/hint", block["hint"], 2000, plain_only=True)
            if "element" not in block:
                self.err(f"{path}/element", "is required")
            else:
                self.element(f"{path}/element", block["element"])

    def blocks(self, path: str, blocks: Any, surface: Surface) -> None:
        if not isinstance(blocks, list):
            self.err(path, "must be an array")
            return
        limit = MAX_BLOCKS[surface]
        if len(blocks) > limit:
            self.err(path, f"must provide at most {limit} items")
        seen: set[str] = set()
        for i, block in enumerate(blocks):
            self.block(f"{path}/{i}", block, surface)
            block_id = block.get("block_id") if isinstance(block, dict) else None
            if isinstance(block_id, str):
                if block_id in seen:
                    self.err(f"{path}/{i}/block_id", f"duplicate block_id {block_id!r}")
                seen.add(block_id)


@functools.cache
def _schema_defs() -> dict[str, Any] | None:
    if not BLOCK_KIT_SCHEMA.is_file():
        return None
    defs: dict[str, Any] = json.loads(BLOCK_KIT_SCHEMA.read_text(encoding="utf-8"))["$defs"]
    return defs


@functools.cache
def _schema_validator(definition: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        {"$defs": _schema_defs(), "$ref": f"#/$defs/{definition}"}
    )


def block_kit_schema_available() -> bool:
    return _schema_defs() is not None


def _schema_errors(definition: str, instance: Any, path: str) -> list[str]:
    if _schema_defs() is None:
        return []
    out = []
    for error in _schema_validator(definition).iter_errors(instance):
        # oneOf failures are unreadable; report the most relevant branch instead.
        best = jsonschema.exceptions.best_match(error.context) if error.context else error
        pointer = "".join(f"/{p}" for p in best.absolute_path)
        out.append(f"{best.message[:300]} [json-pointer:{path}{pointer}]")
    return out


def _block_schema_errors(block: Any, path: str) -> list[str]:
    """Validate against the block's own definition (fast, precise errors); unknown types
    go through the full union and fail there."""
    defs = _schema_defs()
    if defs is None:
        return []
    kind = block.get("type") if isinstance(block, dict) else None
    if kind in SCHEMA_SKIPPED_BLOCK_TYPES:
        return []
    definition = f"{kind}_block" if f"{kind}_block" in defs else "block"
    return _schema_errors(definition, block, path)


def validate_blocks(
    blocks: Any, *, surface: Surface = "message", path: str = "/blocks"
) -> list[str]:
    """Errors Slack would report for these blocks on this surface; empty when valid."""
    checker = _Checker()
    checker.blocks(path, blocks, surface)
    if isinstance(blocks, list):
        for i, block in enumerate(blocks):
            checker.errors.extend(_block_schema_errors(block, f"{path}/{i}"))
    return checker.errors


def validate_view(view: Any, *, path: str = "/view") -> list[str]:
    """Errors Slack would report for a modal or Home view; empty when valid."""
    checker = _Checker()
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        checker.err(f"{path}/type", "must be modal or home")
        return checker.errors
    surface: Surface = "modal" if view["type"] == "modal" else "home"
    if surface == "modal":
        checker.text_obj(f"{path}/title", view.get("title"), 24, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                checker.text_obj(f"{path}/{key}", view[key], 24, plain_only=True)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            checker.err(f"{path}/submit", "is required when the view has input blocks")
    checker.max_len(f"{path}/private_metadata", view.get("private_metadata"), 3000)
    checker.max_len(f"{path}/callback_id", view.get("callback_id"), 255)
    checker.max_len(f"{path}/external_id", view.get("external_id"), 255)
    checker.blocks(f"{path}/blocks", view.get("blocks"), surface)
    errors = checker.errors
    blocks = view.get("blocks")
    if isinstance(blocks, list) and blocks:
        # The view schema would re-check every block through the slow union; check the view
        # shell with a stand-in block and each block against its own definition.
        errors.extend(
            _schema_errors(f"{surface}_view", {**view, "blocks": [{"type": "divider"}]}, path)
        )
        for i, block in enumerate(blocks):
            errors.extend(_block_schema_errors(block, f"{path}/blocks/{i}"))
    else:
        errors.extend(_schema_errors(f"{surface}_view", view, path))
    return errors


def validate_unfurls(unfurls: Any) -> list[str]:
    """chat.unfurl's `unfurls`: a map URL -> attachment, or URL -> {"blocks": [...]}."""
    if not isinstance(unfurls, dict) or not unfurls:
        return ["must be a non-empty object mapping URLs to unfurls [json-pointer:/unfurls]"]
    errors: list[str] = []
    for url, unfurl in unfurls.items():
        pointer = "/unfurls/" + url.replace("~", "~0").replace("/", "~1")
        if not isinstance(unfurl, dict):
            errors.append(f"must be an object [json-pointer:{pointer}]")
        elif "blocks" in unfurl:
            errors.extend(validate_blocks(unfurl["blocks"], path=f"{pointer}/blocks"))
    return errors


# --------------------------------------------------------------------------- the fake


@dataclass
class SlackCall:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    warnings: list[str] = field(default_factory=list)


class SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class _Injected:
    error: str
    retry_after: int | None = None


class FakeSlack:
    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-1-A0001-test",
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        clock: Callable[[], float] = time.monotonic,
        first_ts: int = 1_700_000_000,
    ) -> None:
        # Message ts count up from `first_ts` (a test whose clock is elsewhere starts it there:
        # a message's ts is when it was posted, and history is read from a moment on).
        self.first_ts = first_ts
        self.bot_token = bot_token
        self.app_token = app_token
        # Socket Mode: apps.connections.open hands out `{socket_mode_url}?ticket=…`; a ticket
        # is good for one connection (tests.fakes.socket_mode_fake checks it).
        self.socket_mode_url: str | None = None
        self.socket_tickets: set[str] = set()
        # Scopes of the app-level token: apps.connections.open needs connections:write.
        self.app_token_scopes: set[str] = {"connections:write"}
        # Tokens revoked since they were issued (Slack answers token_revoked).
        self.revoked_tokens: set[str] = set()
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B0001"
        self.app_id = "A0001"
        self.clock = clock
        self.calls: list[SlackCall] = []
        self.responses: list[dict[str, Any]] = []
        self.ephemerals: list[dict[str, Any]] = []
        self.unfurls: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.members: dict[str, set[str]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.usergroups: list[dict[str, Any]] = []
        self.files: dict[str, tuple[dict[str, Any], bytes]] = {}
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self._response_urls: dict[str, int] = {}
        self._injected: dict[str, deque[_Injected]] = defaultdict(deque)
        self._seq = itertools.count(1)
        self.add_user(bot_user_id, "confluence", is_bot=True)
        self.app = Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["GET", "POST"]),
                Route("/response/{rid}", self._response_url, methods=["POST"]),
                Route("/files/{fid}", self._file, methods=["GET"]),
                Route("/files/{fid}/{name:path}", self._file, methods=["GET"]),
            ]
        )

    # ----------------------------------------------------------------- seeding and helpers

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "Europe/Berlin",
        is_bot: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
    ) -> None:
        real = real_name if real_name is not None else name
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": False,
            "real_name": real,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": 3600 if tz == "Europe/Berlin" else 0,
            "is_bot": is_bot,
            "is_admin": is_admin or is_owner,  # owners are admins too, as in Slack
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_app_user": False,
            "profile": {
                "real_name": real,
                "real_name_normalized": real,
                "display_name": display_name if display_name is not None else "",
                "display_name_normalized": display_name if display_name is not None else "",
                "team": self.team_id,
            },
        }

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] = ("UBOT",),
        is_archived: bool = False,
    ) -> None:
        self.channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "name_normalized": name,
            "is_channel": not is_private,
            "is_group": is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": is_private,
            "is_archived": is_archived,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "created": 1_700_000_000,
            "creator": self.bot_user_id,
        }
        self.members[channel_id] = set(members)

    def add_message(self, channel_id: str, message: dict[str, Any]) -> None:
        msg = {"type": "message", **message}
        msg.setdefault("ts", self._next_ts())
        self.messages[channel_id].append(msg)
        self.messages[channel_id].sort(key=_ts_order)

    def add_usergroup(self, group_id: str, handle: str, name: str) -> None:
        self.usergroups.append(
            {"id": group_id, "team_id": self.team_id, "handle": handle, "name": name}
        )

    def add_file(self, file_id: str, name: str, data: bytes, mimetype: str) -> dict[str, Any]:
        """File object whose url_private is relative ("/files/<id>/<name>"); the fake makes it
        absolute with the request's base URL wherever it returns the file."""
        meta = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
            "size": len(data),
            "mode": "hosted",
            "is_external": False,
            "url_private": f"/files/{file_id}/{name}",
            "url_private_download": f"/files/{file_id}/{name}?download=1",
        }
        self.files[file_id] = (meta, data)
        return dict(meta)

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        for _ in range(times):
            self._injected[method].append(_Injected("ratelimited", retry_after))

    def fail(self, method: str, error: str, *, times: int = 1) -> None:
        for _ in range(times):
            self._injected[method].append(_Injected(error))

    def calls_to(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    def new_response_url(self, base_url: str) -> str:
        rid = secrets.token_hex(8)
        self._response_urls[rid] = 0
        return f"{base_url.rstrip('/')}/response/{rid}"

    def new_trigger_id(self) -> str:
        trigger = f"{next(self._seq)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self._triggers[trigger] = self.clock()
        return trigger

    def thread(self, channel_id: str, ts: str) -> list[dict[str, Any]]:
        """Parent plus replies, oldest first (what conversations.replies pages over)."""
        msgs = self.messages.get(channel_id, [])
        target = next((m for m in msgs if m["ts"] == ts), None)
        if target is None:
            return []
        root = target.get("thread_ts", target["ts"])
        return [m for m in msgs if m["ts"] == root or m.get("thread_ts") == root]

    def _next_ts(self) -> str:
        n = next(self._seq)
        return f"{self.first_ts + n}.{n:06d}"

    # ----------------------------------------------------------------- HTTP plumbing

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        args: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if body and "application/json" in content_type:
            try:
                parsed = json.loads(body)
            except ValueError:
                return JSONResponse({"ok": False, "error": "invalid_json"})
            if not isinstance(parsed, dict):
                return JSONResponse({"ok": False, "error": "invalid_json"})
            args.update(parsed)
        elif body:
            args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        for key in JSON_ARGS:
            if isinstance(args.get(key), str):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    return JSONResponse({"ok": False, "error": f"invalid_{key}"})
        auth = request.headers.get("authorization", "")
        token: str | None = auth[7:] if auth.lower().startswith("bearer ") else None
        body_token = args.pop("token", None)
        if method not in APP_TOKEN_METHODS:  # app-level tokens count only in the header
            token = body_token or token
        call = SlackCall(method=method, args=args, token=token, at=self.clock())
        self.calls.append(call)

        injected = self._injected[method]
        if injected:
            fault = injected.popleft()
            if fault.retry_after is not None:
                return JSONResponse(
                    {"ok": False, "error": fault.error},
                    status_code=429,
                    headers={"Retry-After": str(fault.retry_after)},
                )
            return JSONResponse({"ok": False, "error": fault.error})
        if not token:
            return JSONResponse({"ok": False, "error": "not_authed"})
        if token in self.revoked_tokens:
            return JSONResponse({"ok": False, "error": "token_revoked"})
        # Slack keeps the token kinds apart: app-level tokens (xapp-) open Socket Mode
        # connections and nothing else; bot tokens cannot open them.
        wanted = self.app_token if method in APP_TOKEN_METHODS else self.bot_token
        if token != wanted:
            known = token in (self.app_token, self.bot_token)
            return JSONResponse(
                {"ok": False, "error": "not_allowed_token_type" if known else "invalid_auth"}
            )
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return JSONResponse({"ok": False, "error": "unknown_method"})
        try:
            result = handler(args, call)
        except SlackError as exc:
            return JSONResponse({"ok": False, "error": exc.error, **exc.extra})
        base = str(request.base_url).rstrip("/")
        return JSONResponse(_absolute_files({"ok": True, **result}, base))

    async def _response_url(self, request: Request) -> Response:
        rid = request.path_params["rid"]
        uses = self._response_urls.get(rid)
        if uses is None or uses >= RESPONSE_URL_USES:
            return JSONResponse({"ok": False, "error": "expired_url"}, status_code=404)
        try:
            body = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"ok": False, "error": "invalid_payload"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"ok": False, "error": "invalid_payload"}, status_code=400)
        if "blocks" in body:
            errors = validate_blocks(body["blocks"])
            if errors:
                return JSONResponse(
                    {"ok": False, "error": "invalid_blocks", "errors": errors}, status_code=400
                )
        self._response_urls[rid] = uses + 1
        self.responses.append({"id": rid, "body": body})
        return JSONResponse({"ok": True})

    async def _file(self, request: Request) -> Response:
        entry = self.files.get(request.path_params["fid"])
        if entry is None:
            return Response("Not Found", status_code=404)
        if request.headers.get("authorization", "") != f"Bearer {self.bot_token}":
            # Slack answers a login page with 200, not 401, when the token is missing.
            return HTMLResponse(LOGIN_PAGE)
        meta, data = entry
        return Response(data, media_type=meta["mimetype"])

    # ----------------------------------------------------------------- lookups

    def _channel(self, args: dict[str, Any], key: str = "channel") -> dict[str, Any]:
        channel = self.channels.get(str(args.get(key, "")))
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def _is_member(self, channel_id: str, user_id: str | None = None) -> bool:
        return (user_id or self.bot_user_id) in self.members.get(channel_id, set())

    def _readable_channel(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if not self._is_member(channel["id"]):
            raise SlackError("channel_not_found" if channel["is_private"] else "not_in_channel")
        return channel

    def _postable_channel(self, args: dict[str, Any]) -> dict[str, Any]:
        target = str(args.get("channel", ""))
        if target in self.users:  # posting to a user id means the app's DM with them
            return self._open_im(target)
        channel = self._channel(args)
        if channel["is_archived"]:
            raise SlackError("is_archived")
        if not self._is_member(channel["id"]):
            raise SlackError("channel_not_found" if channel["is_private"] else "not_in_channel")
        return channel

    def _open_im(self, user_id: str) -> dict[str, Any]:
        im_id = "D" + user_id
        if im_id not in self.channels:
            self.add_channel(im_id, user_id, is_private=True, members=(self.bot_user_id, user_id))
            self.channels[im_id].update(is_im=True, is_group=False, user=user_id)
        return self.channels[im_id]

    def _message(self, channel_id: str, ts: Any) -> dict[str, Any]:
        for msg in self.messages.get(channel_id, []):
            if msg["ts"] == ts:
                return msg
        raise SlackError("message_not_found")

    def _check_message_content(self, args: dict[str, Any], call: SlackCall) -> None:
        text = args.get("text") or ""
        if not text and not args.get("blocks") and not args.get("attachments"):
            raise SlackError("no_text")
        if len(text) > 40_000:
            raise SlackError("msg_too_long")
        if "blocks" in args:
            errors = validate_blocks(args["blocks"])
            if errors:
                raise SlackError("invalid_blocks", errors=errors)
            if not text.strip():
                call.warnings.append("missing_fallback_text")

    def _bot_message(self, args: dict[str, Any]) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": args.get("text") or "",
            "ts": self._next_ts(),
        }
        for key in ("blocks", "attachments", "metadata"):
            if key in args:
                msg[key] = args[key]
        return msg

    # ----------------------------------------------------------------- methods

    def _m_apps_connections_open(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        if "connections:write" not in self.app_token_scopes:
            raise SlackError(
                "missing_scope",
                needed="connections:write",
                provided=",".join(sorted(self.app_token_scopes)),
            )
        if self.socket_mode_url is None:
            raise SlackError("not_allowed_token_type")  # Socket Mode is off for this app
        ticket = secrets.token_hex(16)
        self.socket_tickets.add(ticket)
        return {"url": f"{self.socket_mode_url}?ticket={ticket}"}

    def _m_auth_test(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": self.users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        channel = self._postable_channel(args)
        self._check_message_content(args, call)
        msg = self._bot_message(args)
        thread_ts = args.get("thread_ts")
        if thread_ts:
            msg["thread_ts"] = str(thread_ts)
            msg["parent_user_id"] = next(
                (m.get("user") for m in self.messages[channel["id"]] if m["ts"] == thread_ts),
                None,
            )
        self.messages[channel["id"]].append(msg)
        result: dict[str, Any] = {"channel": channel["id"], "ts": msg["ts"], "message": msg}
        if call.warnings:
            result["response_metadata"] = {"warnings": list(call.warnings)}
        return result

    def _m_chat_postEphemeral(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        channel = self._channel(args)
        if channel["is_archived"]:
            raise SlackError("is_archived")
        user = str(args.get("user", ""))
        if user not in self.users:
            raise SlackError("user_not_found")
        if not self._is_member(channel["id"], user):
            raise SlackError("user_not_in_channel")
        self._check_message_content(args, call)
        msg = self._bot_message(args)
        # "user" is the recipient, as in the request
        self.ephemerals.append({**msg, "channel": channel["id"], "user": user})
        result: dict[str, Any] = {"message_ts": msg["ts"]}
        if call.warnings:
            result["response_metadata"] = {"warnings": list(call.warnings)}
        return result

    def _m_chat_update(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        channel = self._channel(args)
        msg = self._message(channel["id"], args.get("ts"))
        if msg.get("bot_id") != self.bot_id:
            raise SlackError("cant_update_message")
        if "blocks" in args:
            errors = validate_blocks(args["blocks"])
            if errors:
                raise SlackError("invalid_blocks", errors=errors)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                msg[key] = args[key]
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"channel": channel["id"], "ts": msg["ts"], "text": msg["text"], "message": msg}

    def _m_chat_delete(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        channel = self._channel(args)
        msg = self._message(channel["id"], args.get("ts"))
        if msg.get("bot_id") != self.bot_id:
            raise SlackError("cant_delete_message")
        self.messages[channel["id"]].remove(msg)
        return {"channel": channel["id"], "ts": msg["ts"]}

    def _m_chat_unfurl(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        if not (args.get("channel") and args.get("ts")) and not (
            args.get("unfurl_id") and args.get("source")
        ):
            raise SlackError("invalid_arguments")
        errors = validate_unfurls(args.get("unfurls"))
        if errors:
            raise SlackError("invalid_unfurls_format", errors=errors)
        self.unfurls.append(
            {
                key: args[key]
                for key in ("channel", "ts", "unfurl_id", "source", "unfurls")
                if key in args
            }
        )
        return {}

    def _m_chat_getPermalink(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        channel = self._channel(args)
        msg = self._message(channel["id"], args.get("message_ts"))
        p_ts = msg["ts"].replace(".", "")
        link = f"https://fake-workspace.slack.com/archives/{channel['id']}/p{p_ts}"
        if msg.get("thread_ts") and msg["thread_ts"] != msg["ts"]:
            link += f"?thread_ts={msg['thread_ts']}&cid={channel['id']}"
        return {"channel": channel["id"], "permalink": link}

    def _use_trigger(self, args: dict[str, Any]) -> None:
        trigger = str(args.get("trigger_id", ""))
        issued = self._triggers.get(trigger)
        if issued is None or self.clock() - issued > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        if trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        self._used_triggers.add(trigger)

    def _checked_view(self, args: dict[str, Any], kind: str) -> dict[str, Any]:
        view = args.get("view")
        errors = validate_view(view)
        if not errors and isinstance(view, dict) and view.get("type") != kind:
            errors = [f"must be {kind} [json-pointer:/view/type]"]
        if errors:
            raise SlackError(
                "invalid_arguments",
                errors=errors,
                response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
            )
        assert isinstance(view, dict)
        return view

    def _store_view(self, view: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        vid = view_id or f"V{next(self._seq):08d}"
        stored = {
            **view,
            "id": vid,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "state": {"values": {}},
            "hash": secrets.token_hex(6),
            "root_view_id": vid,
            "previous_view_id": None,
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
        }
        self.views[vid] = stored
        return stored

    def _m_views_open(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        view = self._checked_view(args, "modal")
        self._use_trigger(args)
        return {"view": self._store_view(view)}

    def _m_views_push(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        view = self._checked_view(args, "modal")
        self._use_trigger(args)
        return {"view": self._store_view(view)}

    def _m_views_update(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if view_id:
            existing = self.views.get(str(view_id))
        elif external_id:
            existing = next(
                (v for v in self.views.values() if v.get("external_id") == external_id), None
            )
        else:
            raise SlackError("invalid_arguments")
        if existing is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != existing["hash"]:
            raise SlackError("hash_conflict")
        view = self._checked_view(args, existing["type"])
        stored = self._store_view(view, view_id=existing["id"])
        for user, home in list(self.home_views.items()):  # a user's Home tab, updated in place
            if home["id"] == existing["id"]:
                self.home_views[user] = stored
        return {"view": stored}

    def _m_views_publish(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        user = str(args.get("user_id", ""))
        if user not in self.users:
            raise SlackError("user_not_found")
        view = self._checked_view(args, "home")
        # A user's Home tab keeps its view id; each publish gives it a new hash.
        earlier = self.home_views.get(user)
        stored = self._store_view(view, view_id=earlier["id"] if earlier else None)
        self.home_views[user] = stored
        return {"view": stored}

    def _m_users_info(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user}

    def _channel_view(self, channel: dict[str, Any]) -> dict[str, Any]:
        members = self.members.get(channel["id"], set())
        return {**channel, "is_member": self.bot_user_id in members, "num_members": len(members)}

    def _m_conversations_info(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        channel = self._channel(args)
        if channel["is_private"] and not self._is_member(channel["id"]):
            raise SlackError("channel_not_found")
        return {"channel": self._channel_view(channel)}

    def _m_conversations_join(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        channel = self._channel(args)
        if channel["is_private"]:
            raise SlackError("method_not_supported_for_channel_type")
        if channel["is_archived"]:
            raise SlackError("is_archived")
        result: dict[str, Any] = {}
        if self._is_member(channel["id"]):
            result["warning"] = "already_in_channel"
        self.members[channel["id"]].add(self.bot_user_id)
        return {**result, "channel": self._channel_view(channel)}

    def _m_conversations_open(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if len(users) != 1:
            raise SlackError("invalid_arguments")
        if users[0] not in self.users:
            raise SlackError("user_not_found")
        return {"channel": {"id": self._open_im(users[0])["id"]}}

    def _m_conversations_replies(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        channel = self._readable_channel(args)
        thread = self.thread(channel["id"], str(args.get("ts", "")))
        if not thread:
            raise SlackError("thread_not_found")
        decorated = [self._with_thread_fields(channel["id"], m) for m in thread]
        return _page(_metadata_if_asked(decorated, args), args)

    def _m_conversations_history(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        channel = self._readable_channel(args)
        oldest = float(args.get("oldest") or 0)
        top = [
            self._with_thread_fields(channel["id"], m)
            for m in reversed(self.messages.get(channel["id"], []))
            if (m.get("thread_ts", m["ts"]) == m["ts"] or m.get("subtype") == "thread_broadcast")
            and float(m["ts"]) >= oldest
        ]
        return _page(_metadata_if_asked(top, args), args)

    def _with_thread_fields(self, channel_id: str, msg: dict[str, Any]) -> dict[str, Any]:
        replies = [m for m in self.messages.get(channel_id, []) if m.get("thread_ts") == msg["ts"]]
        replies = [m for m in replies if m["ts"] != msg["ts"]]
        if not replies:
            return msg
        users = list(dict.fromkeys(str(m.get("user")) for m in replies))
        return {
            **msg,
            "thread_ts": msg["ts"],
            "reply_count": len(replies),
            "reply_users_count": len(users),
            "reply_users": users,
            "latest_reply": replies[-1]["ts"],
        }

    def _m_usergroups_list(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        return {"usergroups": list(self.usergroups)}

    def _m_files_info(self, args: dict[str, Any], call: SlackCall) -> dict[str, Any]:
        entry = self.files.get(str(args.get("file", "")))
        if entry is None:
            raise SlackError("file_not_found")
        return {"file": dict(entry[0]), "comments": [], "response_metadata": {"next_cursor": ""}}


def _metadata_if_asked(
    messages: list[dict[str, Any]], args: dict[str, Any]
) -> list[dict[str, Any]]:
    """Like Slack's history and replies: message metadata only with include_all_metadata=true."""
    if str(args.get("include_all_metadata", "")).lower() in ("true", "1"):
        return messages
    return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]


def _page(items: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    """Cursor paging like Slack: opaque base64 cursor, `limit` (default 100 here, max 1000)."""
    try:
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        cursor = str(args.get("cursor") or "")
        start = int(base64.b64decode(cursor).decode().split(":", 1)[1]) if cursor else 0
    except (ValueError, IndexError) as exc:
        raise SlackError("invalid_cursor") from exc
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    next_cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return {
        "messages": chunk,
        "has_more": more,
        "response_metadata": {"next_cursor": next_cursor},
    }


def _absolute_files(value: Any, base: str) -> Any:
    """Rewrite relative file URLs ("/files/...") to absolute ones on the serving host."""
    if isinstance(value, dict):
        out = {k: _absolute_files(v, base) for k, v in value.items()}
        for key in ("url_private", "url_private_download"):
            url = out.get(key)
            if isinstance(url, str) and url.startswith("/files/"):
                out[key] = base + url
        return out
    if isinstance(value, list):
        return [_absolute_files(v, base) for v in value]
    return value


def iter_json_pointers(errors: Iterable[str]) -> Iterator[str]:
    """The json-pointer part of each error string (handy in assertions)."""
    for error in errors:
        if "[json-pointer:" in error:
            yield error.rsplit("[json-pointer:", 1)[1].rstrip("]")


def _ts_order(message: dict[str, Any]) -> tuple[int, float]:
    """Oldest first; a malformed ts (only tests plant one) sorts last instead of raising."""
    try:
        return (0, float(message["ts"]))
    except ValueError:
        return (1, 0.0)
