"""Benchmark: one digest tick for 1,000 subscriptions over 50 spaces with 200 new blog posts.

Everything real except the services at the far end: the Confluence client (gateway mode) and the
Slack adapter talk over loopback HTTP to the Confluence/Maton and Slack fakes, which run in a
child process so that their handlers do not compete with the bot for this interpreter. The store
is a SQLite file (or a throw-away schema on PostgreSQL). Slack pacing is switched off (one
message per channel anyway).

Prints, for the tick:
  db transactions: N           every transaction the store's engine began (SQLAlchemy events)
  slack connections opened: N  TCP connections the Slack fake accepted
  own work seconds: X          this process's CPU time (the bot's own work, its database driver
                               thread included; the fakes and PostgreSQL run elsewhere)
Run: .venv/bin/python bench/digest_tick.py [--subscriptions 1000] [--spaces 50] [--posts 200]
     [--database-url postgresql://postgres@127.0.0.1:5432/test]  (uses a throw-away schema)
Goals: every subscription gets one digest with at most 60 Confluence calls; a second tick right
after posts nothing and calls Confluence not at all; at most 10 database transactions, at most
SLACK_POOL_SIZE Slack connections and under 1 s of own work for 1,000 due digests.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.confluence import ConfluenceClient, GatewayAuth
from bot.delivery import ChannelPacer
from bot.digest.service import DigestService
from bot.logs import configure_logging
from bot.slack.app import web_client
from bot.slack.digests.poster import SlackDigestPoster
from bot.slack.digests.source import ConfluenceBlogSource
from bot.slack.web_session import SLACK_POOL_SIZE, slack_session
from bot.store import Schedule, Store, normalize_url
from tests.digest.fakes import ManualClock
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.in_child import Built, served_in_child
from tests.fakes.slack_fake import FakeSlack

GOAL_CALLS = 60
GOAL_TRANSACTIONS = 10
GOAL_OWN_SECONDS = 1.0
DUE = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def fakes(subscriptions: int, spaces: int, posts: int) -> Built:
    """In the child process: the seeded fakes, and their figures."""
    confluence = FakeConfluence()
    slack = FakeSlack()
    keys = [f"S{n:03d}" for n in range(spaces)]
    for n, key in enumerate(keys):
        confluence.add_space(key, f"Space {n}")
    authors = [f"acc-{n}" for n in range(40)]
    for account in authors:
        confluence.add_user(account, f"Author {account}")
    for n in range(posts):
        confluence.add_blogpost(
            keys[n % len(keys)],
            f"Post {n}",
            f"<p>Body of post {n} with <strong>news</strong>.</p>",
            author_id=authors[n % len(authors)],
            created_at=DUE - timedelta(minutes=10 + n),
        )
    for n in range(posts):  # older history the tick must not page through
        confluence.add_blogpost(
            keys[n % len(keys)], f"Old {n}", "<p>old</p>", created_at=DUE - timedelta(days=20)
        )
    for n in range(subscriptions):
        channel = f"C{n:05d}"
        slack.add_channel(channel, channel.lower())

    def figures() -> dict[str, Any]:
        by_kind: dict[str, int] = {}
        for request in confluence.requests:
            kind = request.path.rsplit("/", 1)[-1]
            by_kind[kind] = by_kind.get(kind, 0) + 1
        return {
            "confluence calls": len(confluence.requests),
            "confluence by kind": by_kind,
            "chat.postMessage": len(slack.calls_to("chat.postMessage")),
        }

    info = {
        "api_key": confluence.api_key,
        "bot_token": slack.bot_token,
        "space_ids": dict(confluence.space_ids_by_key),
    }
    return {"slack": slack.app, "confluence": confluence.app}, info, figures


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


class Transactions:
    """Counts the transactions an engine begins (SQLAlchemy's `begin` event)."""

    def __init__(self, store: Store) -> None:
        self.count = 0
        sa.event.listen(store.engine.sync_engine, "begin", self._began)

    def _began(self, conn: Any) -> None:
        self.count += 1


async def main(args: argparse.Namespace) -> int:
    configure_logging("WARNING")  # as a deployment does (libraries' loggers included)
    with (
        tempfile.TemporaryDirectory() as tmp,
        served_in_child(fakes, args.subscriptions, args.spaces, args.posts) as served,
    ):
        store, cleanup = await open_store(args.database_url, tmp)
        keys = sorted(served.info["space_ids"])
        for n in range(args.subscriptions):
            key = keys[n % len(keys)]
            await store.subscriptions.upsert(
                team_id="T1",
                channel_id=f"C{n:05d}",
                space_key=key,
                space_id=served.info["space_ids"][key],
                schedule=Schedule("daily", 9, 0, "UTC"),
                created_by="U1",
                now=DUE - timedelta(days=3),
            )
        client = ConfluenceClient(
            GatewayAuth(
                api_key=SecretStr(served.info["api_key"]),
                api_url=served.urls["confluence"],
                ctrl_url=served.urls["confluence"],
            ),
            requests_per_second=1e9,
        )
        await client.site()  # discovery is a start-up cost, not a tick cost
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            maton_api_key=served.info["api_key"],
            maton_api_url=served.urls["confluence"],
            slack_bot_token=served.info["bot_token"],
            slack_api_url=served.urls["slack"] + "/api/",
        )
        session = slack_session()  # the app's one session (bootstrap makes it the same way)
        web = web_client(settings, session=session)
        clock = ManualClock(DUE + timedelta(seconds=15))
        service = DigestService(
            store,
            ConfluenceBlogSource(client),
            SlackDigestPoster(web, pacer=ChannelPacer(0)),
            clock=clock,
        )
        transactions = Transactions(store)
        before = served.stats()
        profile = cProfile.Profile() if args.profile else None
        started, cpu_started = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        report = await service.tick()
        if profile is not None:
            profile.disable()
        cpu = time.process_time() - cpu_started
        seconds = time.perf_counter() - started
        tick_transactions = transactions.count
        after = served.stats()

        clock.advance(seconds=30)
        second_started = time.perf_counter()
        second = await service.tick()
        second_seconds = time.perf_counter() - second_started
        second_calls = served.stats()["confluence calls"] - after["confluence calls"]
        await client.aclose()
        await session.close()
        await store.close()
        await cleanup()

    calls = after["confluence calls"] - before["confluence calls"]
    by_kind = {
        kind: n - before["confluence by kind"].get(kind, 0)
        for kind, n in after["confluence by kind"].items()
        if n > before["confluence by kind"].get(kind, 0)
    }
    posted = after["chat.postMessage"] - before["chat.postMessage"]
    connections = after["connections:slack"] - before["connections:slack"]
    print(f"subscriptions={args.subscriptions} spaces={args.spaces} new posts={args.posts}")
    print(f"database: {store.dialect}")
    print(f"tick: {seconds:.2f} s wall (Slack pacing off), due={report.due}")
    print(f"  Confluence calls: {calls} (goal <= {GOAL_CALLS}) {by_kind}")
    print(f"  digests posted: {report.posted} (chat.postMessage calls: {posted})")
    print(f"db transactions: {tick_transactions} (goal <= {GOAL_TRANSACTIONS})")
    print(f"slack connections opened: {connections} (pool size {SLACK_POOL_SIZE})")
    print(f"own work seconds: {cpu:.2f} (goal < {GOAL_OWN_SECONDS})")
    print(
        f"second tick: {second_seconds:.2f} s, due={second.due}, posted={second.posted}, "
        f"Confluence calls={second_calls}"
    )
    ok = (
        calls <= GOAL_CALLS
        and report.posted == args.subscriptions
        and second.posted == 0
        and second_calls == 0
        and tick_transactions <= GOAL_TRANSACTIONS
        and connections <= SLACK_POOL_SIZE
        and cpu < GOAL_OWN_SECONDS
    )
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    print("goal met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--spaces", type=int, default=50)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print the tick's N top functions"
    )
    sys.exit(asyncio.run(main(parser.parse_args())))
