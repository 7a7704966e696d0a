"""Linking a Slack user to their own Atlassian account through a Maton connection.

The app only ever holds the Maton connection id: Atlassian tokens stay at Maton.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from bot.confluence import ConfluenceError, NotFound
from bot.slack.identity import store_team
from bot.slack.notify.subscriptions import notify_service
from bot.slack.personal.build import personal_service
from bot.slack.services import Services
from bot.store import UserConnection

log = logging.getLogger("bot.slack.identity")

MATON_APP = "confluence"
# Pauses before each look at a pending connection when the user clicks "Done": a few seconds in
# all, then "not finished yet" (the user clicks again rather than the bot polling forever).
CHECK_DELAYS: tuple[float, ...] = (0.0, 1.0, 2.0)
# Starting a connection is two Maton calls; a second start for the same user waits for the first
# (up to START_LOCK_POLLS x START_LOCK_POLL_SECONDS), and a crashed one holds the lock at most
# START_LOCK_SECONDS.
START_LOCK_SECONDS = 30.0
START_LOCK_POLLS = 50
START_LOCK_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Authorise:
    """The user must open `url` and sign in with Atlassian."""

    connection_id: str
    url: str | None
    reused: bool


@dataclass(frozen=True)
class Connected:
    link: UserConnection


@dataclass(frozen=True)
class NotYet:
    """Maton has not seen the authorisation yet."""

    connection_id: str
    url: str | None


@dataclass(frozen=True)
class Outdated:
    """The button belongs to a connection the user no longer has (disconnected or replaced)."""


async def start(services: Services, team_id: str | None, user_id: str) -> Authorise | Connected:
    """Begin (or resume) connecting: a pending connection's link is reused, never duplicated.

    Runs one at a time per user (across processes), so a double-clicked Connect button or two
    `/confluence connect` in a row create one Maton connection: the second waits, then finds
    the first one's pending connection and gives the same link.
    """
    lock = f"connect:{store_team(team_id)}:{user_id}"
    locked = False
    for _ in range(START_LOCK_POLLS):
        locked = await services.store.claim_once(lock, START_LOCK_SECONDS)
        if locked:
            break
        await asyncio.sleep(START_LOCK_POLL_SECONDS)
    else:
        log.warning("connect: another start still running for user=%s; going ahead", user_id)
    try:
        return await _start(services, team_id, user_id)
    finally:
        if locked:
            await services.store.release(lock)


async def _start(services: Services, team_id: str | None, user_id: str) -> Authorise | Connected:
    team = store_team(team_id)
    link = await services.store.connections.get(team, user_id)
    maton = services.confluence.connections
    if link is not None and link.status == "active":
        return Connected(link)
    if link is not None and link.status == "pending":
        try:
            existing = await maton.get(link.connection_id)
        except NotFound:
            existing = None  # deleted at Maton meanwhile: start over below
        if existing is not None:
            if existing.active:
                return await activate(services, team_id, user_id, link.connection_id)
            return Authorise(link.connection_id, existing.url, reused=True)
    if link is not None and link.status == "stale":
        await _forget_at_maton(services, link.connection_id)
    created = await maton.create(MATON_APP)
    await services.store.connections.put(
        team_id=team, slack_user_id=user_id, connection_id=created.connection_id, status="pending"
    )
    log.info(
        "connection started team=%s user=%s connection=%s", team_id, user_id, created.connection_id
    )
    if services.settings.maton_connection is None:
        # Without MATON_CONNECTION the gateway's shared identity is its oldest active connection,
        # which may be a user's own; see the README's security section.
        log.warning("per-user connections in use but MATON_CONNECTION is unset")
    return Authorise(created.connection_id, created.url, reused=False)


async def check(
    services: Services, team_id: str | None, user_id: str, connection_id: str | None
) -> Connected | NotYet | Outdated:
    """After "Done": wait briefly for Maton to report ACTIVE, then confirm who the user is."""
    link = await services.store.connections.get(store_team(team_id), user_id)
    if link is None or (connection_id and link.connection_id != connection_id):
        return Outdated()
    if link.status == "active":
        return Connected(link)
    if link.status == "stale":
        return Outdated()
    url: str | None = None
    for delay in CHECK_DELAYS:
        if delay:
            await asyncio.sleep(delay)
        try:
            found = await services.confluence.connections.get(link.connection_id)
        except NotFound:
            return Outdated()
        url = found.url
        if found.active:
            return await activate(services, team_id, user_id, link.connection_id)
    return NotYet(link.connection_id, url)


async def recheck(
    services: Services, team_id: str | None, user_id: str, link: UserConnection
) -> UserConnection:
    """A pending link looked at once more at Maton, as the Done button does (without its
    pauses): activated if the user has authorised meanwhile, else returned unchanged."""
    if link.status != "pending":
        return link
    try:
        found = await services.confluence.connections.get(link.connection_id)
        if found.active:
            return (await activate(services, team_id, user_id, link.connection_id)).link
    except ConfluenceError as exc:  # NotFound too: whoami then says it is unfinished
        log.warning(
            "pending connection check failed user=%s connection=%s error=%s",
            user_id,
            link.connection_id,
            exc,
        )
    return link


async def activate(
    services: Services, team_id: str | None, user_id: str, connection_id: str
) -> Connected:
    """Ask Confluence who this connection is, and record the user as linked to it."""
    me = await services.confluence.using(connection_id).users.current()
    link = await services.store.connections.put(
        team_id=store_team(team_id),
        slack_user_id=user_id,
        connection_id=connection_id,
        status="active",
        atlassian_account_id=me.account_id,
        atlassian_name=me.name,
        atlassian_email=me.email,
    )
    log.info(
        "connection active team=%s user=%s connection=%s account=%s",
        team_id,
        user_id,
        connection_id,
        me.account_id,
    )
    return Connected(link)


async def disconnect(
    services: Services, team_id: str | None, user_id: str
) -> UserConnection | None:
    """Delete the user's Maton connection, their personal state (bot.personal's `forget`), the
    channel notifications they set up (read as them: bot.notify's `forget`), then the mapping.
    None: there was no connection to delete (personal state left over is deleted
    all the same).

    If Maton cannot delete it (ConfluenceError), everything stays so the user can try again.
    """
    team = store_team(team_id)
    link = await services.store.connections.get(team, user_id)
    if link is not None:
        with contextlib.suppress(NotFound):  # already gone at Maton
            await services.confluence.connections.delete(link.connection_id)
    await personal_service(services).forget(team_id, user_id)
    if link is None:
        return None
    # Only with a link: without one, their subscriptions read through the shared connection.
    await notify_service(services).forget(team, user_id)
    await services.store.connections.delete(team, user_id)
    log.info(
        "connection removed team=%s user=%s connection=%s", team_id, user_id, link.connection_id
    )
    return link


async def _forget_at_maton(services: Services, connection_id: str) -> None:
    try:
        await services.confluence.connections.delete(connection_id)
    except ConfluenceError as exc:  # it is dead anyway; a new one replaces it
        log.warning("could not delete stale connection=%s error=%s", connection_id, exc)
