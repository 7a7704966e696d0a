"""Benchmark: one channel-notification round for 1,000 channel subscriptions over 50 spaces, with
500 changes (new pages, edits, new blog posts, comments) in the interval.

Everything real except the services at the far end: the Confluence client (gateway mode, the
background lane) and the Slack adapter talk over loopback HTTP to the Confluence/Maton and Slack
fakes, which run in a child process so that their handlers do not compete with the bot for this
interpreter. The store is a SQLite file (or a throw-away schema on PostgreSQL). Slack pacing is
off: every channel gets ~10 messages, which Slack's ~1 message/s per channel would spread over
~10 s whatever the bot does.

Subscriptions: channel n follows space n % 50 and was set up by one of 4 linked users (each user
follows all 50 spaces: 4 poll groups). Prints:
  Confluence calls        per round, by kind (goal: <= 2 per group plus paging)
  Slack calls             chat.postMessage / chat.update / history reads
  tick                    wall seconds of the round against the Slack fake, own CPU seconds,
                          database transactions; and the same round with Slack answered in
                          process (what the bot itself takes: goal < 5 s)
  second round            the next round: nothing new, what it costs
  duplicates: N           two replicas on one database, in overlapping rounds (goal 0)
Run: .venv/bin/python bench/notify_tick.py [--subscriptions 1000] [--spaces 50] [--changes 500]
     [--database-url postgresql://postgres@127.0.0.1:5432/test]  (uses throw-away schemas)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr

from bench.digest_tick import Transactions, open_store
from bot.config import Settings
from bot.confluence import ConfluenceClient, GatewayAuth
from bot.delivery import ChannelPacer
from bot.logs import configure_logging
from bot.notify.confluence import ConfluenceActivity
from bot.notify.models import NewNotifySubscription
from bot.notify.service import NotifyService
from bot.slack.app import web_client
from bot.slack.notify.poster import SlackNotifyPoster
from bot.slack.web_session import slack_session
from bot.store import Store
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.in_child import Built, served_in_child
from tests.fakes.slack_fake import FakeSlack
from tests.notify.harness import FixedIdentities, RecordingPoster

GOAL_SECONDS = 5.0
OWNERS = 4
INTERVAL = timedelta(seconds=60)


def fakes(subscriptions: int, spaces: int, changes: int, start: datetime) -> Built:
    """In the child process: the seeded fakes (changes in the minute before `start`)."""
    confluence = FakeConfluence()
    slack = FakeSlack()
    keys = [f"S{n:03d}" for n in range(spaces)]
    authors = [f"acc-{n}" for n in range(40)]
    confluence.freeze_time(start - timedelta(days=3))
    for n, key in enumerate(keys):
        confluence.add_space(key, f"Space {n}")
    for account in authors:
        confluence.add_user(account, f"Author {account}")
    for n in range(OWNERS):
        confluence.add_connection(f"conn-{n}", account_id=authors[n])
    old = [
        confluence.add_page(keys[n % spaces], f"Old {n}", "<p>old</p>")["id"]
        for n in range(2 * spaces)
    ]
    for n in range(changes):  # 60 % new pages, 20 % edits, 10 % blog posts, 10 % comments
        confluence.freeze_time(start - timedelta(seconds=55) + timedelta(seconds=50 * n / changes))
        author, key = authors[n % len(authors)], keys[n % spaces]
        kind = n % 10
        if kind < 6:
            body = f"<p>Body of page {n} with <strong>news</strong>.</p>"
            confluence.add_page(key, f"Page {n}", body, author_id=author)
        elif kind < 8:
            confluence.edit(old[n % len(old)], f"<p>edit {n}</p>", by=author, message=f"edit {n}")
        elif kind < 9:
            confluence.add_blogpost(key, f"Post {n}", "<p>post</p>", author_id=author)
        else:
            page = old[n % len(old)]
            confluence.add_footer_comment(page_id=page, body=f"<p>c{n}</p>", author_id=author)
    confluence.thaw()
    for n in range(subscriptions):
        slack.add_channel(f"C{n:05d}", f"c{n:05d}")

    def figures() -> dict[str, Any]:
        by_kind = Counter(_kind(r.path) for r in confluence.requests)
        return {
            "confluence calls": len(confluence.requests),
            "confluence by kind": dict(by_kind),
            "chat.postMessage": len(slack.calls_to("chat.postMessage")),
            "chat.update": len(slack.calls_to("chat.update")),
            "history": len(slack.calls_to("conversations.history"))
            + len(slack.calls_to("conversations.replies")),
        }

    info = {"api_key": confluence.api_key, "bot_token": slack.bot_token}
    info["space_ids"] = dict(confluence.space_ids_by_key)
    return {"slack": slack.app, "confluence": confluence.app}, info, figures


def _kind(path: str) -> str:
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    return {"current": "user/current", "systemInfo": "systemInfo"}.get(tail, tail)


async def seed(store: Store, info: dict[str, Any], subscriptions: int, prefix: str) -> None:
    keys = sorted(info["space_ids"])
    rows = [
        NewNotifySubscription(
            "T1",
            f"{prefix}{n:05d}",
            keys[n % len(keys)],
            info["space_ids"][keys[n % len(keys)]],
            f"U{(n // len(keys)) % OWNERS}",  # each owner follows every space
        )
        for n in range(subscriptions)
    ]
    await store.notify.add(rows, now=datetime.now(UTC) - timedelta(days=1))


def service(store: Store, client: ConfluenceClient, poster: Any) -> NotifyService:
    identities = FixedIdentities({f"U{n}": f"conn-{n}" for n in range(OWNERS)})
    return NotifyService(
        store, ConfluenceActivity(client), poster, identities, interval=INTERVAL, concurrency=64
    )


def delta(after: dict[str, Any], before: dict[str, Any], key: str) -> int:
    return int(after[key]) - int(before[key])


def duplicates(poster: RecordingPoster) -> tuple[int, int]:
    """(messages, deliveries carried by more than one message)."""
    names = Counter(
        (m.channel, str(name))
        for m in poster.messages
        for name in m.metadata["event_payload"]["claims"]
    )
    return len(poster.messages), sum(n - 1 for n in names.values() if n > 1)


async def slack_round(
    args: argparse.Namespace, served: Any, tmp: str, client: ConfluenceClient, start: datetime
) -> dict[str, Any]:
    """Phase 1: a round against the Slack fake, then the round after it."""
    store, cleanup = await open_store(args.database_url, tmp)
    await seed(store, served.info, args.subscriptions, "C")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=served.info["bot_token"],
        slack_api_url=served.urls["slack"] + "/api/",
    )
    session = slack_session()
    notify = service(
        store,
        client,
        SlackNotifyPoster(web_client(settings, session=session), pacer=ChannelPacer(0)),
    )
    transactions = Transactions(store)
    before = served.stats()
    began, cpu_began = time.perf_counter(), time.process_time()
    report = await notify.tick(start + timedelta(seconds=5))
    figures: dict[str, Any] = {
        "seconds": time.perf_counter() - began,
        "cpu": time.process_time() - cpu_began,
        "transactions": transactions.count,
        "report": report,
    }
    after = served.stats()
    began = time.perf_counter()
    figures["second"] = await notify.tick(start + timedelta(seconds=5) + INTERVAL)  # next round
    figures["second seconds"] = time.perf_counter() - began
    figures["second calls"] = delta(served.stats(), after, "confluence calls")
    figures["calls"] = delta(after, before, "confluence calls")
    figures["by kind"] = {
        k: n - before["confluence by kind"].get(k, 0)
        for k, n in after["confluence by kind"].items()
        if n > before["confluence by kind"].get(k, 0)
    }
    for key in ("chat.postMessage", "chat.update", "history"):
        figures[key] = delta(after, before, key)
    figures["dialect"] = store.dialect
    await store.close()
    await cleanup()
    await session.close()
    return figures


async def quiet_rounds(
    args: argparse.Namespace, served: Any, tmp: str, client: ConfluenceClient, start: datetime
) -> dict[str, Any]:
    """Phases 2 and 3, Slack answered in process: one round alone (the bot's own time), then
    two replicas on one fresh database in overlapping rounds."""
    figures: dict[str, Any] = {}
    for phase in ("alone", "replicas"):
        (Path(tmp) / phase).mkdir()
        store, cleanup = await open_store(args.database_url, f"{tmp}/{phase}")
        await seed(store, served.info, args.subscriptions, "R")
        poster = RecordingPoster()
        now = start + timedelta(seconds=5)
        began, cpu_began = time.perf_counter(), time.process_time()
        if phase == "alone":
            profile = cProfile.Profile() if args.profile else None
            if profile is not None:
                profile.enable()
            await service(store, client, poster).tick(now)
            if profile is not None:
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
        else:
            one, two = service(store, client, poster), service(store, client, poster)
            await asyncio.gather(one.tick(now), two.tick(now + INTERVAL))
        figures[phase] = (time.perf_counter() - began, time.process_time() - cpu_began)
        figures[f"{phase} posted"] = duplicates(poster)
        await store.close()
        await cleanup()
    return figures


async def main(args: argparse.Namespace) -> int:
    configure_logging("WARNING")
    start = datetime.now(UTC)
    with (
        tempfile.TemporaryDirectory() as tmp,
        served_in_child(fakes, args.subscriptions, args.spaces, args.changes, start) as served,
    ):
        client = ConfluenceClient(
            GatewayAuth(
                api_key=SecretStr(served.info["api_key"]),
                api_url=served.urls["confluence"],
                ctrl_url=served.urls["confluence"],
            ),
            requests_per_second=1e9,
        )
        await client.site()  # discovery is a start-up cost, not a round's
        quiet = await quiet_rounds(args, served, tmp, client, start)
        loud = await slack_round(args, served, tmp, client, start)
        await client.aclose()

    report = loud["report"]
    print(
        f"subscriptions={args.subscriptions} spaces={args.spaces} changes={args.changes} "
        f"groups={report.groups} database: {loud['dialect']}"
    )
    print(f"Confluence calls per round: {loud['calls']} {loud['by kind']}")
    print(
        f"  goal <= 2 per group plus paging: {report.groups} groups, "
        f"{loud['by kind'].get('search', 0)} searches (250 hits a page)"
    )
    print(
        f"Slack calls: chat.postMessage={loud['chat.postMessage']} "
        f"chat.update={loud['chat.update']} history={loud['history']}"
    )
    print(f"events matched: {report.events}, posted: {report.posted}")
    print(
        f"tick with the Slack fake: {loud['seconds']:.2f} s wall, {loud['cpu']:.2f} CPU s, "
        f"{loud['transactions']} db transactions (Slack pacing off)"
    )
    alone_wall, alone_cpu = quiet["alone"]
    print(
        f"tick with Slack answered in process: {alone_wall:.2f} s wall, {alone_cpu:.2f} CPU s "
        f"(goal < {GOAL_SECONDS:.0f} s)"
    )
    second = loud["second"]
    print(
        f"second round: {loud['second seconds']:.2f} s, posted={second.posted}, "
        f"Confluence calls={loud['second calls']}"
    )
    messages, dupes = quiet["replicas posted"]
    print(f"replicas: {messages} messages from two services in overlapping rounds")
    print(f"duplicates: {dupes}")
    ok = (
        alone_wall < GOAL_SECONDS
        and dupes == 0
        and messages == report.events
        and second.posted == 0
        and report.posted == report.events
    )
    print("goal met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--spaces", type=int, default=50)
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="print the quiet round's N top functions",
    )
    sys.exit(asyncio.run(main(parser.parse_args())))
