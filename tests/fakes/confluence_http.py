"""Request context, error shapes and a tiny path router shared by the fake's v1/v2 handlers."""

from __future__ import annotations

import email.policy
import json
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from starlette.responses import JSONResponse, Response

_V2_CODES = {
    400: "INVALID_REQUEST_PARAMETER",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


class HttpError(Exception):
    """Raised by handlers; turned into the error shape of the API that was called."""

    def __init__(self, status: int, title: str, detail: str | None = None) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.detail = detail


@dataclass
class Call:
    method: str
    api_path: str  # path below /wiki/api/v2 or /wiki/rest/api
    params: dict[str, str]
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    account_id: str

    def q(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return default

    def q_all(self, name: str) -> list[str]:
        """Every value of a repeated parameter, as sent."""
        return [value for key, value in self.query if key == name]

    def q_list(self, name: str) -> list[str]:
        """Repeated and comma-separated values (``?id=1&id=2`` or ``?id=1,2``)."""
        out: list[str] = []
        for key, value in self.query:
            if key == name:
                out.extend(v for v in value.split(",") if v)
        return out

    def q_enum(self, name: str, allowed: Collection[str]) -> str | None:
        """A parameter with documented values: anything else is refused (400), as Confluence does."""
        value = self.q(name)
        if value is not None and value not in allowed:
            raise HttpError(400, f"Invalid value for {name}: {value}")
        return value

    def q_list_enum(self, name: str, allowed: Collection[str]) -> list[str]:
        values = self.q_list(name)
        for value in values:
            if value not in allowed:
                raise HttpError(400, f"Invalid value for {name}: {value}")
        return values

    def q_bool(self, name: str) -> bool:
        return (self.q(name) or "").lower() == "true"

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise HttpError(400, f"Invalid JSON body: {exc}") from exc

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise HttpError(400, "Request body must be a JSON object")
        return data


def multipart_parts(content_type: str, body: bytes) -> list[EmailMessage]:
    """The parts of a multipart/form-data body (400 when it is not one)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise HttpError(400, "Expected a multipart/form-data body")
    return [p for p in message.iter_parts() if isinstance(p, EmailMessage)]


def form_fields(content_type: str, body: bytes) -> dict[str, bytes]:
    """A multipart/form-data body's fields by name (the last one of a repeated name)."""
    fields: dict[str, bytes] = {}
    for part in multipart_parts(content_type, body):
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str):
            fields[name] = payload if isinstance(payload, bytes) else b""
    return fields


def v2_error(status: int, title: str, detail: str | None = None) -> JSONResponse:
    code = _V2_CODES.get(status, "ERROR")
    error = {"status": status, "code": code, "title": title, "detail": detail}
    return JSONResponse({"errors": [error]}, status_code=status)


def v1_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"statusCode": status, "message": message}, status_code=status)


Handler = Callable[[Call], Awaitable[Response]]


class Router:
    """Maps (method, '/pages/{id}') templates to handlers."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler, str]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        pattern = re.sub(
            r"\{([\w-]+)\}", lambda m: f"(?P<{m.group(1).replace('-', '_')}>[^/]+)", template
        )
        self._routes.append((method, re.compile(f"^{pattern}/?$"), handler, template))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str], str] | None:
        """The handler, path parameters and route template for a request (None: no route)."""
        for route_method, pattern, handler, template in self._routes:
            m = pattern.match(path)
            if m and route_method == method:
                return handler, m.groupdict(), template
        return None
