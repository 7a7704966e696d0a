"""Messages and App Home blocks for account linking (all Block Kit via bot.slack.blocks)."""

from __future__ import annotations

from typing import Any

from bot.slack import blocks
from bot.store import UserConnection

CHECK_ACTION = "identity_check"
CONNECT_ACTION = "identity_connect"
DISCONNECT_ACTION = "identity_disconnect"
OPEN_LINK_ACTION = "identity_open_link"

DONE_LABEL = "Done — check my connection"
TOKENS_NOTE = (
    "You sign in with Atlassian at Maton; this app never sees your password or tokens. "
    "`/confluence disconnect` undoes it."
)
NOT_YET_NOTE = (
    ":hourglass: Not finished yet: sign in and allow access in the browser, "
    f"then click *{DONE_LABEL}* again."
)
DIRECT_MODE = (
    "This app reaches Confluence with a single API token (direct mode), so everyone acts as the "
    "same Confluence account{who}. There is no personal account to connect or disconnect."
)


def who(link: UserConnection) -> str:
    """ "*Ada Lovelace* (ada@example.com)" from what the connection reported."""
    name = blocks.mrkdwn_escape(link.atlassian_name or link.atlassian_account_id or "your account")
    email = f" ({blocks.mrkdwn_escape(link.atlassian_email)})" if link.atlassian_email else ""
    return f"*{name}*{email}"


def site_label(site_url: str | None) -> str:
    if not site_url:
        return "the Confluence site"
    return blocks.link(site_url, site_url.removeprefix("https://"))


def direct_mode_text(email: str | None) -> str:
    return DIRECT_MODE.format(who=f" ({blocks.mrkdwn_escape(email)})" if email else "")


def _authorise_buttons(connection_id: str, url: str | None) -> list[dict[str, Any]]:
    buttons = []
    if url:
        buttons.append(
            blocks.button("Sign in with Atlassian", OPEN_LINK_ACTION, url=url, style="primary")
        )
    buttons.append(blocks.button(DONE_LABEL, CHECK_ACTION, value=connection_id))
    return buttons


def authorise_message(
    connection_id: str, url: str | None, *, reused: bool = False, note: str | None = None
) -> dict[str, Any]:
    """The private message carrying the authorisation link and the Done button."""
    if url:
        lead = (
            "You already started connecting; here is the same link again. "
            if reused
            else "Let me act in Confluence as you: "
        )
        text = f"{lead}open {blocks.link(url, 'this Atlassian sign-in link')} and allow access, then click *{DONE_LABEL}*."
    else:
        text = "Maton did not give me a sign-in link. Try `/confluence connect` again in a minute."
    shown = [blocks.section(note)] if note else []
    shown += [
        blocks.section(text),
        blocks.actions(*_authorise_buttons(connection_id, url)),
        blocks.context(TOKENS_NOTE),
    ]
    return blocks.message(f"{note} {text}" if note else text, shown)


def connected_text(link: UserConnection, site_url: str | None) -> str:
    return (
        f":white_check_mark: Connected. You now act in Confluence as {who(link)} on "
        f"{site_label(site_url)}: searches, previews and pages use your own permissions."
    )


def home_blocks(
    *,
    direct: bool,
    required: bool,
    link: UserConnection | None,
    url: str | None = None,
    direct_email: str | None = None,
) -> list[dict[str, Any]]:
    """App Home: the user's Confluence identity and the buttons that change it."""
    if direct:
        return [blocks.section(direct_mode_text(direct_email))]
    connect = blocks.button("Connect my Atlassian account", CONNECT_ACTION, style="primary")
    disconnect = blocks.button("Disconnect", DISCONNECT_ACTION, style="danger")
    if link is None:
        text = (
            ":link: *Your Confluence account:* not connected. This workspace asks everyone to "
            "act in Confluence as themselves: connect your account to search, preview and write."
            if required
            else ":busts_in_silhouette: *Your Confluence account:* not connected. You act "
            "through the app's shared connection, and what you write is marked "
            "“Posted from Slack by” you. Connect your own account to act as yourself."
        )
        return [blocks.section(text), blocks.actions(connect)]
    if link.status == "active":
        return [
            blocks.section(f":white_check_mark: *Your Confluence account:* {who(link)}."),
            blocks.actions(disconnect),
        ]
    if link.status == "stale":
        return [
            blocks.section(
                ":warning: *Your Confluence account:* the connection stopped working "
                "(revoked or expired). Reconnect to keep acting as yourself."
            ),
            blocks.actions(
                blocks.button("Reconnect", CONNECT_ACTION, style="primary"),
                disconnect,
            ),
        ]
    # pending
    link_text = f"open {blocks.link(url, 'the Atlassian sign-in link')}, " if url else ""
    return [
        blocks.section(
            ":hourglass: *Your Confluence account:* connecting. "
            f"To finish, {link_text}allow access, then click *{DONE_LABEL}*."
        ),
        blocks.actions(
            *_authorise_buttons(link.connection_id, url), blocks.button("Cancel", DISCONNECT_ACTION)
        ),
        blocks.context(TOKENS_NOTE),
    ]
