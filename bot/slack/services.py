"""What listeners need, bundled; built by bot.bootstrap."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp

from bot.background import BackgroundTasks
from bot.config import Settings
from bot.confluence import (
    AuthError,
    ConfluenceClient,
    ConfluenceError,
    ExpiredGrant,
    NoConnection,
    NotFound,
)
from bot.metrics import Metrics
from bot.slack.error_messages import user_message
from bot.slack.identity import (
    RECONNECT,
    Decision,
    IdentityRequired,
    NotConnected,
    Own,
    Shared,
    attribution,
    decide,
    store_team,
)
from bot.store import Store, UserConnection

log = logging.getLogger("bot.slack")


@dataclass
class Services:
    settings: Settings
    confluence: ConfluenceClient
    store: Store
    background: BackgroundTasks  # work started after a Slack ack (not Confluence's tasks)
    metrics: Metrics
    # The one aiohttp session of every Slack Web API client (bot.slack.web_session).
    slack_session: aiohttp.ClientSession

    async def identity_for(self, team_id: str | None, user_id: str | None) -> Decision:
        """Own or Shared, per the policy in bot.slack.identity; raises IdentityRequired.

        Reads the store only: nothing reaches Confluence before the user is allowed to act.
        """
        if self.confluence.is_direct:
            return Shared()
        required = self.settings.confluence_user_auth == "required"
        if user_id is None:
            if required:
                raise NotConnected(team_id, user_id)
            return Shared()
        link = await self.store.connections.get(store_team(team_id), user_id)
        return decide(
            direct=False,
            user_auth=self.settings.confluence_user_auth,
            team_id=team_id,
            user_id=user_id,
            link=link,
        )

    async def confluence_for(self, team_id: str | None, user_id: str | None) -> ConfluenceClient:
        """The client to act for this Slack user (their own Maton connection, or the shared one).

        Raises IdentityRequired when the user must connect or reconnect first.
        """
        decision = await self.identity_for(team_id, user_id)
        if isinstance(decision, Own):
            return self.confluence.using(decision.connection_id)
        return self.confluence

    async def attribution_for(
        self, team_id: str | None, user_id: str | None, user_name: str
    ) -> str | None:
        """The line added to what a user writes through a shared identity (None: they act as themselves)."""
        try:
            decision: Decision = await self.identity_for(team_id, user_id)
        except IdentityRequired:
            decision = Shared()
        return attribution(decision, user_name)

    async def on_confluence_error(
        self,
        exc: ConfluenceError | IdentityRequired,
        team_id: str | None,
        user_id: str | None,
        *,
        action: str,
    ) -> str:
        """Log one line with context and return the sentence to show that user (privately):
        for Confluence's refusals, and for ours (IdentityRequired: connect first).

        A failure of the user's own connection marks it stale and asks them to reconnect.
        """
        if isinstance(exc, IdentityRequired):
            log.info(
                "confluence refused action=%s team=%s user=%s reason=%s",
                action,
                team_id,
                user_id,
                type(exc).__name__,
            )
            return exc.user_text
        log.warning(
            "confluence error action=%s team=%s user=%s error=%s", action, team_id, user_id, exc
        )
        if (
            user_id
            and self.confluence.via_gateway
            and isinstance(exc, AuthError | ExpiredGrant | NoConnection)
        ):
            link = await self.store.connections.get(store_team(team_id), user_id)
            if link is not None and link.status == "active" and await self._broken(link, exc):
                await self.store.connections.mark_stale(
                    store_team(team_id), user_id, connection_id=link.connection_id
                )
                log.warning(
                    "user connection marked stale team=%s user=%s connection=%s",
                    team_id,
                    user_id,
                    link.connection_id,
                )
                return RECONNECT
        return user_message(exc)

    async def _broken(self, link: UserConnection, exc: ConfluenceError) -> bool:
        """Whether an auth failure seen while acting as `link` means that connection is dead.

        A 401 can also mean the app's Maton API key is wrong (everyone's problem, not this
        user's): the control API, which needs only the key, tells the two apart.
        """
        if not isinstance(exc, AuthError):
            return True  # expired grant, or the gateway no longer has the connection
        try:
            await self.confluence.connections.get(link.connection_id)
        except NotFound:
            return True
        except ConfluenceError as check:
            log.warning("connection check failed connection=%s error=%s", link.connection_id, check)
            return False
        # The key works, so the refusal was this grant's: Maton may still list it as ACTIVE
        # while Atlassian has revoked it.
        return True

    async def aclose(self, *, drain_timeout: float = 10.0) -> None:
        try:
            await self.background.drain(drain_timeout)
            await self.confluence.aclose()
            await self.store.close()
        finally:
            await self.slack_session.close()
