"""Inline form errors while the form waits, else closed."""

from __future__ import annotations

import asyncio

from bot.write.preflight import Preflight


async def test_preflight_inline_in_time_else_closed() -> None:
    early = Preflight()
    early.failed({"title": "taken"})
    assert await early.outcome(0.1) == {"title": "taken"}

    late = Preflight()
    assert await late.outcome(0.01) is None
    assert late.failed({"title": "taken"}) is False  # the job must tell the user itself

    passed = Preflight()
    asyncio.get_running_loop().call_later(0.01, passed.passed)
    assert await passed.outcome(1.0) is None
