"""The digest's BlogSource port, implemented with the Confluence client (as each subscriber's
connection sees the spaces)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from bot.confluence import (
    AuthError,
    ConfluenceClient,
    ConfluenceError,
    ExpiredGrant,
    NoConnection,
    PermissionDenied,
)
from bot.convert import storage_to_text
from bot.digest.compose import EXCERPT_LIMIT
from bot.digest.ports import SourceAccessLost, SourcePost, SourceUnavailable, SpaceInfo

__all__ = ["ConfluenceBlogSource"]

SPACES_PER_LIST = 250
POSTS_PER_PAGE = 100
NAME_TTL_SECONDS = 3600.0

Monotonic = Callable[[], float]


class ConfluenceBlogSource:
    """Blog posts, spaces and author names, as the subscriber's connection sees them."""

    def __init__(
        self,
        confluence: ConfluenceClient,
        *,
        name_ttl_seconds: float = NAME_TTL_SECONDS,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self._confluence = confluence
        self._ttl = name_ttl_seconds
        self._monotonic = monotonic
        self._names: dict[str, tuple[str, float]] = {}  # account id -> (name, fetched at)

    async def spaces(
        self, connection_id: str | None, space_ids: Sequence[str]
    ) -> dict[str, SpaceInfo]:
        client = self._confluence.using(connection_id)
        found: dict[str, SpaceInfo] = {}
        with _translated():
            for start in range(0, len(space_ids), SPACES_PER_LIST):
                batch = list(space_ids[start : start + SPACES_PER_LIST])
                async for space in client.spaces.list(ids=batch, limit=len(batch)):
                    found[space.id] = SpaceInfo(space.id, space.key, space.name, space.blog_url)
        return found

    async def posts_since(
        self, connection_id: str | None, space_ids: Sequence[str], since: datetime
    ) -> list[SourcePost]:
        client = self._confluence.using(connection_id)
        pager = client.blogposts.list(
            space_id=list(space_ids),
            sort="-created-date",
            body_format="storage",
            limit=POSTS_PER_PAGE,
        )
        posts: list[SourcePost] = []
        with _translated():
            async for page in pager.pages():
                older = False
                for post in page.items:
                    created = post.created_at
                    if created is None or post.space_id is None:
                        continue
                    if created < since:
                        older = True  # newest first: every later post is older still
                        break
                    excerpt = storage_to_text(post.storage or "", EXCERPT_LIMIT)
                    posts.append(
                        SourcePost(
                            post.id,
                            post.space_id,
                            post.title,
                            post.web_url,
                            post.author_id,
                            created,
                            excerpt,
                        )
                    )
                if older:
                    break
        return posts

    async def display_names(
        self, connection_id: str | None, account_ids: Sequence[str]
    ) -> dict[str, str]:
        now = self._monotonic()
        names = {}
        missing = []
        for account_id in dict.fromkeys(account_ids):
            cached = self._names.get(account_id)
            if cached is not None and now - cached[1] < self._ttl:
                names[account_id] = cached[0]
            else:
                missing.append(account_id)
        if missing:
            with _translated():
                users = await self._confluence.using(connection_id).users.bulk(missing)
            for account_id, user in users.items():
                self._names[account_id] = (user.name, now)
                names[account_id] = user.name
        return names


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Confluence errors -> the port's two kinds: the user must act, or retry later."""
    try:
        yield
    except (ExpiredGrant, NoConnection, AuthError, PermissionDenied) as exc:
        raise SourceAccessLost(str(exc)) from exc
    except ConfluenceError as exc:
        raise SourceUnavailable(str(exc)) from exc
