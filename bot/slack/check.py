"""`confluence-bot check`: one line per dependency, saying what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot.bootstrap import build_services
from bot.config import Settings
from bot.confluence import ConfluenceError
from bot.slack.app import web_client


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


async def run_checks(settings: Settings) -> list[Check]:
    results: list[Check] = []
    if settings.slack_bot_token is None:
        results.append(
            Check(
                "slack", False, "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…)"
            )
        )
    else:
        try:
            auth = await web_client(settings).auth_test()
            results.append(
                Check("slack", True, f"bot {auth.get('user')} in workspace {auth.get('team')}")
            )
        except SlackApiError as exc:
            results.append(
                Check(
                    "slack",
                    False,
                    f"auth.test failed ({exc.response.get('error')}): check SLACK_BOT_TOKEN",
                )
            )
        except Exception as exc:  # network errors: say which, don't crash the other checks
            results.append(
                Check(
                    "slack",
                    False,
                    f"cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__})",
                )
            )
    services = build_services(settings)
    try:
        try:
            me = await services.confluence.users.current()
            site = await services.confluence.site_url()
            results.append(Check("confluence", True, f"acting as {me.name} on {site}"))
        except ConfluenceError as exc:
            results.append(Check("confluence", False, str(exc)))
        try:
            await services.store.migrate()
            ok = await services.store.ping()
            detail = f"database {services.store.safe_url}"
            results.append(
                Check(
                    "store", ok, detail if ok else f"{detail} is not reachable: check DATABASE_URL"
                )
            )
        except Exception as exc:
            results.append(
                Check(
                    "store",
                    False,
                    f"cannot open the database ({type(exc).__name__}): check DATABASE_URL",
                )
            )
    finally:
        await services.aclose()
    return results
