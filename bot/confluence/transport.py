"""The httpx transport the client builds for itself: the pool's size and the TLS context."""

from __future__ import annotations

import ssl

import httpx

from bot.confluence.auth import Auth, DirectAuth
from bot.confluence.keepalive import KeepAliveTransport

# Connections in the pool, and so requests in flight at once (ConfluenceHttp waits for a place).
MAX_CONNECTIONS = 20


def base_urls(auth: Auth) -> list[str]:
    """Every base URL requests go to (next links are re-rooted onto them: see site_relative)."""
    if isinstance(auth, DirectAuth):
        return [auth.site_url]
    return [auth.api_url, auth.connections_url]


def tls_context(auth: Auth) -> ssl.SSLContext:
    """httpx's default context (the certificate store loaded: certifi, or SSL_CERT_FILE/DIR)
    when some base URL is https; else a bare client context that is never used. Loading the
    store costs tens of milliseconds, and nothing reaches https from plain-http bases; were it
    ever reached, the bare context would fail verification, never skip it."""
    if any(url.lower().startswith("https:") for url in base_urls(auth)):
        return httpx.create_ssl_context()
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def pooled_transport(context: ssl.SSLContext, max_connections: int) -> httpx.AsyncBaseTransport:
    """Keep-alive HTTP/1.1 over at most `max_connections` connections, TLS with this context:
    the client's own transport (keepalive.py), a fraction of httpcore's cost per request."""
    return KeepAliveTransport(context, max_connections)


async def send_and_read(
    transport: httpx.AsyncBaseTransport, request: httpx.Request
) -> httpx.Response:
    """The transport's answer to `request`, body read. The httpx client only builds requests:
    its send() would add a cookie jar (Confluence needs none), a timer, and auth and redirect
    steps that do nothing here (redirects are not followed): some 30 us of CPU a request."""
    response = await transport.handle_async_request(request)
    response.request = request
    try:
        await response.aread()
    finally:
        await response.aclose()
    return response
