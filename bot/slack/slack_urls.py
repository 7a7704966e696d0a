"""Which URLs are Slack's: where the bot token may be sent, and which response_urls we answer.

URLs are read as browsers read them (WHATWG, see `bot.confluence.urls.parse_web_url`): a URL with
a user name or password, or one that only looks like Slack's to a lax parser, is not Slack's.
Slack's own hosts are reached over https on the default port only. The configured Web API
(`SLACK_API_URL`: GovSlack, a proxy, the fake in tests) adds its own origin, exactly.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.confluence.urls import WebUrl, parse_web_url

SLACK_DOMAINS = ("slack.com", "slack-gov.com")
HOOKS_HOST = "hooks.slack.com"


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _secure_default(url: WebUrl) -> bool:
    return url.scheme == "https" and url.port is None


def api_origin(api_url: str) -> str | None:
    parsed = parse_web_url(api_url)
    return parsed.origin if parsed else None


def is_slack_file_url(url: str, extra_origins: Collection[str] = ()) -> bool:
    """Whether the bot token may be sent to `url` (Slack's file hosts, or an allowed origin)."""
    parsed = parse_web_url(url)
    if parsed is None:
        return False
    if parsed.origin in extra_origins:
        return True
    return _secure_default(parsed) and any(_within(parsed.host, d) for d in SLACK_DOMAINS)


def is_slack_response_url(url: str, api_url: str) -> bool:
    """Whether `url` is a response_url Slack could have issued: hooks.slack.com or a host of the
    configured Web API's family (hooks.slack-gov.com for slack-gov.com), over https on the
    default port; or the configured Web API's own origin."""
    parsed = parse_web_url(url)
    if parsed is None:
        return False
    api = parse_web_url(api_url)
    if api is not None and parsed.origin == api.origin:
        return True
    if not _secure_default(parsed):
        return False
    return parsed.host == HOOKS_HOST or (api is not None and _within(parsed.host, api.host))
