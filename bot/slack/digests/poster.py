"""The digest's DigestPoster port on Slack, and the words that tell an owner their digest paused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import AccessLost, ChannelGone, ChannelPacer, DeliveryMark, PauseReason
from bot.digest.compose import DigestMessage
from bot.slack.delivery import CHANNEL_GONE_WHY, SlackMessenger

__all__ = ["SlackDigestPoster", "pause_notice"]


class SlackDigestPoster:
    """Posts digests with their mark, finds them again, and DMs owners of paused digests."""

    def __init__(self, client: AsyncWebClient, *, pacer: ChannelPacer | None = None) -> None:
        self._slack = SlackMessenger(client, pacer=pacer)

    async def post(self, channel_id: str, message: DigestMessage, mark: DeliveryMark) -> str:
        return await self._slack.post(
            channel_id, text=message.text, blocks=message.blocks, mark=mark
        )

    async def find_posted(
        self, channel_id: str, mark: DeliveryMark, since: datetime, *, thread_ts: str | None = None
    ) -> str | None:
        return await self._slack.find_posted(channel_id, mark, since, thread_ts=thread_ts)

    async def notify_paused(
        self, creator: str, reason: PauseReason, space_keys: Sequence[str], channel_id: str
    ) -> None:
        await self._slack.direct_message(creator, pause_notice(reason, space_keys, channel_id))


def pause_notice(reason: PauseReason, space_keys: Sequence[str], channel_id: str) -> str:
    """Why the digest of these spaces to this channel stopped, and how to resume it."""
    keys = ",".join(space_keys)
    paused = f":pause_button: I paused the Confluence digest of {keys} for <#{channel_id}> because"
    if isinstance(reason, ChannelGone):
        why = CHANNEL_GONE_WHY.get(reason.code, f"Slack refused the post ({reason.code})")
        return (
            f"{paused} {why}. To resume, invite me to the channel and run "
            f"`/confluence digest subscribe {keys}` there again."
        )
    if isinstance(reason, AccessLost):
        return (
            f"{paused} your Confluence connection no longer works. Run `/confluence connect`, "
            f"then `/confluence digest subscribe {keys}` in that channel to resume."
        )
    return (
        f"{paused} the space no longer exists (or you can no longer see it). "
        f"Run `/confluence digest unsubscribe {keys}` in that channel to remove it."
    )
