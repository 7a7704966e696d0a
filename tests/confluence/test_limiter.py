"""The client-side limiter keeps to the rate without serialising concurrent requests, and keeps
background requests (pollers) out of interactive ones' way."""

from __future__ import annotations

import asyncio
import itertools
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from bot.confluence.limiter import Lane, RateLimiter
from tests.confluence.conftest import FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence

T = TypeVar("T")


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


# -- lanes ---------------------------------------------------------------------------------------
# Scenarios with many tasks over virtual seconds run on an event loop whose clock jumps to the
# next timer whenever nothing is ready: exact times, no real waiting.


class _Warp(selectors.DefaultSelector):
    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:  # nothing scheduled, nothing ready: only I/O could wake the loop
            ready = super().select(5.0)
            if not ready:
                raise RuntimeError("the scenario is stuck: no timer and no I/O")
            return ready
        self._loop.now += timeout
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.now = 0.0
        super().__init__(_Warp(self))

    def time(self) -> float:
        return self.now


class LoopClock:
    """The limiter's clock on the running loop's (virtual) time."""

    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def in_virtual_time(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(scenario())


async def _saturate(limiter: RateLimiter, lane: Lane, until: float, log: list[float]) -> None:
    """Requests back to back until one is granted at `until` or later; `log` gets the time
    each was granted."""
    loop = asyncio.get_running_loop()
    while True:
        await limiter.acquire(lane)
        log.append(loop.time())
        if loop.time() >= until:
            return


def test_background_throughput_is_the_rate_less_the_reserve() -> None:
    async def scenario() -> list[float]:
        limiter = RateLimiter(10, clock=LoopClock())
        assert (limiter.reserve, limiter.background_rate) == (2.0, 8.0)
        log: list[float] = []
        await asyncio.gather(*(_saturate(limiter, "background", 10.0, log) for _ in range(20)))
        return log

    log = sorted(in_virtual_time(scenario))
    log = [t for t in log if t < 10.0]
    assert len(log) == 80  # 8/s: the first at once, then one every 1/8 s
    assert all(b - a == pytest.approx(0.125) for a, b in itertools.pairwise(log))


async def _interactive_delays(limiter: RateLimiter, every: float, count: int) -> list[float]:
    """A user's requests, one every `every` seconds from 1 s on: how long each waited."""
    loop = asyncio.get_running_loop()
    delays = []
    for n in range(count):
        await asyncio.sleep(max(0.0, 1.0 + n * every - loop.time()))
        asked = loop.time()
        await limiter.acquire()
        delays.append(loop.time() - asked)
    return delays


def _busy_pollers(lane: Lane) -> tuple[list[float], list[float]]:
    async def scenario() -> tuple[list[float], list[float]]:
        limiter = RateLimiter(10, clock=LoopClock())
        log: list[float] = []
        pollers = [_saturate(limiter, lane, 11.0, log) for _ in range(20)]
        *_, delays = await asyncio.gather(*pollers, _interactive_delays(limiter, 0.5, 20))
        return delays, log

    return in_virtual_time(scenario)


def test_an_interactive_request_is_not_delayed_by_a_saturated_background_lane() -> None:
    delays, log = _busy_pollers("background")
    assert max(delays) == 0.0  # 20 requests over 10 s, none waited
    # The pollers kept their 8/s (88 in 11 s): the user's 2/s came out of the reserve.
    assert 84 <= len([t for t in log if t < 11.0]) <= 88
    # Guards the test: the same pollers in the interactive lane make the user wait.
    delays, _ = _busy_pollers("interactive")
    assert min(delays) > 0 and max(delays) > 1.0


def test_no_background_request_while_an_interactive_one_waits() -> None:
    async def scenario() -> tuple[list[float], list[float]]:
        limiter = RateLimiter(10, clock=LoopClock())
        users: list[float] = []
        pollers: list[float] = []
        # 30 interactive workers drain the bucket and keep requests waiting until t=5.
        await asyncio.gather(
            *(_saturate(limiter, "interactive", 5.0, users) for _ in range(30)),
            *(_saturate(limiter, "background", 12.0, pollers) for _ in range(3)),
        )
        return users, pollers

    users, pollers = in_virtual_time(scenario)
    assert len(users) >= 80  # 10 at once, then 10/s
    # Not one background request while a user's was waiting for its token: the first came
    # after the last user's, and a reserve's worth of refill later.
    assert min(pollers) >= max(users) + 0.3 - 1e-9
    assert len(pollers) >= 20  # then the pollers had the bucket


def test_background_leaves_the_reserve_in_the_bucket() -> None:
    async def scenario() -> list[float]:
        limiter = RateLimiter(10, clock=LoopClock())
        for _ in range(8):  # a burst of users: 2 tokens left
            await limiter.acquire()
        loop = asyncio.get_running_loop()
        times = []
        for _ in range(2):
            await limiter.acquire("background")
            times.append(loop.time())
        await limiter.acquire()  # the reserve is there: at once
        times.append(loop.time())
        return times

    first, second, user = in_virtual_time(scenario)
    assert first == pytest.approx(0.1)  # waited until 3 tokens: 2 stay after its own
    assert second == pytest.approx(0.225)  # the lane's pace (1/8 s), the bucket at 2.25 again
    assert user == second


def test_reserve_defaults_and_bounds() -> None:
    assert RateLimiter(10).reserve == 2.0
    assert RateLimiter(5).reserve == 1.0
    assert RateLimiter(1).reserve == 0.0  # background still runs, at the full rate
    assert RateLimiter(10, reserve=0).background_rate == 10
    with pytest.raises(ValueError):
        RateLimiter(10, reserve=10)
    with pytest.raises(ValueError):
        RateLimiter(10, burst=2, reserve=2)


async def test_background_views_take_the_background_lane_and_compose_with_using(
    fake: FakeConfluence,
) -> None:
    fake.add_space("ENG", "Engineering")
    fake.add_connection("conn-2", account_id="acc-2")
    async with gateway_client(fake, FakeClock()) as client:
        views = [
            client.in_background().using("conn-2"),
            client.using("conn-2").in_background(),
        ]
        assert [v.in_background_lane for v in views] == [True, True]
        assert not client.in_background_lane and not client.using("conn-2").in_background_lane
        await client.site()  # discovered as an interactive request
        for view in views:
            await view.spaces.list().collect()
        await client.spaces.list().collect()
        granted = dict(client._http.limiter.granted)
    assert granted == {"interactive": 2, "background": 2}  # discovery + one list; two lists
    space_lists = fake.requests_to("GET", "/wiki/api/v2/spaces$")
    assert [r.connection for r in space_lists] == ["conn-2", "conn-2", None]
