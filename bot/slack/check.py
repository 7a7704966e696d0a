"""`confluence-bot check`: one line per dependency, saying what is wrong and how to fix it.

In gateway mode it also asks Maton's connection API (what `connect`, `whoami` and the shared
identity rely on) for the app's Confluence connections, lists them (to pick `MATON_CONNECTION`
from) and says which one acts as the shared identity.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.confluence import AuthError, ConfluenceError, MatonConnection, TransportError
from bot.confluence.auth import GatewayAuth
from bot.confluence.factory import auth_from_settings
from bot.slack.app import web_client
from bot.slack.services import Services

# Whose account each active connection is: one Confluence call each, for at most this many.
MAX_IDENTITY_LOOKUPS = 20


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    # Lines shown under the check (the connections the key can use).
    notes: tuple[str, ...] = ()


async def run_checks(settings: Settings, services: Services) -> list[Check]:
    """Slack, Confluence, (in gateway mode) Maton's connections, and the database, in order."""
    results: list[Check] = [await _slack(settings, services)]
    try:
        me = await services.confluence.users.current()
        site = await services.confluence.site_url()
        results.append(Check("confluence", True, f"acting as {me.name} on {site}"))
    except ConfluenceError as exc:
        results.append(Check("confluence", False, str(exc)))
    auth = auth_from_settings(settings)
    if isinstance(auth, GatewayAuth):
        results.extend(await _maton(settings, services, auth.connections_url))
    results.append(await _store(services))
    return results


async def _slack(settings: Settings, services: Services) -> Check:
    if settings.slack_bot_token is None:
        return Check(
            "slack", False, "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…)"
        )
    try:
        auth = await web_client(settings, session=services.slack_session).auth_test()
        return Check("slack", True, f"bot {auth.get('user')} in workspace {auth.get('team')}")
    except SlackApiError as exc:
        return Check(
            "slack",
            False,
            f"auth.test failed ({exc.response.get('error')}): check SLACK_BOT_TOKEN",
        )
    except Exception as exc:  # network errors: say which, don't crash the other checks
        return Check(
            "slack", False, f"cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__})"
        )


async def _maton(settings: Settings, services: Services, ctrl_url: str) -> list[Check]:
    host = urlsplit(ctrl_url).netloc or ctrl_url
    try:
        connections = await services.confluence.connections.list(app="confluence")
    except AuthError as exc:
        return [
            Check(
                "maton",
                False,
                f"the connection API at {host} refused MATON_API_KEY ({exc.status}): "
                "copy the key again from maton.ai",
            )
        ]
    except TransportError as exc:
        return [
            Check("maton", False, f"cannot reach the connection API at {ctrl_url} ({exc.reason})")
        ]
    except ConfluenceError as exc:
        return [Check("maton", False, f"the connection API at {host} answered: {exc}")]
    who = await _identities(services, connections)
    oldest_first = sorted(connections, key=_created)
    notes = tuple(
        " · ".join(
            part
            for part in (
                c.connection_id,
                (c.status or "?").upper(),
                who.get(c.connection_id, ""),
                f"created {c.creation_time:%Y-%m-%d}" if c.creation_time else "",
            )
            if part
        )
        for c in oldest_first
    )
    count = len(connections)
    plural = "" if count == 1 else "s"
    listing = Check(
        "maton",
        True,
        f"connection API at {host} answered: {count} Confluence connection{plural}",
        notes,
    )
    return [listing, _shared(settings.maton_connection, oldest_first, who)]


def _created(connection: MatonConnection) -> datetime:
    when = connection.creation_time or datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def _identities(services: Services, connections: list[MatonConnection]) -> dict[str, str]:
    """connection id -> the Atlassian account it acts as (active connections only)."""
    active = [c for c in connections if c.active][:MAX_IDENTITY_LOOKUPS]

    async def one(connection: MatonConnection) -> str:
        try:
            me = await services.confluence.using(connection.connection_id).users.current()
        except ConfluenceError as exc:
            return f"account unknown ({type(exc).__name__})"
        return me.name

    names = await asyncio.gather(*(one(c) for c in active))
    return {c.connection_id: name for c, name in zip(active, names, strict=True)}


def _shared(pin: str | None, oldest_first: list[MatonConnection], who: dict[str, str]) -> Check:
    name = "shared connection"
    active = [c for c in oldest_first if c.active]
    if pin is not None:
        found = next((c for c in oldest_first if c.connection_id == pin), None)
        if found is None:
            return Check(
                name,
                False,
                f"MATON_CONNECTION={pin} is not one of this key's Confluence connections: "
                "set it to an id listed above",
            )
        if not found.active:
            return Check(
                name,
                False,
                f"MATON_CONNECTION={pin} is {(found.status or 'not active').upper()}: finish "
                "connecting it at Maton, or pin an ACTIVE one listed above",
            )
        return Check(name, True, f"MATON_CONNECTION pins {pin} ({who.get(pin, 'ACTIVE')})")
    if not active:
        return Check(
            name,
            False,
            "no active Confluence connection: connect the service account's Atlassian login at "
            "Maton, then set MATON_CONNECTION to its id",
        )
    first = active[0]
    label = f"{first.connection_id} ({who.get(first.connection_id, 'ACTIVE')})"
    if len(active) == 1:
        return Check(
            name,
            True,
            f"MATON_CONNECTION is not set: the gateway uses the only active connection, "
            f"{label}; set MATON_CONNECTION={first.connection_id} to keep it that way",
        )
    return Check(
        name,
        False,
        f"MATON_CONNECTION is not set and there are {len(active)} active connections: the "
        f"gateway uses the oldest, {label}, which may be someone's own; set MATON_CONNECTION "
        "to the service account's id listed above",
    )


async def _store(services: Services) -> Check:
    try:
        await services.store.migrate()
        ok = await services.store.ping()
        detail = f"database {services.store.safe_url}"
        return Check(
            "store", ok, detail if ok else f"{detail} is not reachable: check DATABASE_URL"
        )
    except Exception as exc:
        return Check(
            "store", False, f"cannot open the database ({type(exc).__name__}): check DATABASE_URL"
        )
