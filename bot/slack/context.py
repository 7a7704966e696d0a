"""What a subcommand handler gets: who asked, where, and how to answer them privately."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.caller import Caller


@dataclass(frozen=True)
class CommandContext:
    caller: Caller
    trigger_id: str | None
    respond: AsyncRespond
    client: AsyncWebClient
