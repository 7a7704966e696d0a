"""`/confluence comment <page URL or id> <text>`: a footer comment, or usage (nothing created)."""

from __future__ import annotations

from bot.confluence import ConfluenceError
from bot.confluence.urls import parse_page_reference
from bot.slack.context import CommandContext
from bot.slack.services import Services
from bot.slack.write.adapters import write_service
from bot.slack.write.answers import commented, failure_text
from bot.write import CommentRequest, WriteError
from bot.write.comment import is_lookalike

COMMENT_USAGE = (
    "Usage: `/confluence comment <page URL or id> <text>` — for example "
    "`/confluence comment https://acme.atlassian.net/wiki/spaces/ENG/pages/123 Looks good!`"
)
LOOKALIKE = (
    ":warning: That link isn't a plain link to a page: it has a user name, a password or a "
    "backslash before the site's name, so a browser may open another site than it seems. "
    "Copy the page's link from the browser's address bar (or use the page's id)."
)


async def handle_comment(services: Services, ctx: CommandContext, args: str) -> None:
    target, _, text = args.strip().partition(" ")
    if is_lookalike(target):
        await ctx.respond(response_type="ephemeral", text=LOOKALIKE)
        return
    ref = parse_page_reference(target) if target else None
    if ref is None or not text.strip():
        await ctx.respond(response_type="ephemeral", text=COMMENT_USAGE)
        return
    caller = ctx.caller
    req = CommentRequest(
        team_id=caller.team_id,
        user_id=caller.user_id,
        user_name=caller.user_name,
        ref=ref,
        text=text.strip(),
        slack_escaped=True,
        link=target,
    )
    try:
        page = await write_service(services, ctx.client).comment(req)
    except (WriteError, ConfluenceError) as exc:
        sentence = await failure_text(
            services, exc, caller.team_id, caller.user_id, action="comment"
        )
        await ctx.respond(response_type="ephemeral", text=sentence)
        return
    await ctx.respond(response_type="ephemeral", text=commented(page))
