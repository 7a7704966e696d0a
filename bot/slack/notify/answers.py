"""Every word of channel notifications' subscriptions: private answers to `/confluence notify`,
listings, refusals and the DM that tells an owner their subscription paused."""

from __future__ import annotations

from collections.abc import Sequence

from bot.delivery import AccessLost, ChannelGone, PauseReason, SourceGone
from bot.notify import (
    Changed,
    ForeignPage,
    NotifyFilters,
    NotifySubscription,
    NotTheirs,
    PageElsewhere,
    PageNotFound,
    Refusal,
    Resumed,
    Subscribed,
    UnknownSpaces,
    paused_by,
)
from bot.slack.blocks import mrkdwn_escape
from bot.slack.context import CommandContext
from bot.slack.delivery import CHANNEL_GONE_WHY
from bot.slack.error_messages import missing_spaces

__all__ = [
    "CHANNELS_ONLY",
    "changed_text",
    "describe",
    "listing",
    "pause_state",
    "paused_dm",
    "refusal_text",
    "resumed_text",
    "say",
    "subscribed_text",
]

CHANNELS_ONLY = (
    "Notifications go to channels: run this in the channel that should hear about Confluence."
)
_KIND_NAMES = (("page", "pages"), ("blogpost", "blog posts"), ("comment", "comments"))
_CHANNEL_PAUSE = ChannelGone("").stored  # "channel: " + Slack's error code


async def say(ctx: CommandContext, text: str) -> None:
    await ctx.respond(response_type="ephemeral", replace_original=False, text=text)


def _keys(keys: Sequence[str]) -> str:
    return ", ".join(f"*{mrkdwn_escape(key)}*" for key in keys)


def describe(filters: NotifyFilters, under_title: str | None = None) -> str:
    """e.g. "pages and comments · label `runbook` · under “Ops” · major edits only"."""
    names = [name for kind, name in _KIND_NAMES if kind in filters.kinds]
    parts = [names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"]
    if filters.label:
        parts.append(f"label `{mrkdwn_escape(filters.label)}`")
    if filters.under_page_id:
        title = under_title or f"page {filters.under_page_id}"
        parts.append(f"under “{mrkdwn_escape(title)}”")
    if filters.edits == "major":
        parts.append("major edits only")
    return " · ".join(parts)


def subscribed_text(outcome: Subscribed, *, own_identity: bool) -> str:
    """`own_identity`: the subscriber reads through their own connection (else the shared one)."""
    first = outcome.rows[0]
    who = (
        "as you see them in Confluence (your own connection)"
        if own_identity
        else "as the app's shared Confluence account sees them"
    )
    keys = [
        s.space_key + (" (updated)" if s.space_key in outcome.replaced else "")
        for s in outcome.rows
    ]
    text = (
        f":bell: This channel now hears about {describe(first.filters, first.under_title)} "
        f"in {_keys(keys)}, {who}. "
        "`/confluence notify list` shows them; `/confluence notify pause` stops them for a while."
    )
    if outcome.label_unused and first.filters.label:
        text += (
            f"\n:grey_question: Nothing there carries the label `{mrkdwn_escape(first.filters.label)}`"
            " yet — if that's a typo, subscribe again with the right one."
        )
    return text


def refusal_text(refusal: Refusal, *, linked_members_may: bool) -> str:
    """A private answer naming what is wrong (nothing was saved)."""
    if isinstance(refusal, UnknownSpaces):
        return missing_spaces(refusal.keys) + " Nothing was subscribed."
    if isinstance(refusal, ForeignPage):
        return (
            f":no_entry: That `under:` page is on {mrkdwn_escape(refusal.link_host)}, but I'm "
            f"connected to {mrkdwn_escape(refusal.site_host)}: give a page of that site. "
            "Nothing was subscribed."
        )
    if isinstance(refusal, PageNotFound):
        return (
            f":mag: There's no page {mrkdwn_escape(refusal.page_id)}, or you can't see it: "
            "check the `under:` link or id. Nothing was subscribed."
        )
    if isinstance(refusal, PageElsewhere):
        return (
            f":no_entry: The page “{mrkdwn_escape(refusal.page.title)}” isn't in "
            f"{_keys([refusal.space_key])}: `under:` takes a page of the space you subscribe to. "
            "Nothing was subscribed."
        )
    return not_theirs_text(refusal, linked_members_may=linked_members_may)


def not_theirs_text(refusal: NotTheirs, *, linked_members_may: bool) -> str:
    subs = refusal.subscriptions
    owners = ", ".join(sorted({f"<@{s.created_by}>" for s in subs}))
    linked = (
        ", or a member who connected their own Confluence account (`/confluence connect`)"
        if linked_members_may
        else ""
    )
    return (
        f":no_entry: {owners} set up this channel's notifications of "
        f"{_keys([s.space_key for s in subs])}. Only they, a workspace admin{linked} can "
        "change, pause or remove them."
    )


def pause_state(reason: str | None) -> str:
    """How a listing shows a subscription's state."""
    if reason is None:
        return "active"
    who = paused_by(reason)
    if who is not None:
        return f":pause_button: paused by <@{who}>"
    if reason == SourceGone().stored:
        return ":pause_button: paused: the space was deleted, or its owner can no longer see it"
    if reason == AccessLost().stored:
        return ":pause_button: paused: its owner's Confluence connection stopped working"
    if reason.startswith(_CHANNEL_PAUSE):
        code = reason.removeprefix(_CHANNEL_PAUSE)
        return f":pause_button: paused: {CHANNEL_GONE_WHY.get(code, mrkdwn_escape(reason))}"
    return f":pause_button: paused ({mrkdwn_escape(reason)})"


def listing(subs: Sequence[NotifySubscription]) -> str:
    if not subs:
        return (
            "This channel has no Confluence notifications. "
            "Subscribe with `/confluence notify subscribe ENG`."
        )
    lines = ["*Confluence notifications in this channel*"]
    for sub in subs:
        lines.append(
            f"• *{mrkdwn_escape(sub.space_key)}* — {describe(sub.filters, sub.under_title)} · "
            f"{pause_state(sub.paused_reason)} · set up by <@{sub.created_by}>"
        )
    return "\n".join(lines)


def changed_text(verb: str, changed: Changed, *, all_spaces: bool, linked_members_may: bool) -> str:
    """The answer to unsubscribe ("Unsubscribed") or pause ("Paused")."""
    parts = []
    done = [s.space_key for s in changed.done]
    if done:
        what = "from" if verb == "Unsubscribed" else "notifications of"
        parts.append(f":white_check_mark: {verb} this channel {what} {_keys(done)}.")
    if changed.unchanged:
        parts.append(f"{_keys([s.space_key for s in changed.unchanged])} were already paused.")
    if changed.refused:
        refused = not_theirs_text(NotTheirs(changed.refused), linked_members_may=linked_members_may)
        parts.append(refused + (" Nothing was removed." if all_spaces and not done else ""))
    if changed.unknown:
        parts.append(f"This channel doesn't follow {_keys(changed.unknown)}.")
    if not parts:
        parts.append("This channel has no Confluence notifications.")
    return " ".join(parts)


def resumed_text(resumed: Resumed, *, linked_members_may: bool) -> str:
    changed = resumed.changed
    parts = []
    if changed.done:
        parts.append(f":arrow_forward: Resumed {_keys([s.space_key for s in changed.done])}.")
    if changed.unchanged:
        parts.append(f"{_keys([s.space_key for s in changed.unchanged])} weren't paused.")
    if resumed.gone:
        keys = [s.space_key for s in resumed.gone]
        parts.append(
            f":mag: {_keys(keys)} stay paused: the space is gone, or whoever set it up can no "
            "longer see it (a space created again under the same key is a new space: "
            "subscribe to it again)."
        )
    if resumed.owner_unavailable:
        owners = ", ".join(sorted({f"<@{s.created_by}>" for s in resumed.owner_unavailable}))
        keys = [s.space_key for s in resumed.owner_unavailable]
        parts.append(
            f":link: {_keys(keys)} stay paused: {owners} must connect to Confluence again "
            "(`/confluence connect`), or someone else subscribes to take them over."
        )
    if changed.refused:
        parts.append(
            not_theirs_text(NotTheirs(changed.refused), linked_members_may=linked_members_may)
        )
    if changed.unknown:
        parts.append(f"This channel doesn't follow {_keys(changed.unknown)}.")
    return " ".join(parts) or "This channel has no Confluence notifications."


def paused_dm(reason: PauseReason, labels: Sequence[str], channel_id: str) -> str:
    """The DM to a subscription's owner: why notifications of these spaces (`labels`) to this
    channel stopped, and how to resume them."""
    keys = ",".join(labels)
    paused = (
        f":pause_button: I paused the Confluence notifications of {keys} for <#{channel_id}> "
        "because"
    )
    resume = f"`/confluence notify resume {keys}`"
    if isinstance(reason, ChannelGone):
        why = CHANNEL_GONE_WHY.get(reason.code, f"Slack refused the post ({reason.code})")
        return f"{paused} {why}. To resume, invite me to the channel and run {resume} there."
    if isinstance(reason, AccessLost):
        return (
            f"{paused} your Confluence connection no longer works. Run `/confluence connect`, "
            f"then {resume} in that channel."
        )
    return (
        f"{paused} the space no longer exists (or you can no longer see it). If it comes back, "
        f"run {resume} in that channel; otherwise `/confluence notify unsubscribe {keys}` "
        "removes it."
    )
