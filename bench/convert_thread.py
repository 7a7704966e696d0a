"""Benchmark: collect_references + thread_to_storage on a 1,000-message, 50-author thread, then
the same thread saved end to end (signed view submission -> conversations.replies -> users.info ->
storage -> Confluence) against the Slack and Confluence fakes served on loopback sockets.

Also converts one paragraph of 40,000 inline elements and one 200,000-character mrkdwn text,
where conversion must stay linear in the number of inline pieces.

Run: .venv/bin/python bench/convert_thread.py
Goals: conversion < 200 ms, 50 users to resolve, end-to-end save < 5 s with 50 users.info calls;
the 40k-element paragraph and the 200k-character text each well under a second.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.convert import (
    Names,
    ThreadContext,
    collect_references,
    message_to_storage,
    mrkdwn_to_storage,
    thread_to_storage,
)
from bot.convert.mrkdwn import _parse_cached

AUTHORS = [f"U{n:04d}" for n in range(50)]


def _rich(rng: random.Random, i: int) -> list[dict[str, Any]]:
    mention = {"type": "user", "user_id": rng.choice(AUTHORS)}
    section = {
        "type": "rich_text_section",
        "elements": [
            {"type": "text", "text": f"Message {i} with "},
            {"type": "text", "text": "bold", "style": {"bold": True}},
            {"type": "text", "text": " and "},
            {"type": "link", "url": f"https://example.com/{i}", "text": "a link"},
            {"type": "text", "text": " cc "},
            mention,
            {"type": "emoji", "name": rng.choice(["tada", "thumbsup", "custom_logo"])},
            {"type": "channel", "channel_id": "C0001"},
        ],
    }
    bullets = {
        "type": "rich_text_list",
        "style": "bullet",
        "indent": 0,
        "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": f"item {k}"}]}
            for k in range(3)
        ],
    }
    code = {
        "type": "rich_text_preformatted",
        "elements": [{"type": "text", "text": "print('hi')  # ]]> inside\n" * 3}],
    }
    return [{"type": "rich_text", "elements": [section, bullets, code]}]


def build_thread(n: int = 1000, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    messages: list[dict[str, Any]] = []
    for i in range(n):
        message: dict[str, Any] = {
            "type": "message",
            "user": AUTHORS[i % len(AUTHORS)],
            "ts": f"{1_700_000_000 + i * 60}.{i:06d}",
        }
        if i % 3 == 0:  # legacy/bot style: mrkdwn text only
            message["text"] = f"*mrkdwn* {i} <@{rng.choice(AUTHORS)}> `code` &amp; <https://e.x|x>"
        else:
            message["blocks"] = _rich(rng, i)
            message["text"] = "fallback"
        if i % 10 == 0:
            message["edited"] = {"user": message["user"], "ts": message["ts"]}
        messages.append(message)
    return messages


def run_once(messages: list[dict[str, Any]]) -> tuple[float, float, int, str]:
    _parse_cached.cache_clear()  # no credit for mrkdwn parsed in an earlier round
    start, cpu_start = time.perf_counter(), time.process_time()
    refs = collect_references(messages)
    names = Names(users={u: f"Person {u}" for u in refs.user_ids}, channels={"C0001": "general"})
    ctx = ThreadContext(
        channel_name="general",
        permalink="https://acme.slack.com/archives/C0001/p1700000000000000",
        tz=ZoneInfo("Europe/Berlin"),
        saved_by="Bench",
        names=names,
    )
    storage = thread_to_storage(messages, ctx)
    wall = (time.perf_counter() - start) * 1000
    cpu = (time.process_time() - cpu_start) * 1000
    return wall, cpu, len(refs.user_ids), storage


async def end_to_end(messages: list[dict[str, Any]]) -> None:
    """Save the thread through the signed HTTP endpoint; Slack and Confluence on loopback."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import httpx

    from bot.bootstrap import build_services, build_slack_app
    from bot.config import Settings
    from bot.slack.http_app import create_http_app
    from tests.fakes.confluence_fake import FakeConfluence
    from tests.fakes.server import serve
    from tests.fakes.slack_fake import FakeSlack
    from tests.fakes.slack_signing import interactivity_body, sign

    secret = "bench-signing-secret"
    slack, confluence = FakeSlack(), FakeConfluence()
    for user in AUTHORS:
        slack.add_user(user, user.lower(), real_name=f"Person {user}")
    slack.add_channel("C0001", "general", members=("UBOT", *AUTHORS))
    parent_ts = messages[0]["ts"]
    for i, message in enumerate(messages):
        slack.add_message("C0001", message if i == 0 else {**message, "thread_ts": parent_ts})
    space = confluence.add_space("ENG", "Engineering")

    with (
        serve(slack.app) as slack_url,
        serve(confluence.app) as confluence_url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            maton_api_key=confluence.api_key,
            maton_api_url=confluence_url,
            maton_ctrl_url=confluence_url,
            slack_bot_token=slack.bot_token,
            slack_signing_secret=secret,
            slack_api_url=slack_url + "/api/",
            database_url=f"sqlite:///{tmp}/bench.db",
        )
        services = build_services(settings)
        await services.store.migrate()
        web = create_http_app(
            build_slack_app(settings, services, http_mode=True), services, close_on_shutdown=False
        )
        saver = {"id": AUTHORS[0], "name": "person", "username": "person", "team_id": "T0001"}
        team = {"id": "T0001", "domain": "bench"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web), base_url="http://bot.test"
        ) as http:

            async def post(payload: dict[str, Any]) -> httpx.Response:
                body = interactivity_body(payload)
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    **sign(body, secret),
                }
                return await http.post("/slack/events", content=body, headers=headers)

            start = time.perf_counter()
            await post(
                {
                    "type": "message_action",
                    "team": team,
                    "user": saver,
                    "channel": {"id": "C0001", "name": "general"},
                    "callback_id": "save_thread",
                    "trigger_id": slack.new_trigger_id(),
                    "message_ts": parent_ts,
                    "message": {**messages[0], "thread_ts": parent_ts, "reply_count": 999},
                }
            )
            await services.background.wait_idle()
            view = next(iter(slack.views.values()))
            values = {
                "space": {
                    "space_select": {
                        "type": "external_select",
                        "selected_option": {"value": f"{space['id']}|ENG"},
                    }
                },
                "title": {"title_input": {"type": "plain_text_input", "value": "Bench thread"}},
                "include": {
                    "include_replies": {
                        "type": "checkboxes",
                        "selected_options": [{"value": "replies"}],
                    }
                },
            }
            await post(
                {
                    "type": "view_submission",
                    "team": team,
                    "user": saver,
                    "view": {**view, "state": {"values": values}},
                }
            )
            await services.background.wait_idle()
            elapsed = time.perf_counter() - start
        await services.aclose()
    pages = [
        p for p in confluence.by_kind.get("page", {}).values() if p.data["title"] == "Bench thread"
    ]
    print(
        f"end-to-end save (shortcut -> modal -> submission -> page): {elapsed * 1000:.0f} ms (goal < 5 s)"
    )
    print(
        f"  pages created: {len(pages)}, storage {len(pages[0].storage or '') / 1024:.0f} KiB"
        if pages
        else "  NO PAGE CREATED"
    )
    print(f"  conversations.replies calls: {len(slack.calls_to('conversations.replies'))}")
    print(f"  users.info calls: {len(slack.calls_to('users.info'))} (goal = 50)")
    print(f"  Confluence requests: {len(confluence.requests)}")


def big_paragraph(n: int = 40_000) -> dict[str, Any]:
    """One rich_text_section holding `n` inline elements of every common kind."""
    kinds: list[dict[str, Any]] = [
        {"type": "text", "text": "word "},
        {"type": "text", "text": "bold", "style": {"bold": True}},
        {"type": "link", "url": "https://example.com/a", "text": "link"},
        {"type": "user", "user_id": "U0001"},
        {"type": "emoji", "name": "tada"},
        {"type": "text", "text": " line\nnext "},
    ]
    section = {"type": "rich_text_section", "elements": [kinds[i % len(kinds)] for i in range(n)]}
    blocks = [{"type": "rich_text", "elements": [section]}]
    return {"type": "message", "user": "U0001", "ts": "1700000000.000100", "blocks": blocks}


def big_mrkdwn(size: int = 200_000) -> str:
    """One mrkdwn paragraph (no blank line) of `size` characters: styles, links, mentions."""
    line = "line {i} *bold* <https://example.com/{i}|link> <@U0001> :tada: `code` _it_\n"
    lines = (line.format(i=i) for i in range(size // len(line.format(i=0)) + 1))
    return "".join(lines)[:size]


def timed(label: str, convert: Callable[[], str], rounds: int = 3) -> None:
    walls, cpus = [], []
    for _ in range(rounds):
        _parse_cached.cache_clear()
        start, cpu_start = time.perf_counter(), time.process_time()
        storage = convert()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu_start) * 1000)
    print(
        f"{label}: best {min(walls):.0f} ms (CPU {min(cpus):.0f} ms), "
        f"storage {len(storage) / 1024:.0f} KiB"
    )


def main() -> None:
    messages = build_thread()
    timings, cpu_times = [], []
    for _ in range(5):
        elapsed_ms, cpu_ms, users, storage = run_once(messages)
        timings.append(elapsed_ms)
        cpu_times.append(cpu_ms)
    print(f"messages: {len(messages)}")
    print(
        f"collect_references + thread_to_storage: first {timings[0]:.1f} ms, "
        f"best {min(timings):.1f} ms, median {statistics.median(timings):.1f} ms (goal < 200 ms)"
    )
    print(f"  CPU time (ignores other load on the machine): best {min(cpu_times):.1f} ms")
    print(f"unique users to resolve: {users} (goal = 50)")
    print(f"storage size: {len(storage) / 1024:.0f} KiB")
    paragraph, text = big_paragraph(), big_mrkdwn()
    timed("one paragraph of 40,000 inline elements", lambda: message_to_storage(paragraph, Names()))
    timed(f"one mrkdwn text of {len(text):,} characters", lambda: mrkdwn_to_storage(text))
    asyncio.run(end_to_end(messages))


if __name__ == "__main__":
    main()
