"""ConfluenceClient: the resource groups over one shared HTTP core, per connection."""

from __future__ import annotations

from types import TracebackType

import httpx

from bot.confluence.auth import Auth, DirectAuth, GatewayAuth, Site
from bot.confluence.http import ConfluenceHttp, RequestObserver
from bot.confluence.models import BlogPost, Page
from bot.confluence.resources.attachments import AttachmentsAPI
from bot.confluence.resources.comments import FooterCommentsAPI, InlineCommentsAPI
from bot.confluence.resources.connections import ConnectionsAPI
from bot.confluence.resources.content import BlogPostsAPI, PagesAPI
from bot.confluence.resources.misc import CustomContentAPI, LabelsAPI, TasksAPI, UsersAPI
from bot.confluence.resources.params import BodyFormat
from bot.confluence.resources.search import SearchAPI
from bot.confluence.resources.settings import SettingsAPI
from bot.confluence.resources.spaces import SpacesAPI
from bot.confluence.retry import Clock, RetryPolicy
from bot.confluence.transport import MAX_CONNECTIONS
from bot.confluence.urls import ContentRef


class ConfluenceClient:
    """Async Confluence Cloud client.

    One instance per process owns the connection pool; `using(connection_id)` returns a cheap view
    that sends `Maton-Connection` on every call (per-user identity) and shares the pool, limiter and
    site cache; `in_background()` a view whose requests take the limiter's background lane
    (pollers). Close the root client once, at shutdown.
    """

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
        _http: ConfluenceHttp | None = None,
    ) -> None:
        self._http = _http or ConfluenceHttp(
            auth,
            transport=transport,
            retry=retry,
            clock=clock,
            requests_per_second=requests_per_second,
            timeout=timeout,
            observer=observer,
            max_connections=max_connections,
        )
        self._owns_http = _http is None
        connection = auth.connection if isinstance(auth, GatewayAuth) else None
        self._bind(connection)

    def _bind(self, connection: str | None) -> None:
        self.connection = connection
        http = self._http
        self.pages = PagesAPI(http, connection)
        self.blogposts = BlogPostsAPI(http, connection)
        self.spaces = SpacesAPI(http, connection)
        self.footer_comments = FooterCommentsAPI(http, connection)
        self.inline_comments = InlineCommentsAPI(http, connection)
        self.attachments = AttachmentsAPI(http, connection)
        self.tasks = TasksAPI(http, connection)
        self.labels = LabelsAPI(http, connection)
        self.custom_content = CustomContentAPI(http, connection)
        self.users = UsersAPI(http, connection)
        self.search = SearchAPI(http, connection)
        self.connections = ConnectionsAPI(http, connection)
        self.settings = SettingsAPI(http, connection)

    def using(self, connection: str | None) -> ConfluenceClient:
        """A view acting as `connection` (None: the client's default). Gateway mode only matters."""
        if connection is None:
            connection = self.connection
        view = object.__new__(ConfluenceClient)
        view._http = self._http
        view._owns_http = False
        view._bind(connection if self.via_gateway else None)
        return view

    def in_background(self) -> ConfluenceClient:
        """A view whose requests take the limiter's background lane (pollers): they leave a
        reserve of the rate to interactive requests and never go while one waits. Composes with
        `using` either way round."""
        view = object.__new__(ConfluenceClient)
        view._http = self._http.in_lane("background")
        view._owns_http = False
        view._bind(self.connection)
        return view

    @property
    def in_background_lane(self) -> bool:
        return self._http.lane == "background"

    @property
    def via_gateway(self) -> bool:
        return isinstance(self._http.auth, GatewayAuth)

    @property
    def is_direct(self) -> bool:
        return isinstance(self._http.auth, DirectAuth)

    async def content(
        self, ref: ContentRef, *, body_format: BodyFormat | None = None
    ) -> Page | BlogPost:
        """The page or blog post `ref` names (e.g. one parsed from a link)."""
        if ref.kind == "blogpost":
            return await self.blogposts.get(ref.id, body_format=body_format)
        return await self.pages.get(ref.id, body_format=body_format)

    async def site(self) -> Site:
        return await self._http.site()

    async def site_url(self) -> str:
        """https://SITE.atlassian.net — for absolute links."""
        return await self._http.site_url()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> ConfluenceClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
