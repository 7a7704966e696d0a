"""An in-memory Confluence Cloud site behind the Maton gateway, as a Starlette ASGI app.

Two services share one app:
  * Maton, on ``maton_url``'s host only (like ``https://api.maton.ai``): the gateway
    ``/confluence/ex/confluence/{cloudId}/wiki/...``, ``/confluence/oauth/token/accessible-resources``
    and connection management ``/connections[/{id}]``, all with ``Authorization: Bearer <api_key>``;
    ``/connections`` also on ``ctrl_url``'s host when one is given (a separate control host);
  * the direct site ``/wiki/api/v2/...``, ``/wiki/rest/api/...`` (Basic ``email:api_token``).
Loopback hosts serve both (see confluence_hosts). ``transport()`` fails other hosts as DNS would.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.confluence_hosts import HostsTransport, is_loopback, netloc
from tests.fakes.confluence_http import (
    Call,
    HttpError,
    Router,
    form_fields,
    v1_error,
    v2_error,
)
from tests.fakes.confluence_store import JSON, ConfluenceState, iso
from tests.fakes.confluence_v1 import V1Api
from tests.fakes.confluence_v2 import V2Api

__all__ = ["FakeConfluence", "RecordedRequest"]

_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
_GATEWAY = re.compile(r"^/confluence/ex/confluence/(?P<cloud>[^/]+)/wiki(?P<rest>/.*)$")
_DIRECT = re.compile(r"^/wiki(?P<rest>/.*)$")
_CONNECTIONS = re.compile(r"^/connections(?:/(?P<id>[^/]+))?/?$")
_RESOURCES = "/confluence/oauth/token/accessible-resources"


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case keys
    body: bytes
    account_id: str | None = None  # acting identity, once authenticated
    host: str = ""  # the Host it was sent to
    route: str | None = None  # "GET /wiki/api/v2/pages/{id}": the operation it reached
    status: int | None = None  # the status it was answered with
    answer: bytes | None = None  # the answer's body, when the fake records answers

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, bytes]:
        """A multipart/form-data body's fields by name."""
        return form_fields(self.headers.get("content-type", ""), self.body)

    @property
    def connection(self) -> str | None:
        return self.headers.get("maton-connection")


@dataclass
class _Fault:
    pattern: re.Pattern[str]
    method: str | None
    status: int = 0
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    json: object | None = None
    seconds: float = 0.0

    def applies(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and bool(self.pattern.search(path))


def _error_for(path: str, status: int, message: str) -> Response:
    if "/api/v2/" in path:
        return v2_error(status, message)
    if "/rest/api/" in path:
        return v1_error(status, message)
    return JSONResponse({"error": message}, status_code=status)


class FakeConfluence(ConfluenceState):
    """A Confluence site plus the Maton gateway/control API; seed it, then point a client at ``app``."""

    def __init__(
        self,
        *,
        site_url: str = "https://acme.atlassian.net",
        cloud_id: str = "11111111-2222-3333-4444-555555555555",
        api_key: str = "maton-test-key",
        email: str = "bot@example.com",
        api_token: str = "test-api-token",
        extra_sites: list[tuple[str, str]] | tuple[tuple[str, str], ...] = (),
        maton_url: str = "http://gateway.test",
        ctrl_url: str | None = None,
        default_time_zone: str = "UTC",
    ) -> None:
        super().__init__(site_url, "557058:shared-bot", default_time_zone=default_time_zone)
        self.maton_url = maton_url
        self.ctrl_url = ctrl_url
        self.cloud_id = cloud_id
        self.api_key = api_key
        self.email = email
        self.api_token = api_token
        self.extra_sites = list(extra_sites)
        self.add_user(self.current_user_account_id, "Confluence Bot", email)
        self.requests: list[RecordedRequest] = []
        self.record_answers = False  # keep each answer's body on its RecordedRequest
        self.connections: dict[str, JSON] = {}
        self._connection_accounts: dict[str, str | None] = {}
        self._faults: list[_Fault] = []
        self._delays: list[_Fault] = []
        self._v2 = Router()
        V2Api(self).register(self._v2)
        self._v1 = Router()
        V1Api(self).register(self._v1)
        self.app = Starlette(
            routes=[Route("/{path:path}", self._handle, methods=_METHODS)],
        )

    # -- hosts -------------------------------------------------------------------------------
    def hosts(self) -> set[str]:
        """Every host this fake answers on (besides loopback)."""
        sites = [self.site_url, *(url for _, url in self.extra_sites)]
        return {netloc(u) for u in [self.maton_url, *sites, self.ctrl_url or ""] if u}

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport to this fake that fails hosts it does not serve, as DNS would."""
        return HostsTransport(self.app, self.hosts)

    def _maton_serves(self, host: str, *, connections: bool) -> bool:
        hosts = {netloc(self.maton_url)}
        if connections and self.ctrl_url:
            hosts.add(netloc(self.ctrl_url))
        return host in hosts or is_loopback(host)

    # -- inspection and fault injection ------------------------------------------------------
    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        pattern = re.compile(path_regex)
        return [r for r in self.requests if r.method == method and pattern.search(r.path)]

    def count(
        self,
        route: str | None = None,
        *,
        connection: str | None = None,
        account: str | None = None,
    ) -> int:
        """How many requests reached ``route`` (``"GET /wiki/api/v2/pages"``, ``"GET
        /wiki/rest/api/search"``, ``"GET /connections/{id}"``...), sent with ``Maton-Connection:
        connection``, acting as ``account``; each filter only when given."""
        return sum(
            1
            for r in self.requests
            if (route is None or r.route == route)
            and (connection is None or r.connection == connection)
            and (account is None or r.account_id == account)
        )

    def counts(self, by: str = "route") -> Counter[str]:
        """Requests per ``route``, per ``connection`` or per ``account`` ("" when none)."""
        if by not in ("route", "connection", "account"):
            raise ValueError("count by route, connection or account")
        attr = "account_id" if by == "account" else by
        return Counter(str(getattr(r, attr) or "") for r in self.requests)

    def reset_requests(self) -> None:
        """Forget recorded requests (to measure one phase of a test or bench)."""
        self.requests.clear()

    def fail(
        self,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        json: object | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests (``re.search`` on the raw path) with ``status``."""
        fault = _Fault(re.compile(path_regex), method, status, times, dict(headers or {}), json)
        self._faults.append(fault)

    def delay(self, path_regex: str, seconds: float, *, method: str | None = None) -> None:
        """Sleep ``seconds`` before answering every matching request."""
        self._delays.append(_Fault(re.compile(path_regex), method, seconds=seconds))

    # -- Maton connections -------------------------------------------------------------------
    def add_connection(
        self,
        connection_id: str | None = None,
        *,
        status: str = "ACTIVE",
        account_id: str | None = None,
        app: str = "confluence",
    ) -> JSON:
        conn_id = connection_id or str(uuid.uuid4())
        now = iso(self.now())
        conn: JSON = {
            "connection_id": conn_id,
            "status": status,
            "creation_time": now,
            "last_updated_time": now,
            "url": f"https://connect.maton.ai/?connection_id={conn_id}",
            "app": app,
            "metadata": {},
        }
        self.connections[conn_id] = conn
        if account_id is None and status == "ACTIVE":
            account_id = f"557058:{conn_id}"
        if account_id is not None and account_id not in self.users:
            self.add_user(account_id, f"User {account_id[-6:]}")
        self._connection_accounts[conn_id] = account_id
        return conn

    def activate_connection(self, connection_id: str, account_id: str) -> None:
        conn = self.connections[connection_id]
        conn["status"] = "ACTIVE"
        conn["last_updated_time"] = iso(self.now())
        if account_id not in self.users:
            self.add_user(account_id, f"User {account_id[-6:]}")
        self._connection_accounts[connection_id] = account_id

    def expire_connection(self, connection_id: str) -> None:
        """The connection's OAuth grant expires: Maton answers 500 ``invalid_grant`` until reconnected."""
        conn = self.connections[connection_id]
        conn["status"] = "EXPIRED"
        conn["last_updated_time"] = iso(self.now())

    def _gateway_identity(self, header: str | None) -> str:
        if header is not None:
            conn = self.connections.get(header)
            if conn is not None and conn["status"] == "EXPIRED":
                raise HttpError(500, "invalid_grant: refresh token expired, please reconnect")
            if conn is None or conn["status"] != "ACTIVE" or conn["app"] != "confluence":
                raise HttpError(
                    400, f"No active connection found for app confluence (connection {header})"
                )
            return self._connection_accounts[header] or self.current_user_account_id
        mine = [c for c in self.connections.values() if c["app"] == "confluence"]
        if not mine:
            return self.current_user_account_id
        active = sorted(
            (c for c in mine if c["status"] == "ACTIVE"), key=lambda c: str(c["creation_time"])
        )
        if not active:
            raise HttpError(400, "No active connection found for app confluence")
        return self._connection_accounts[active[0]["connection_id"]] or self.current_user_account_id

    # -- ASGI entry --------------------------------------------------------------------------
    async def _handle(self, request: Request) -> Response:
        path = request.url.path
        body = await request.body()
        record = RecordedRequest(
            method=request.method,
            path=path,
            query=parse_qs(request.url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            host=(request.headers.get("host") or request.url.netloc).lower(),
        )
        self.requests.append(record)
        for slow in self._delays:
            if slow.applies(request.method, path):
                await asyncio.sleep(slow.seconds)
        response = self._injected(request.method, path)
        if response is None:
            try:
                response = await self._route(request, record)
            except HttpError as exc:
                response = _error_for(path, exc.status, exc.title)
        record.status = response.status_code
        if self.record_answers:
            record.answer = bytes(response.body)
        return response

    def _injected(self, method: str, path: str) -> Response | None:
        for fault in self._faults:
            if fault.times > 0 and fault.applies(method, path):
                fault.times -= 1
                if fault.json is not None:
                    return JSONResponse(fault.json, fault.status, headers=fault.headers)
                response = _error_for(path, fault.status, f"Injected failure {fault.status}")
                response.headers.update(fault.headers)
                return response
        return None

    def _bearer_ok(self, record: RecordedRequest) -> bool:
        scheme, _, token = record.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token.strip() == self.api_key

    def _basic_ok(self, record: RecordedRequest) -> bool:
        scheme, _, token = record.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        return decoded == f"{self.email}:{self.api_token}"

    async def _route(self, request: Request, record: RecordedRequest) -> Response:
        path = record.path
        if path == _RESOURCES or _GATEWAY.match(path) or _CONNECTIONS.match(path):
            connections = bool(_CONNECTIONS.match(path))
            if not self._maton_serves(record.host, connections=connections):
                return JSONResponse({"error": f"No route for {path}"}, status_code=404)
            if not self._bearer_ok(record):
                return JSONResponse({"error": "Invalid API key"}, status_code=401)
            if path == _RESOURCES:
                record.route = f"{record.method} {_RESOURCES}"
                return self._accessible_resources()
            connection = _CONNECTIONS.match(path)
            if connection:
                one = "/{id}" if connection.group("id") else ""
                record.route = f"{record.method} /connections{one}"
                return self._control(record, connection.group("id"))
            gateway = _GATEWAY.match(path)
            assert gateway is not None
            if unquote(gateway.group("cloud")) != self.cloud_id:
                return JSONResponse({"code": 404, "message": "Site not found"}, status_code=404)
            try:
                record.account_id = self._gateway_identity(record.connection)
            except HttpError as exc:  # the gateway's own errors, not Confluence's
                return JSONResponse({"error": exc.title}, status_code=exc.status)
            return await self._wiki(request, record, gateway.group("rest"))
        direct = _DIRECT.match(path)
        if direct:
            if not self._basic_ok(record):
                return v1_error(401, "Client must be authenticated to access this resource.")
            record.account_id = self.current_user_account_id
            return await self._wiki(request, record, direct.group("rest"))
        return JSONResponse({"error": f"No route for {path}"}, status_code=404)

    async def _wiki(self, request: Request, record: RecordedRequest, rest: str) -> Response:
        if rest.startswith("/api/v2/"):
            router, api_path, api_error = self._v2, rest[len("/api/v2") :], "v2"
        elif rest.startswith("/rest/api/"):
            router, api_path, api_error = self._v1, rest[len("/rest/api") :], "v1"
        elif rest.startswith("/download/attachments/"):
            return self._serve_download(rest, record.account_id or self.current_user_account_id)
        else:
            return v1_error(404, f"No route for {rest}")
        found = router.match(request.method, api_path)
        if found is None:
            message = f"No route for {request.method} {api_path}"
            return v2_error(404, message) if api_error == "v2" else v1_error(404, message)
        handler, params, template = found
        prefix = "/wiki/api/v2" if api_error == "v2" else "/wiki/rest/api"
        record.route = f"{request.method} {prefix}{template}"
        call = Call(
            method=request.method,
            api_path=api_path,
            params={k: unquote(v) for k, v in params.items()},
            query=parse_qsl(request.url.query, keep_blank_values=True),
            headers=record.headers,
            body=record.body,
            account_id=record.account_id or self.current_user_account_id,
        )
        return await handler(call)

    def _serve_download(self, rest: str, account: str) -> Response:
        _, _, tail = rest.partition("/download/attachments/")
        page_id, _, filename = tail.partition("/")
        filename = unquote(filename)
        for att in self.by_kind.get("attachment", {}).values():
            data = att.data
            if (
                data["title"] == filename
                and page_id in (data["pageId"], data["blogPostId"])
                and self.can_view(att, account)
            ):
                return Response(att.blob, media_type=str(data["mediaType"]))
        return v1_error(404, "Attachment not found")

    def _accessible_resources(self) -> Response:
        scopes = [
            "read:confluence-content.all",
            "write:confluence-content",
            "search:confluence",
            "read:confluence-space.summary",
            "read:confluence-user",
        ]
        sites = [(self.cloud_id, self.site_url), *self.extra_sites]
        return JSONResponse(
            [
                {
                    "id": cloud_id,
                    "name": url.split("//")[-1].split(".")[0],
                    "url": url,
                    "scopes": scopes,
                    "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png",
                }
                for cloud_id, url in sites
            ]
        )

    def _control(self, record: RecordedRequest, conn_id: str | None) -> Response:
        method = record.method
        if conn_id is None:
            if method == "GET":
                app = next(iter(record.query.get("app", [])), None)
                status = next(iter(record.query.get("status", [])), None)
                rows = [
                    c
                    for c in self.connections.values()
                    if (app is None or c["app"] == app)
                    and (status is None or c["status"] == status)
                ]
                return JSONResponse({"connections": rows})
            if method == "POST":
                try:
                    payload = json.loads(record.body or b"{}")
                except ValueError:
                    payload = None
                if not isinstance(payload, dict) or not isinstance(payload.get("app"), str):
                    return JSONResponse({"error": "app is required"}, status_code=400)
                conn = self.add_connection(status="PENDING", app=payload["app"])
                return JSONResponse({"connection": conn})
            return JSONResponse({"error": "Method not allowed"}, status_code=405)
        found = self.connections.get(conn_id)
        if found is None:
            return JSONResponse({"error": f"Connection {conn_id} not found"}, status_code=404)
        if method == "GET":
            return JSONResponse({"connection": found})
        if method == "DELETE":
            del self.connections[conn_id]
            self._connection_accounts.pop(conn_id, None)
            return JSONResponse({})
        return JSONResponse({"error": "Method not allowed"}, status_code=405)
