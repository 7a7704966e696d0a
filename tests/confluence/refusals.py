"""Each documented rule a request uses, broken, must be refused by the fake as Confluence refuses it."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from tests.confluence import openapi
from tests.fakes.confluence_fake import RecordedRequest


async def break_each_rule(
    http: httpx.AsyncClient, requests: Iterable[RecordedRequest], *, name: str = ""
) -> tuple[int, list[str]]:
    """Send each of `requests` once per rule it uses, with that rule broken (openapi.violations):
    how many were sent, and a line for each one the fake did not refuse with 400 in Confluence's
    error shape."""
    tried = 0
    accepted: list[str] = []
    for req in requests:
        if not openapi.GATEWAY_PREFIX.sub("", req.path).startswith("/wiki/"):
            continue
        for rule, broken in openapi.violations(req):
            tried += 1
            response = await send(http, broken, host=req.host)
            if not refused_like_confluence(broken.path, response):
                accepted.append(
                    f"{name}{': ' if name else ''}{req.method} {req.path} with {rule} broken -> "
                    f"{response.status_code} {response.text[:200]}"
                )
    return tried, accepted


async def send(http: httpx.AsyncClient, req: RecordedRequest, *, host: str) -> httpx.Response:
    headers = {k: v for k, v in req.headers.items() if k not in {"content-length", "host"}}
    params = [(k, v) for k, values in req.query.items() for v in values]
    return await http.request(
        req.method, f"http://{host}{req.path}", params=params, headers=headers, content=req.body
    )


def refused_like_confluence(path: str, response: httpx.Response) -> bool:
    """400 with v2's `errors[]` or v1's `statusCode`/`message` body."""
    if response.status_code != 400:
        return False
    body = response.json()
    if "/api/v2/" in path:
        errors = body.get("errors")
        return bool(errors) and all(
            e.get("status") == 400 and e.get("code") and e.get("title") for e in errors
        )
    return body.get("statusCode") == 400 and isinstance(body.get("message"), str)
