"""The write modals' submissions: read the form, run the use case once (the submission
runner), answer the form with its early errors or close it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.caller import Caller
from bot.slack.listeners.write.forms import Errors, PageForm, placed, read_page_form
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


@dataclass(frozen=True)
class Ready:
    """A valid submission: who sent it (in the modal's channel), its key, and its job."""

    caller: Caller
    key: str
    job: Job
    name: str  # of the background work, for the log


# A modal's reader: the submission to run, or the errors to show in the form.
Reader = Callable[[Services, WriteService, Caller, View], Ready | Errors]


def register(app: AsyncApp, services: Services) -> None:
    for callback_id, read in (
        (views.SAVE_VIEW, _save),
        (views.CREATE_VIEW, _create),
        (views.COMMENT_VIEW, _comment),
    ):
        app.view(callback_id)(_listener(services, read))


def _listener(services: Services, read: Reader) -> Callable[..., Awaitable[None]]:
    async def on_submission(
        ack: AsyncAck, body: View, view: View, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        write = write_service(services, client)
        ready = read(services, write, Caller.of(context, body), view)
        if not isinstance(ready, Ready):
            await ack(response_action="errors", errors=ready)
            return

        async def repeat(page_id: str) -> str:
            return await already(services, ready.caller, page_id)

        errors = await write.runner.run_submission(
            ready.key, ready.caller, ready.job, name=ready.name, repeat=repeat
        )
        if errors:
            await ack(response_action="errors", errors=placed(view, errors))
        else:
            await ack()

    return on_submission


def _save(services: Services, write: WriteService, caller: Caller, view: View) -> Ready | Errors:
    meta = SaveMetadata.load(view.get("private_metadata"))
    form = read_page_form(view, needs_space=meta.page_id is None)
    if not isinstance(form, PageForm):
        return form
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
    return Ready(caller.at(meta.channel_id), key, save_job(services, write, req), "save-thread")


def _create(services: Services, write: WriteService, caller: Caller, view: View) -> Ready | Errors:
    form = read_page_form(view, needs_space=True)
    if not isinstance(form, PageForm):
        return form
    assert form.space is not None  # needs_space
    caller = caller.at(CreateMetadata.load(view.get("private_metadata")).channel_id)
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
    return Ready(caller, key, create_job(services, write, req), "create-page")


def _comment(services: Services, write: WriteService, caller: Caller, view: View) -> Ready | Errors:
    page_id = selected_value(view, views.PAGE_ACTION)
    text = text_value(view, views.TEXT_ACTION)
    ref = parse_ref_value(page_id) if page_id else None
    if ref is None:
        return {views.PAGE_BLOCK: "Choose a page."}
    if not text:
        return {views.TEXT_BLOCK: "Write a comment."}
    caller = caller.at(CommentMetadata.load(view.get("private_metadata")).channel_id)
    key = submission_key("comment", str(view.get("id")), [page_id, text])
    req = CommentRequest(
        team_id=caller.team_id,
        user_id=caller.user_id,
        user_name=caller.user_name,
        ref=ref,
        text=text,
        slack_escaped=False,
    )
    return Ready(caller, key, comment_job(services, write, req), "comment")
