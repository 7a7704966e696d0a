"""Benchmark: one digest tick for 1,000 subscriptions over 50 spaces with 200 new blog posts.

Everything real except the services at the far end: the Confluence client (gateway mode) talks to
the in-memory Confluence/Maton fake through an ASGI transport, the Slack adapter posts to the
Slack fake on a loopback socket, the store is a SQLite file (or DATABASE_URL). Slack pacing is
switched off (one message per channel anyway), so the wall time is ours plus the fakes'.

Run: .venv/bin/python bench/digest_tick.py [--subscriptions 1000] [--spaces 50] [--posts 200]
     [--database-url postgresql://postgres@127.0.0.1:5432/test]  (uses a throw-away schema)
Goal: at most 60 Confluence calls in the tick; every subscription gets one digest; a second tick
right after posts nothing and calls Confluence not at all.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import sqlalchemy as sa
from pydantic import SecretStr
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import create_async_engine

from bot.confluence import ConfluenceClient, GatewayAuth
from bot.delivery import ChannelPacer
from bot.digest.service import DigestService
from bot.slack.digests.poster import SlackDigestPoster
from bot.slack.digests.source import ConfluenceBlogSource
from bot.store import Schedule, Store, normalize_url
from tests.digest.fakes import ManualClock
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack

GOAL_CALLS = 60
DUE = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


async def open_store(url: str | None, tmp: str) -> tuple[Store, Callable[[], Awaitable[None]]]:
    """A migrated store: a SQLite file, or a throw-away schema on the given PostgreSQL."""

    async def nothing() -> None:
        return None

    if not url or not url.startswith("postgres"):
        store = Store.from_url(url or f"sqlite:///{tmp}/bench.db")
        await store.migrate()
        return store, nothing
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(normalize_url(url))
    async with admin.begin() as conn:
        await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    async def drop() -> None:
        async with admin.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()

    store = Store.from_url(url, schema=schema)
    await store.migrate()
    return store, drop


async def main(args: argparse.Namespace) -> int:
    confluence = FakeConfluence()
    slack = FakeSlack()
    keys = [f"S{n:03d}" for n in range(args.spaces)]
    for n, key in enumerate(keys):
        confluence.add_space(key, f"Space {n}")
    authors = [f"acc-{n}" for n in range(40)]
    for account in authors:
        confluence.add_user(account, f"Author {account}")
    for n in range(args.posts):
        confluence.add_blogpost(
            keys[n % len(keys)],
            f"Post {n}",
            f"<p>Body of post {n} with <strong>news</strong>.</p>",
            author_id=authors[n % len(authors)],
            created_at=DUE - timedelta(minutes=10 + n),
        )
    for n in range(args.posts):  # older history the tick must not page through
        confluence.add_blogpost(
            keys[n % len(keys)], f"Old {n}", "<p>old</p>", created_at=DUE - timedelta(days=20)
        )

    with tempfile.TemporaryDirectory() as tmp, serve(slack.app) as slack_url:
        store, cleanup = await open_store(args.database_url, tmp)
        channels = [f"C{n:05d}" for n in range(args.subscriptions)]
        for n, channel in enumerate(channels):
            slack.add_channel(channel, channel.lower())
            key = keys[n % len(keys)]
            await store.subscriptions.upsert(
                team_id="T1",
                channel_id=channel,
                space_key=key,
                space_id=confluence.space_ids_by_key[key],
                schedule=Schedule("daily", 9, 0, "UTC"),
                created_by="U1",
                now=DUE - timedelta(days=3),
            )
        client = ConfluenceClient(
            GatewayAuth(
                api_key=SecretStr(confluence.api_key),
                api_url="http://gateway.test",
                ctrl_url="http://ctrl.test",
            ),
            transport=httpx.ASGITransport(app=confluence.app),
            requests_per_second=1e9,
        )
        await client.site()  # discovery is a start-up cost, not a tick cost
        web = AsyncWebClient(token=slack.bot_token, base_url=slack_url + "/api/")
        clock = ManualClock(DUE + timedelta(seconds=15))
        service = DigestService(
            store,
            ConfluenceBlogSource(client),
            SlackDigestPoster(web, pacer=ChannelPacer(0)),
            clock=clock,
        )
        confluence.requests.clear()
        started = time.perf_counter()
        report = await service.tick()
        seconds = time.perf_counter() - started
        calls = len(confluence.requests)
        by_kind: dict[str, int] = {}
        for request in confluence.requests:
            kind = request.path.rsplit("/", 1)[-1]
            by_kind[kind] = by_kind.get(kind, 0) + 1
        posted_messages = len(slack.calls_to("chat.postMessage"))

        confluence.requests.clear()
        clock.advance(seconds=30)
        second_started = time.perf_counter()
        second = await service.tick()
        second_seconds = time.perf_counter() - second_started
        second_calls = len(confluence.requests)
        await client.aclose()
        await store.close()
        await cleanup()

    print(f"subscriptions={args.subscriptions} spaces={args.spaces} new posts={args.posts}")
    print(f"tick: {seconds:.2f} s wall (Slack pacing off), due={report.due}")
    print(f"  Confluence calls: {calls} (goal <= {GOAL_CALLS}) {by_kind}")
    print(f"  digests posted: {report.posted} (chat.postMessage calls: {posted_messages})")
    print(
        f"second tick: {second_seconds:.2f} s, due={second.due}, posted={second.posted}, "
        f"Confluence calls={second_calls}"
    )
    ok = (
        calls <= GOAL_CALLS
        and report.posted == args.subscriptions
        and second.posted == 0
        and second_calls == 0
    )
    print("goal met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--spaces", type=int, default=50)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    sys.exit(asyncio.run(main(parser.parse_args())))
