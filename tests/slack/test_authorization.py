"""A cold burst of requests makes one auth.test, not one each (Bolt's default would)."""

from __future__ import annotations

import asyncio

from tests.fakes.slack_signing import slash_command_body
from tests.slack.conftest import Harness


async def test_concurrent_first_requests_share_one_auth_test(harness: Harness) -> None:
    bodies = [slash_command_body("help", trigger_id=f"t{i}") for i in range(10)]
    responses = await asyncio.gather(
        *(harness.post(b, "application/x-www-form-urlencoded") for b in bodies)
    )
    assert [r.status_code for r in responses] == [200] * 10
    assert len(harness.slack.calls_to("auth.test")) == 1
