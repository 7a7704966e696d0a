"""Pages and blog posts: the same shape of API over two collections."""

from __future__ import annotations

import builtins
from typing import Generic, TypeVar

from bot.confluence.errors import Conflict
from bot.confluence.models import (
    Attachment,
    BlogPost,
    ChildPage,
    FooterComment,
    InlineComment,
    Label,
    Page,
    Version,
)
from bot.confluence.paging import Pager
from bot.confluence.resources.base import V2, Resource, csv, storage_body
from bot.confluence.resources.params import (
    BlogPostSort,
    BlogPostStatus,
    BodyFormat,
    ListBodyFormat,
    PageSort,
    PageStatus,
)
from bot.confluence.resources.properties import PropertiesAPI

C = TypeVar("C", bound=Page)
MAX_IDS = 250  # ids one list request may filter on (the `id` parameter's maxItems)
# Each collection documents its own sort orders and statuses (blog posts: no title sort, no archive).
SortT = TypeVar("SortT", bound=str)
StatusT = TypeVar("StatusT", bound=str)


class _ContentAPI(Resource, Generic[C, SortT, StatusT]):
    _collection: str
    _model: type[C]

    def _path(self, content_id: str = "") -> str:
        return f"{V2}/{self._collection}" + (f"/{content_id}" if content_id else "")

    def list(
        self,
        *,
        ids: str | list[str] | None = None,
        space_id: str | list[str] | None = None,
        title: str | None = None,
        status: StatusT | list[StatusT] | None = None,
        body_format: ListBodyFormat | None = None,
        sort: SortT | None = None,
        limit: int | None = None,
    ) -> Pager[C]:
        """Across spaces, or in the spaces `space_id` names (GET /pages, /blogposts); `ids` picks
        these pages or blog posts (at most 250 a request, as Confluence allows)."""
        if ids is not None and not isinstance(ids, str) and len(ids) > MAX_IDS:
            raise ValueError(f"at most {MAX_IDS} ids a request")
        filters = {"id": csv(ids), "space-id": csv(space_id), "title": title}
        return self._listing(self._path(), status, body_format, sort, limit, filters)

    def in_space(
        self,
        space_id: str,
        *,
        status: StatusT | builtins.list[StatusT] | None = None,
        body_format: ListBodyFormat | None = None,
        sort: SortT | None = None,
        limit: int | None = None,
    ) -> Pager[C]:
        """One space's (GET /spaces/{id}/pages, /spaces/{id}/blogposts)."""
        path = f"{V2}/spaces/{space_id}/{self._collection}"
        return self._listing(path, status, body_format, sort, limit)

    def _listing(
        self,
        path: str,
        status: StatusT | builtins.list[StatusT] | None,
        body_format: ListBodyFormat | None,
        sort: SortT | None,
        limit: int | None,
        filters: dict[str, str | None] | None = None,
    ) -> Pager[C]:
        params = {"status": csv(status), "body-format": body_format, "sort": sort, "limit": limit}
        return self._list(self._model, path, {**(filters or {}), **params})

    async def get(
        self, content_id: str, *, body_format: BodyFormat | None = None, version: int | None = None
    ) -> C:
        return await self._get(
            self._model, self._path(content_id), {"body-format": body_format, "version": version}
        )

    async def delete(self, content_id: str, *, purge: bool = False) -> None:
        await self._delete(self._path(content_id), {"purge": "true" if purge else None})

    async def update(
        self,
        content_id: str,
        *,
        title: str,
        body: str,
        version: int,
        message: str | None = None,
        status: str = "current",
    ) -> C:
        """Send version `version` (must be current + 1). A stale number raises Conflict."""
        payload: dict[str, object] = {
            "id": content_id,
            "status": status,
            "title": title,
            "body": storage_body(body),
            "version": {"number": version, "message": message or ""},
        }
        return await self._send("PUT", self._model, self._path(content_id), payload)

    async def update_body(
        self, content_id: str, body: str, *, title: str | None = None, message: str | None = None
    ) -> C:
        """Read the current version and send version + 1.

        On 409 raises Conflict carrying the server's current version; callers that append content may
        re-read and retry.
        """
        current = await self.get(content_id)
        number = (current.version.number if current.version else 0) + 1
        try:
            return await self.update(
                content_id,
                title=title if title is not None else current.title,
                body=body,
                version=number,
                message=message,
            )
        except Conflict as exc:
            if exc.current_version is None:
                exc.current_version = number - 1
            raise

    def labels(self, content_id: str, *, limit: int | None = None) -> Pager[Label]:
        return self._list(Label, f"{self._path(content_id)}/labels", {"limit": limit})

    def versions(self, content_id: str, *, limit: int | None = None) -> Pager[Version]:
        return self._list(Version, f"{self._path(content_id)}/versions", {"limit": limit})

    def footer_comments(
        self,
        content_id: str,
        *,
        body_format: ListBodyFormat | None = None,
        limit: int | None = None,
    ) -> Pager[FooterComment]:
        return self._list(
            FooterComment,
            f"{self._path(content_id)}/footer-comments",
            {"body-format": body_format, "limit": limit},
        )

    def properties(self, content_id: str) -> PropertiesAPI:
        return PropertiesAPI(self._http, self._connection, self._path(content_id))


class PagesAPI(_ContentAPI[Page, PageSort, PageStatus]):
    _collection = "pages"
    _model = Page

    async def create(
        self,
        *,
        space_id: str,
        title: str,
        body: str,
        parent_id: str | None = None,
        status: str = "current",
    ) -> Page:
        payload: dict[str, object] = {
            "spaceId": space_id,
            "status": status,
            "title": title,
            "body": storage_body(body),
        }
        if parent_id:
            payload["parentId"] = parent_id
        return await self._send("POST", Page, self._path(), payload)

    def children(self, page_id: str, *, limit: int | None = None) -> Pager[ChildPage]:
        return self._list(ChildPage, f"{self._path(page_id)}/children", {"limit": limit})

    def attachments(self, page_id: str, *, limit: int | None = None) -> Pager[Attachment]:
        return self._list(Attachment, f"{self._path(page_id)}/attachments", {"limit": limit})

    def inline_comments(
        self, page_id: str, *, body_format: ListBodyFormat | None = None, limit: int | None = None
    ) -> Pager[InlineComment]:
        return self._list(
            InlineComment,
            f"{self._path(page_id)}/inline-comments",
            {"body-format": body_format, "limit": limit},
        )


class BlogPostsAPI(_ContentAPI[BlogPost, BlogPostSort, BlogPostStatus]):
    _collection = "blogposts"
    _model = BlogPost

    async def create(
        self, *, space_id: str, title: str, body: str, status: str = "current"
    ) -> BlogPost:
        payload = {
            "spaceId": space_id,
            "status": status,
            "title": title,
            "body": storage_body(body),
        }
        return await self._send("POST", BlogPost, self._path(), payload)

    def inline_comments(
        self,
        blogpost_id: str,
        *,
        body_format: ListBodyFormat | None = None,
        limit: int | None = None,
    ) -> Pager[InlineComment]:
        return self._list(
            InlineComment,
            f"{self._path(blogpost_id)}/inline-comments",
            {"body-format": body_format, "limit": limit},
        )
