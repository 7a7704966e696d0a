"""What a subcommand handler gets: who asked, where, and how to answer them privately."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient


@dataclass(frozen=True)
class CommandContext:
    team_id: str | None
    user_id: str
    user_name: str | None
    channel_id: str | None
    trigger_id: str | None
    respond: AsyncRespond
    client: AsyncWebClient
