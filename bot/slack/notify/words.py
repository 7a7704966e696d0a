"""The words of the DM that tells an owner their channel notifications paused.

Minimal until i13-subs's ``bot.slack.notify.answers.paused_dm`` lands; then this module goes
and the poster uses that one.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.delivery import AccessLost, ChannelGone, PauseReason

__all__ = ["paused_dm"]

CHANNEL_GONE_WHY = {
    "is_archived": "the channel was archived",
    "not_in_channel": "I was removed from the channel",
    "channel_not_found": "I can no longer see the channel (removed, or it was deleted)",
}


def paused_dm(reason: PauseReason, space_keys: Sequence[str], channel_id: str) -> str:
    keys = ",".join(space_keys)
    paused = (
        f":pause_button: I paused Confluence notifications of {keys} in <#{channel_id}> because"
    )
    if isinstance(reason, ChannelGone):
        why = CHANNEL_GONE_WHY.get(reason.code, f"Slack refused the post ({reason.code})")
        return (
            f"{paused} {why}. To resume, invite me to the channel and run "
            f"`/confluence notify resume` there."
        )
    if isinstance(reason, AccessLost):
        return (
            f"{paused} your Confluence connection no longer works. Run `/confluence connect`, "
            f"then `/confluence notify resume` in that channel."
        )
    return (
        f"{paused} the space no longer exists (or you can no longer see it). "
        f"Run `/confluence notify unsubscribe {keys}` in that channel to remove it."
    )
