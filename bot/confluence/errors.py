"""One exception tree for everything the Confluence client raises.

    ConfluenceError
    ├── TransportError            no HTTP answer from Confluence: connection refused, DNS, TLS, timeout
    │   ├── RequestTimeout
    │   └── ConnectionServiceUnreachable  no answer from Maton's connection API (/connections)
    └── ApiError                  an HTTP answer with an error status
        ├── BadRequest            400 (Confluence's message included)
        │   └── NoConnection      gateway 400: no (active) Maton connection for the app
        ├── AuthError             401: bad API key / token, or the OAuth grant is gone
        ├── PermissionDenied      403
        ├── NotFound              404
        ├── Conflict              409: stale version or duplicate title (carries current_version)
        ├── RateLimited           429 (carries retry_after)
        └── ServerError           5xx
            ├── ServiceUnavailable  503
            └── ExpiredGrant      gateway 500: the user's OAuth grant expired; reconnect

`error_for_response` is the one place that maps a status to a class.

Outside the tree on purpose: `MalformedAnswer`, a ValueError, for a successful answer this client
cannot read (not JSON; a field of the wrong type, raised when that field is read: see views.py).
That is a bug or an API change, not a failure callers handle as Confluence's.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx


class ConfluenceError(Exception):
    """Base class; `str(exc)` is safe to log (never contains credentials)."""


class MalformedAnswer(ValueError):
    """Confluence (or Maton) answered with something this client cannot read."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"Confluence answered with something this app cannot read: {problem}")


class TransportError(ConfluenceError):
    service = "Confluence"

    def __init__(self, method: str, path: str, reason: str) -> None:
        self.method, self.path, self.reason = method, path, reason
        super().__init__(f"{method} {path}: could not reach {self.service} ({reason})")


class RequestTimeout(TransportError):
    pass


class ConnectionServiceUnreachable(TransportError):
    """Maton's connection API (MATON_API_URL, or MATON_CTRL_URL when set) did not answer."""

    service = "Maton's connection service (check MATON_API_URL / MATON_CTRL_URL)"


class ApiError(ConfluenceError):
    hint = ""

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        detail: str,
        *,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        self.method, self.path, self.status, self.detail = method, path, status, detail
        self.retry_after = retry_after
        self.body = body
        text = f"{method} {path} -> {status}"
        if detail:
            text += f": {detail}"
        if self.hint:
            text += f" ({self.hint})"
        super().__init__(text)


class BadRequest(ApiError):
    pass


class NoConnection(BadRequest):
    hint = "no active Maton connection for Confluence: connect an account at Maton or run /confluence connect"


class AuthError(ApiError):
    hint = (
        "check MATON_API_KEY (or CONFLUENCE_EMAIL/CONFLUENCE_API_TOKEN), or reconnect the account"
    )


class PermissionDenied(ApiError):
    hint = "the Confluence account lacks permission for this"


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    """409. `current_version` is the server's version number when Confluence said it."""

    def __init__(self, *args: Any, current_version: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_version = current_version


class RateLimited(ApiError):
    hint = "Confluence rate limit; retry later"


class ServerError(ApiError):
    pass


class ServiceUnavailable(ServerError):
    pass


class ExpiredGrant(ServerError):
    hint = "the Confluence authorization expired: reconnect the account (/confluence connect)"


_STATUS_CLASSES: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
    503: ServiceUnavailable,
}
_VERSION_IN_TEXT = re.compile(r"[Cc]urrent version is:?\s*(\d+)")
_GRANT_WORDS = re.compile(r"grant|refresh token|reconnect|expired", re.IGNORECASE)
_NO_CONNECTION_WORDS = re.compile(r"connection", re.IGNORECASE)


def _body_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None


def error_detail(body: Any, fallback: str = "") -> str:
    """Confluence's own error text from v2 (`errors[]`), v1 (`message`) or gateway (`error`) bodies."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            parts = []
            for err in errors:
                if isinstance(err, dict):
                    parts.append(
                        str(err.get("title") or err.get("detail") or err.get("code") or "")
                    )
            text = "; ".join(p for p in parts if p)
            if text:
                return text
        for key in ("message", "error", "error_description", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])
    return fallback[:300]


def parse_current_version(detail: str, body: Any) -> int | None:
    match = _VERSION_IN_TEXT.search(detail)
    if match:
        return int(match.group(1))
    if isinstance(body, dict):
        version = body.get("version")
        if isinstance(version, dict) and isinstance(version.get("number"), int):
            return int(version["number"])
    return None


def error_for_response(
    method: str,
    path: str,
    response: httpx.Response,
    *,
    via_gateway: bool,
    retry_after: float | None = None,
) -> ApiError:
    """The one status → exception mapping."""
    status = response.status_code
    body = _body_json(response)
    detail = error_detail(body, response.text if body is None else "")
    kwargs: dict[str, Any] = {"retry_after": retry_after, "body": body}
    if via_gateway and status == 400 and _NO_CONNECTION_WORDS.search(detail):
        return NoConnection(method, path, status, detail, **kwargs)
    if via_gateway and status == 500 and _GRANT_WORDS.search(detail):
        return ExpiredGrant(method, path, status, detail, **kwargs)
    if status == 409:
        return Conflict(
            method,
            path,
            status,
            detail,
            current_version=parse_current_version(detail, body),
            **kwargs,
        )
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else ApiError
    return cls(method, path, status, detail, **kwargs)
