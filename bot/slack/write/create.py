"""Create a page from the "Create a page" modal."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError, Page
from bot.convert import mrkdwn_to_storage
from bot.slack.blocks import link
from bot.slack.services import Services
from bot.slack.write.notify import tell_user
from bot.slack.write.preflight import Preflight
from bot.slack.write.save import DUPLICATE_TITLE, is_duplicate_title
from bot.slack.write.submissions import FAILED
from bot.slack.write.views import SPACE_BLOCK, TITLE_BLOCK, SpaceChoice


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
    idempotency_key: str


async def create_page(
    services: Services, client: AsyncWebClient, req: CreateRequest, preflight: Preflight
) -> Page | None:
    try:
        confluence = await services.confluence_for(req.team_id, req.user_id)
        attribution = await services.attribution_for(req.team_id, req.user_id, req.user_name)
        storage = mrkdwn_to_storage(req.body, attribution=attribution, slack_escaped=False)
        page = await confluence.pages.create(
            space_id=req.space.id, title=req.title, body=storage, parent_id=req.parent_id
        )
    except ConfluenceError as exc:
        await services.store.remember_result(req.idempotency_key, FAILED)
        if is_duplicate_title(exc):
            block, text = TITLE_BLOCK, DUPLICATE_TITLE
        else:
            block = SPACE_BLOCK
            text = await services.on_confluence_error(
                exc, req.team_id, req.user_id, action="create_page"
            )
        if not preflight.failed({block: text}):
            await tell_user(client, req.user_id, req.channel_id, text)
        return None
    preflight.passed()
    await services.store.remember_result(req.idempotency_key, page.id)
    await tell_user(
        client,
        req.user_id,
        req.channel_id,
        f":white_check_mark: Created {link(page.web_url, page.title)} in {req.space.key}.",
    )
    return page
