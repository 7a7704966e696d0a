"""Which hosts the Confluence/Maton fake answers on, and a transport that fails the others as DNS would.

Real Maton serves its gateway, ``accessible-resources`` and ``/connections`` on one host
(``https://api.maton.ai``); the Atlassian site is another host. Under ``httpx.ASGITransport`` every
URL reaches the app whatever its host, which hides a client that talks to the wrong host (it used
to send ``/connections`` to a host real Maton does not serve). ``HostsTransport`` refuses hosts the
fake does not serve with ``httpx.ConnectError``, as name resolution does, so such a client fails
in tests as it fails in production.

Loopback hosts (``127.0.0.1:PORT``) are every host at once: a fake served on a real socket is given
to the bot as the URL of each service.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlsplit

import httpx

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def netloc(url: str) -> str:
    """``host[:port]`` of a URL, lower case (how an HTTP ``Host`` header names it)."""
    return urlsplit(url).netloc.lower()


def is_loopback(host: str) -> bool:
    return (urlsplit(f"//{host}").hostname or "") in LOOPBACK


class HostsTransport(httpx.AsyncBaseTransport):
    """An ASGI app reached only at the hosts ``served()`` names (read per request, so they may change)."""

    def __init__(self, app: Any, served: Callable[[], Collection[str]]) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._served = served

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.netloc.decode("ascii").lower()
        if host not in self._served() and not is_loopback(host):
            raise httpx.ConnectError(
                f"[Errno -2] Name or service not known: {request.url.host}", request=request
            )
        return await self._asgi.handle_async_request(request)

    async def aclose(self) -> None:
        await self._asgi.aclose()
