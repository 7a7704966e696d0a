"""The digest service's ports, implemented with the Confluence client and the Slack Web API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import (
    AuthError,
    ConfluenceClient,
    ConfluenceError,
    ExpiredGrant,
    NoConnection,
    PermissionDenied,
)
from bot.convert import storage_to_text
from bot.digest.compose import EXCERPT_LIMIT, DigestMessage
from bot.digest.ports import (
    EVENT_TYPE,
    ChannelUnavailable,
    Clock,
    DigestMark,
    PostFailed,
    SourceAccessLost,
    SourcePost,
    SourceUnavailable,
    SpaceInfo,
)
from bot.digest.service import DigestService
from bot.slack.services import Services

__all__ = [
    "ChannelPacer",
    "ConfluenceBlogSource",
    "SlackDigestPoster",
    "build_digest_service",
]

log = logging.getLogger("bot.slack.digests")

SPACES_PER_LIST = 250
POSTS_PER_PAGE = 100
NAME_TTL_SECONDS = 3600.0
HISTORY_PAGES = 5  # how far back a retried digest looks for its own message (x 200 messages)
# Errors after which posting can only work once someone acts (invite the bot, unarchive...).
CHANNEL_GONE = frozenset(
    {"channel_not_found", "is_archived", "not_in_channel", "restricted_action_read_only_channel"}
)

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


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


class ChannelPacer:
    """At most one message per ``interval`` seconds per channel (Slack's posting guideline)."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, channel_id: str) -> None:
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            last = self._last.get(channel_id)
            if last is not None:
                wait = last + self._interval - self._monotonic()
                if wait > 0:
                    await self._sleep(wait)
            self._last[channel_id] = self._monotonic()


class SlackDigestPoster:
    """Posts digests with metadata, finds them again, and DMs subscription owners."""

    def __init__(self, client: AsyncWebClient, *, pacer: ChannelPacer | None = None) -> None:
        self._client = client
        self._pacer = pacer or ChannelPacer()

    async def post(self, channel_id: str, message: DigestMessage, mark: DigestMark) -> str:
        await self._pacer.wait(channel_id)
        try:
            response = await self._client.chat_postMessage(
                channel=channel_id,
                text=message.text,
                blocks=message.blocks,
                metadata={"event_type": EVENT_TYPE, "event_payload": mark.payload()},
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            if error in CHANNEL_GONE:
                raise ChannelUnavailable(error) from exc
            retry_after = (
                exc.response.headers.get("Retry-After") if error == "ratelimited" else None
            )
            raise PostFailed(error, retry_after=_seconds(retry_after)) from exc
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            # The message may or may not have been posted; the retry checks history first.
            raise PostFailed(type(exc).__name__) from exc
        return str(response["ts"])

    async def find_posted(self, channel_id: str, mark: DigestMark, since: datetime) -> str | None:
        cursor: str | None = None
        try:
            for _ in range(HISTORY_PAGES):
                response = await self._client.conversations_history(
                    channel=channel_id,
                    oldest=f"{since.timestamp():.6f}",
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
                for msg in response.get("messages") or []:
                    meta = msg.get("metadata") or {}
                    if meta.get("event_type") == EVENT_TYPE and mark.matches(
                        meta.get("event_payload")
                    ):
                        return str(msg["ts"])
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            # Without history we cannot tell; posting again beats losing the digest.
            log.warning("digest history check failed channel=%s error=%s", channel_id, exc)
        return None

    async def notify(self, user_id: str, text: str) -> None:
        try:
            opened = await self._client.conversations_open(users=user_id)
            await self._client.chat_postMessage(channel=opened["channel"]["id"], text=text)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("digest could not DM user=%s error=%s", user_id, exc)


def _seconds(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def build_digest_service(
    services: Services,
    client: AsyncWebClient,
    *,
    clock: Clock | None = None,
    pacer: ChannelPacer | None = None,
) -> DigestService:
    """A digest service over the app's store, Confluence client and Slack client."""
    return DigestService(
        services.store,
        ConfluenceBlogSource(services.confluence),
        SlackDigestPoster(client, pacer=pacer),
        clock=clock,
        grace=timedelta(hours=services.settings.digest_grace_hours),
    )
