"""Create a page from what a user typed (Slack-style formatting allowed)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.confluence import Page
from bot.convert import mrkdwn_to_storage
from bot.write.pages import create_page
from bot.write.pickers import SpaceChoice
from bot.write.ports import ConfluenceAccess


@dataclass(frozen=True)
class CreateRequest:
    team_id: str | None
    user_id: str
    user_name: str
    channel_id: str | None
    space: SpaceChoice
    parent_id: str | None
    title: str
    body: str  # as typed (Slack-style formatting allowed)


class CreatePage:
    def __init__(self, access: ConfluenceAccess) -> None:
        self._access = access

    async def __call__(self, req: CreateRequest) -> Page:
        """The new page. Raises DuplicateTitle, NotAllowed or ConfluenceError."""
        confluence = await self._access.client_for(req.team_id, req.user_id)
        attribution = await self._access.attribution_for(req.team_id, req.user_id, req.user_name)
        storage = mrkdwn_to_storage(req.body, attribution=attribution, slack_escaped=False)
        return await create_page(
            confluence,
            space_id=req.space.id,
            title=req.title,
            body=storage,
            parent_id=req.parent_id,
        )
