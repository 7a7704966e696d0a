"""The client-side limiter keeps to the rate without serialising concurrent requests."""

from __future__ import annotations

import asyncio

from bot.confluence.limiter import RateLimiter
from tests.confluence.conftest import FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence


async def test_burst_then_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)
    start = clock.now
    for _ in range(30):
        await limiter.acquire()
    # 10 immediately (the burst), then 20 more at 10/s.
    assert abs((clock.now - start) - 2.0) < 1e-6


class FrozenClock(FakeClock):
    """Time stands still while tasks sleep, so every waiter's computed wait is visible."""

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)


async def test_concurrent_acquires_wait_in_parallel_not_in_series() -> None:
    clock = FrozenClock()
    limiter = RateLimiter(10, clock=clock)
    await asyncio.gather(*(limiter.acquire() for _ in range(25)))
    waits = sorted(clock.sleeps)
    # Each waiter computed its own slot at once: 15 waits of 0.1, 0.2 ... 1.5 s, not a queue.
    assert len(waits) == 15
    assert abs(waits[-1] - 1.5) < 1e-6
    assert abs(waits[0] - 0.1) < 1e-6


async def test_client_requests_go_through_the_limiter(fake: FakeConfluence) -> None:
    clock = FakeClock()
    fake.add_space("ENG", "Engineering")
    async with gateway_client(fake, clock, rate=10) as client:
        start = clock.now
        await asyncio.gather(*(client.spaces.list().collect() for _ in range(30)))
    # 30 list calls + 1 discovery = 31 requests at 10/s after a burst of 10: about 2.1 s.
    assert 2.0 <= clock.now - start <= 2.2
