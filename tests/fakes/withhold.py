"""An ASGI wrapper that lets chosen requests reach a fake and then withholds the answer: the window
between a service acting on a request and the client hearing of it, in which crash tests kill
the client."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

# (ASGI scope, request body) -> whether to withhold this request's answer
Matches = Callable[[dict[str, Any], bytes], bool]


class WithholdAnswer:
    """Requests `matches` selects reach `app` (which acts on them); their answers wait until
    `release()`. `reached` is set once one got that far."""

    def __init__(self, app: Any, matches: Matches) -> None:
        self.app = app
        self.matches = matches
        self.reached = threading.Event()
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self._released.is_set():
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break

        async def replay() -> Any:
            return {"type": "http.request", "body": body, "more_body": False}

        if not self.matches(scope, body):
            await self.app(scope, replay, send)
            return
        answer: list[Any] = []

        async def keep(message: Any) -> None:
            answer.append(message)

        await self.app(scope, replay, keep)
        self.reached.set()
        await asyncio.to_thread(self._released.wait)
        try:
            for message in answer:
                await send(message)
        except Exception:  # the client that asked is gone
            return
