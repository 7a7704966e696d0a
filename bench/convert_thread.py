"""Benchmark: collect_references + thread_to_storage on a 1,000-message, 50-author thread.

Run: .venv/bin/python bench/convert_thread.py   (goal: < 200 ms, 50 users to resolve)
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any
from zoneinfo import ZoneInfo

from bot.convert import Names, ThreadContext, collect_references, thread_to_storage
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


if __name__ == "__main__":
    main()
