"""Footer and inline comments."""

from __future__ import annotations

from bot.confluence.models import FooterComment, InlineComment
from bot.confluence.paging import Pager
from bot.confluence.resources.base import V2, Resource, storage_body
from bot.confluence.resources.params import BodyFormat, CommentSort, ListBodyFormat


class FooterCommentsAPI(Resource):
    def list(
        self,
        *,
        body_format: ListBodyFormat | None = None,
        limit: int | None = None,
        sort: CommentSort | None = None,
    ) -> Pager[FooterComment]:
        """Footer comments the identity can see, site-wide (``-created-date``: newest first)."""
        return self._list(
            FooterComment,
            f"{V2}/footer-comments",
            {"body-format": body_format, "limit": limit, "sort": sort},
        )

    async def get(self, comment_id: str, *, body_format: BodyFormat | None = None) -> FooterComment:
        return await self._get(
            FooterComment, f"{V2}/footer-comments/{comment_id}", {"body-format": body_format}
        )

    async def create(
        self,
        body: str,
        *,
        page_id: str | None = None,
        blogpost_id: str | None = None,
        parent_comment_id: str | None = None,
    ) -> FooterComment:
        """A comment on a page, a blog post, or a reply to another comment (exactly one target)."""
        targets = {
            "pageId": page_id,
            "blogPostId": blogpost_id,
            "parentCommentId": parent_comment_id,
        }
        chosen = {k: v for k, v in targets.items() if v}
        if len(chosen) != 1:
            raise ValueError("give exactly one of page_id, blogpost_id, parent_comment_id")
        payload: dict[str, object] = {**chosen, "body": storage_body(body)}
        return await self._send("POST", FooterComment, f"{V2}/footer-comments", payload)

    async def update(self, comment_id: str, body: str, *, version: int) -> FooterComment:
        """`version` is the new number (current + 1)."""
        payload = {"version": {"number": version}, "body": storage_body(body)}
        return await self._send("PUT", FooterComment, f"{V2}/footer-comments/{comment_id}", payload)

    async def delete(self, comment_id: str) -> None:
        await self._delete(f"{V2}/footer-comments/{comment_id}")

    def children(
        self,
        comment_id: str,
        *,
        body_format: ListBodyFormat | None = None,
        limit: int | None = None,
    ) -> Pager[FooterComment]:
        return self._list(
            FooterComment,
            f"{V2}/footer-comments/{comment_id}/children",
            {"body-format": body_format, "limit": limit},
        )


class InlineCommentsAPI(Resource):
    def list(
        self,
        *,
        body_format: ListBodyFormat | None = None,
        limit: int | None = None,
        sort: CommentSort | None = None,
    ) -> Pager[InlineComment]:
        """Inline comments the identity can see, site-wide; each carries the text it highlights
        (``selection``)."""
        return self._list(
            InlineComment,
            f"{V2}/inline-comments",
            {"body-format": body_format, "limit": limit, "sort": sort},
        )

    async def get(self, comment_id: str, *, body_format: BodyFormat | None = None) -> InlineComment:
        return await self._get(
            InlineComment, f"{V2}/inline-comments/{comment_id}", {"body-format": body_format}
        )

    def children(
        self,
        comment_id: str,
        *,
        body_format: ListBodyFormat | None = None,
        limit: int | None = None,
        sort: CommentSort | None = None,
    ) -> Pager[InlineComment]:
        """Replies to an inline comment."""
        return self._list(
            InlineComment,
            f"{V2}/inline-comments/{comment_id}/children",
            {"body-format": body_format, "limit": limit, "sort": sort},
        )
