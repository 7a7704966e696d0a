"""Single-workspace authorization: one auth.test (single flight), cached for every request.

Bolt's default single-team middleware calls auth.test on each request until the first answer is
cached, so a cold burst of requests made one auth.test each. This does it once, and `serve`/`run`
call it at startup so a bad token fails fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient


class CachedAuthorization:
    def __init__(self, client: AsyncWebClient, bot_token: str) -> None:
        self._client = client
        self._bot_token = bot_token
        self._result: AuthorizeResult | None = None
        self._lock = asyncio.Lock()

    async def result(self) -> AuthorizeResult:
        if self._result is None:
            async with self._lock:
                if self._result is None:
                    response = await self._client.auth_test(token=self._bot_token)
                    self._result = AuthorizeResult.from_auth_test_response(
                        auth_test_response=response, bot_token=self._bot_token
                    )
        return self._result

    def as_bolt_authorize(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        # Bolt injects arguments by parameter name, so this must be a plain function.
        async def authorize(enterprise_id: Any, team_id: Any, user_id: Any) -> AuthorizeResult:
            return await self.result()

        return authorize
