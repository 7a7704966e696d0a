"""The one request path: URL building, auth headers, rate limiting, retries and error mapping."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

import httpx
import orjson

from bot.confluence.auth import Auth, DirectAuth, GatewayAuth, Site
from bot.confluence.errors import (
    ApiError,
    ConfluenceError,
    ConnectionServiceUnreachable,
    MalformedAnswer,
    RequestTimeout,
    TransportError,
    error_for_response,
)
from bot.confluence.limiter import Lane, RateLimiter
from bot.confluence.retry import (
    IDEMPOTENT_METHODS,
    RETRY_AFTER_STATUSES,
    Clock,
    RetryPolicy,
    SystemClock,
    parse_retry_after,
    retry_reason,
    retryable,
)
from bot.confluence.transport import MAX_CONNECTIONS, pooled_transport, tls_context

if TYPE_CHECKING:
    import ssl

log = logging.getLogger("bot.confluence")

# "site": paths from the site root (/wiki/api/v2/..., /wiki/rest/api/...); "gateway": Maton gateway
# paths (/confluence/oauth/...); "connections": Maton's connection API (/connections), on the
# gateway host unless MATON_CTRL_URL moves it.
Target = Literal["site", "gateway", "connections"]


class RequestObserver(Protocol):
    """Told about every attempt (for metrics): `api` is "confluence" or "maton"; `status` is
    None when no answer came (`failure` then says "timeout" or "network")."""

    def upstream_request(
        self, api: str, status: int | None, failure: str | None = None
    ) -> None: ...

    def upstream_retry(self, api: str, reason: str) -> None: ...


def site_relative(link: str) -> str:
    """An absolute link re-rooted as a site-root path (path and query); others unchanged:
    Confluence's next links may name the real site, whereas requests go through our base."""
    if not link.startswith(("http://", "https://")):
        return link
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def decode_json(response: httpx.Response) -> Any:
    """A successful answer's JSON; MalformedAnswer when it is none. orjson reads a page of 250
    pages in half the time json.loads takes; what it refuses and the standard library takes
    (a lone surrogate in text, NaN, UTF-16) goes to json.loads, as httpx's own .json() would."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(response.content)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        path = response.request.url.path
        raise MalformedAnswer(f"{path} answered with something that is not JSON ({exc})") from exc


def default_timeout(seconds: float = 30.0) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(10.0, seconds))


class ConfluenceHttp:
    """Shared by every client view of one process: one httpx.AsyncClient, one limiter, one site cache."""

    def __init__(
        self,
        auth: Auth,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        requests_per_second: float = 10.0,
        timeout: float = 30.0,
        observer: RequestObserver | None = None,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.auth = auth
        self.observer = observer
        self.retry = retry or RetryPolicy()
        self.clock = clock or SystemClock()
        self.limiter = RateLimiter(requests_per_second, clock=self.clock)
        self.ssl_context: ssl.SSLContext | None = None
        if transport is None:
            self.ssl_context = tls_context(auth)
            transport = pooled_transport(self.ssl_context, max_connections)
        # At most one request per pooled connection in flight: the rest wait here, in order,
        # rather than in httpcore's queue, which re-scans every queued request against every
        # connection whenever one arrives or finishes (two thirds of 200 concurrent reads' time).
        self._places = asyncio.Semaphore(max_connections)
        self._pool_timeout = default_timeout(timeout).pool
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=default_timeout(timeout),
            headers={"Accept": "application/json", "User-Agent": "confluence-bot"},
            follow_redirects=False,
        )
        self._sites = _Sites()  # shared with the lane views (`in_lane`)
        if isinstance(auth, DirectAuth):
            self._sites.site = Site(url=auth.site_url)
        elif auth.cloud_id:
            self._sites.site = Site(url=auth.site_url, cloud_id=auth.cloud_id)
        self.lane: Lane = "interactive"

    @property
    def via_gateway(self) -> bool:
        return isinstance(self.auth, GatewayAuth)

    async def aclose(self) -> None:
        await self._client.aclose()

    def in_lane(self, lane: Lane) -> ConfluenceHttp:
        """This core with requests in the limiter's `lane`; everything else (pool, limiter,
        site cache) shared."""
        if lane == self.lane:
            return self
        view = copy.copy(self)
        view.lane = lane
        return view

    # -- site discovery -------------------------------------------------------------------------
    async def site(self) -> Site:
        """The site (cloud id + URL), discovered once from accessible-resources in gateway mode."""
        if self._sites.site is not None:
            return self._sites.site
        async with self._sites.lock:
            if self._sites.site is None:
                self._sites.site = await self._discover()
            return self._sites.site

    async def site_url(self) -> str:
        """https://SITE.atlassian.net, discovering it if only a cloud id was configured."""
        site = await self.site()
        if site.url:
            return site.url
        async with self._sites.lock:
            if self._sites.site is not None and self._sites.site.url:
                return self._sites.site.url
            found = await self._discover()
            self._sites.site = Site(url=found.url, cloud_id=site.cloud_id)
            assert found.url is not None
            return found.url

    async def _discover(self) -> Site:
        assert isinstance(self.auth, GatewayAuth)
        response = await self.request(
            "GET", "/confluence/oauth/token/accessible-resources", target="gateway"
        )
        resources = response.json()
        if not isinstance(resources, list) or not resources:
            raise ConfluenceError(
                "The Maton gateway returned no accessible Confluence site: "
                "connect a Confluence account in Maton first."
            )
        chosen = resources[0]
        wanted = self.auth.cloud_id
        wanted_url = (self.auth.site_url or "").rstrip("/").lower()
        for resource in resources:
            if not isinstance(resource, dict):
                continue
            url = str(resource.get("url", "")).rstrip("/").lower()
            if (wanted and resource.get("id") == wanted) or (wanted_url and url == wanted_url):
                chosen = resource
                break
        else:
            if wanted_url and len(resources) > 1:
                raise ConfluenceError(
                    f"CONFLUENCE_URL {self.auth.site_url} is not among the sites this Maton "
                    "connection can reach."
                )
        found_url: str | None = str(chosen.get("url", "")).rstrip("/") or None
        site = Site(url=found_url, cloud_id=str(chosen["id"]))
        log.info("confluence site discovered cloud_id=%s url=%s", site.cloud_id, site.url)
        return site

    # -- build ----------------------------------------------------------------------------------
    async def _url(self, path: str, target: Target) -> str:
        path = site_relative(path)  # absolute next-links point at the real site: re-root them
        if isinstance(self.auth, DirectAuth):
            if target != "site":
                raise ConfluenceError("This operation needs the Maton gateway (MATON_API_KEY).")
            return self.auth.site_url + path
        if target == "gateway":
            return self.auth.api_url + path
        if target == "connections":
            return self.auth.connections_url + path
        site = await self.site()
        return f"{self.auth.api_url}/confluence/ex/confluence/{site.cloud_id}{path}"

    async def _build(
        self,
        method: str,
        path: str,
        target: Target,
        *,
        params: dict[str, Any] | None,
        json: Any,
        files: Any,
        headers: dict[str, str] | None,
        connection: str | None,
    ) -> httpx.Request:
        all_headers = {**self.auth.headers(), **(headers or {})}
        if connection and self.via_gateway and target == "site":
            all_headers["Maton-Connection"] = connection
        # None, not {}: httpx replaces a URL's own query (next links carry theirs) with empty params.
        clean_params = {k: v for k, v in (params or {}).items() if v is not None} or None
        return self._client.build_request(
            method,
            await self._url(path, target),
            params=clean_params,
            json=json,
            files=files,
            headers=all_headers,
        )

    # -- send -----------------------------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        target: Target = "site",
        params: dict[str, Any] | None = None,
        json: Any = None,
        files: Any = None,
        headers: dict[str, str] | None = None,
        connection: str | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one logical request, retrying what is safe to retry; raise ConfluenceError on failure."""
        method = method.upper()
        request = await self._build(
            method,
            path,
            target,
            params=params,
            json=json,
            files=files,
            headers=headers,
            connection=connection,
        )
        may_retry = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        return await self._send_with_retries(_Call(request, target, may_retry))

    async def _send_with_retries(self, call: _Call) -> httpx.Response:
        """Attempts until an answer below 400, a failure not worth retrying, or the policy's
        attempts or deadline run out (a wait that would end past the deadline is not started)."""
        policy = self.retry
        deadline = self.clock.monotonic() + policy.total_deadline
        attempt = 0
        while True:
            attempt += 1
            outcome = await self._attempt(call)
            if isinstance(outcome, httpx.Response):
                return outcome
            if not (call.may_retry and retryable(outcome)) or attempt >= policy.max_attempts:
                raise outcome
            delay = policy.delay(outcome, attempt)
            if self.clock.monotonic() + delay > deadline:
                raise outcome
            self._retrying(call, outcome, attempt, delay)
            await self.clock.sleep(delay)

    async def _attempt(self, call: _Call) -> httpx.Response | ConfluenceError:
        """One try: the response when it succeeded, else the error it maps to (not raised)."""
        await self.limiter.acquire(self.lane)
        try:
            await self._take_place()
            try:
                # Not streamed: the body is read before the place is given back, so a caller
                # holding a response (a pager between pages) holds no place.
                response = await self._client.send(call.request)
            finally:
                self._places.release()
        except httpx.TransportError as exc:
            failure = "timeout" if isinstance(exc, httpx.TimeoutException) else "network"
            self._observe(call.api, None, failure)
            return _no_answer(call, exc)
        self._observe(call.api, response.status_code)
        if response.status_code < 400:
            return response
        return self._error_for(call, response)

    async def _take_place(self) -> None:
        """A place among the requests in flight, waited for no longer than httpx would have
        waited for a pooled connection (its pool timeout)."""
        if not self._places.locked():
            await self._places.acquire()  # free: taken at once
            return
        try:
            async with asyncio.timeout(self._pool_timeout):
                await self._places.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no connection came free within the pool timeout") from None

    # -- map errors -----------------------------------------------------------------------------
    def _error_for(self, call: _Call, response: httpx.Response) -> ApiError:
        retry_after = None
        if response.status_code in RETRY_AFTER_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error_for_response(
            call.request.method,
            call.shown_path,
            response,
            via_gateway=self.via_gateway,
            retry_after=retry_after,
        )

    def _observe(self, api: str, status: int | None, failure: str | None = None) -> None:
        if self.observer is not None:
            self.observer.upstream_request(api, status, failure)

    def _retrying(self, call: _Call, error: ConfluenceError, attempt: int, delay: float) -> None:
        if self.observer is not None:
            self.observer.upstream_retry(call.api, retry_reason(error))
        log.warning(
            "confluence retry method=%s path=%s attempt=%d wait=%.2fs reason=%s",
            call.request.method,
            call.shown_path,
            attempt,
            delay,
            error.status if isinstance(error, ApiError) else type(error).__name__,
        )

    async def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return decode_json(response)

    async def wiki_base(self, links: object) -> str | None:
        """The `_links.base` an answer carries (https://SITE.atlassian.net/wiki), else the
        site's, discovering it when needed: what relative `webui` links hang off."""
        if isinstance(links, dict) and links.get("base"):
            return str(links["base"])
        return (await self.site()).wiki_base


@dataclass
class _Sites:
    site: Site | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True)
class _Call:
    """One logical request: built once, sent once per attempt."""

    request: httpx.Request
    target: Target
    may_retry: bool

    @property
    def api(self) -> str:
        """The metrics label: Confluence itself, or Maton (discovery, the connection API)."""
        return "confluence" if self.target == "site" else "maton"

    @property
    def shown_path(self) -> str:
        """What errors and logs name: the path only (no host, no query)."""
        return self.request.url.raw_path.split(b"?", 1)[0].decode("ascii")


def _no_answer(call: _Call, exc: httpx.TransportError) -> TransportError:
    """No answer: from Maton's connection service, or from Confluence (through the gateway or not)."""
    if call.target == "connections":
        cls: type[TransportError] = ConnectionServiceUnreachable
    else:
        cls = RequestTimeout if isinstance(exc, httpx.TimeoutException) else TransportError
    return cls(call.request.method, call.shown_path, type(exc).__name__)
