"""Per-channel pacing on a fake clock, and the retry backoff."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.delivery import BACKOFF_BASE, BACKOFF_MAX, ChannelPacer, retry_delay
from tests.confluence.conftest import FakeClock


async def test_a_channel_gets_one_message_per_interval() -> None:
    time = FakeClock()
    pacer = ChannelPacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    await pacer.wait("C1")
    await pacer.wait("C1")
    time.now += 0.25
    await pacer.wait("C1")
    assert time.sleeps == [1.0, 0.75]
    time.now += 5
    await pacer.wait("C1")  # a quiet channel does not wait
    assert time.sleeps == [1.0, 0.75]


async def test_channels_do_not_wait_for_each_other() -> None:
    time = FakeClock()
    pacer = ChannelPacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    await asyncio.gather(*(pacer.wait(f"C{n}") for n in range(5)))
    assert time.sleeps == []


async def test_concurrent_posts_to_one_channel_queue_up() -> None:
    time = FakeClock()
    pacer = ChannelPacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    await asyncio.gather(*(pacer.wait("C1") for _ in range(3)))
    assert time.sleeps == [1.0, 1.0]


def test_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    lowest = [retry_delay(n, jitter=lambda a, b: a) for n in range(8)]
    assert lowest[:3] == [BACKOFF_BASE, BACKOFF_BASE * 2, BACKOFF_BASE * 4]
    assert lowest[-1] == BACKOFF_MAX
    highest = retry_delay(0, jitter=lambda a, b: b)
    assert highest == BACKOFF_BASE * 1.2


def test_backoff_honours_retry_after_and_never_overflows() -> None:
    assert retry_delay(0, 600, jitter=lambda a, b: a) == timedelta(seconds=600)
    assert retry_delay(0, 1, jitter=lambda a, b: a) == BACKOFF_BASE
    assert retry_delay(10_000, jitter=lambda a, b: a) == BACKOFF_MAX  # a long-failing delivery
