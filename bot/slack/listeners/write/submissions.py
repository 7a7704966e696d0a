"""The write modals' submissions: read the form, run the use case once (the submission
runner), answer the form with its early errors or close it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.caller import Caller
from bot.slack.listeners.write.forms import Errors, placed, read_page_form
from bot.slack.services import Services
from bot.slack.write import views
from bot.slack.write.adapters import write_service
from bot.slack.write.answers import already, comment_job, create_job, save_job
from bot.slack.write.metadata import CommentMetadata, CreateMetadata, SaveMetadata
from bot.slack.write.view_state import action_value, checked, selected_value, text_value
from bot.write import CommentRequest, CreateRequest, SaveRequest, WriteService
from bot.write.comment import parse_ref_value
from bot.write.submissions import Job, submission_key

View = dict[str, Any]


def register(app: AsyncApp, services: Services) -> None:
    for callback_id, submit in (
        (views.SAVE_VIEW, _save),
        (views.CREATE_VIEW, _create),
        (views.COMMENT_VIEW, _comment),
    ):
        app.view(callback_id)(_listener(services, submit))


Submit = Callable[
    [Services, AsyncAck, View, View, AsyncBoltContext, AsyncWebClient], Awaitable[None]
]


def _listener(services: Services, submit: Submit) -> Callable[..., Awaitable[None]]:
    async def on_submission(
        ack: AsyncAck, body: View, view: View, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await submit(services, ack, body, view, context, client)

    return on_submission


async def _save(
    services: Services,
    ack: AsyncAck,
    body: View,
    view: View,
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    meta = SaveMetadata.load(view.get("private_metadata"))
    form, errors = read_page_form(view, needs_space=meta.page_id is None)
    if form is None:
        await ack(response_action="errors", errors=errors)
        return
    caller = Caller.of(context, body).at(meta.channel_id)
    include = action_value(view, views.INCLUDE_ACTION) is None or checked(
        view, views.INCLUDE_ACTION, views.INCLUDE_VALUE
    )
    space = form.space.value if form.space else None
    key = submission_key("save", str(view.get("id")), [space, form.parent_id, form.title, include])
    req = SaveRequest(
        team_id=caller.team_id or "",
        user_id=caller.user_id,
        user_name=caller.user_name,
        channel_id=meta.channel_id,
        thread_ts=meta.thread_ts,
        message_ts=meta.message_ts,
        title=form.title,
        space=form.space,
        parent_id=form.parent_id,
        include_replies=include,
        idempotency_key=key,
    )
    write = write_service(services, client)
    job = save_job(services, write, req)
    await _answer(ack, view, await _run(services, write, caller, key, job, "save-thread"))


async def _create(
    services: Services,
    ack: AsyncAck,
    body: View,
    view: View,
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    form, errors = read_page_form(view, needs_space=True)
    if form is None:
        await ack(response_action="errors", errors=errors)
        return
    assert form.space is not None  # needs_space
    meta = CreateMetadata.load(view.get("private_metadata"))
    caller = Caller.of(context, body).at(meta.channel_id)
    text = text_value(view, views.BODY_ACTION)
    values = [form.space.value, form.parent_id, form.title, text]
    key = submission_key("create", str(view.get("id")), values)
    req = CreateRequest(
        team_id=caller.team_id,
        user_id=caller.user_id,
        user_name=caller.user_name,
        channel_id=caller.channel_id,
        space=form.space,
        parent_id=form.parent_id,
        title=form.title,
        body=text,
    )
    write = write_service(services, client)
    job = create_job(services, write, req)
    await _answer(ack, view, await _run(services, write, caller, key, job, "create-page"))


async def _comment(
    services: Services,
    ack: AsyncAck,
    body: View,
    view: View,
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    page_id = selected_value(view, views.PAGE_ACTION)
    text = text_value(view, views.TEXT_ACTION)
    ref = parse_ref_value(page_id) if page_id else None
    if ref is None:
        await ack(response_action="errors", errors={views.PAGE_BLOCK: "Choose a page."})
        return
    if not text:
        await ack(response_action="errors", errors={views.TEXT_BLOCK: "Write a comment."})
        return
    meta = CommentMetadata.load(view.get("private_metadata"))
    caller = Caller.of(context, body).at(meta.channel_id)
    key = submission_key("comment", str(view.get("id")), [page_id, text])
    req = CommentRequest(
        team_id=caller.team_id,
        user_id=caller.user_id,
        user_name=caller.user_name,
        ref=ref,
        text=text,
        slack_escaped=False,
    )
    write = write_service(services, client)
    job = comment_job(services, write, req)
    await _answer(ack, view, await _run(services, write, caller, key, job, "comment"))


async def _run(
    services: Services, write: WriteService, caller: Caller, key: str, job: Job, name: str
) -> Errors | None:
    """Run the submission once; the errors to show in the form, if any came in time."""

    async def repeat(page_id: str) -> str:
        return await already(services, caller, page_id)

    return await write.runner.run_submission(key, caller, job, name=name, repeat=repeat)


async def _answer(ack: AsyncAck, view: View, errors: Errors | None) -> None:
    if errors:
        await ack(response_action="errors", errors=placed(view, errors))
    else:
        await ack()
