"""What users are told about their writes, in Slack's words, and the submission jobs that say it.

The use cases (bot.write) return results and raise WriteErrors or ConfluenceErrors; a job here
calls one, words the outcome and names the modal input a failure belongs next to, for the
submission runner to route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

from bot.confluence import BlogPost, ConfluenceError, Page
from bot.slack.blocks import link
from bot.slack.identity import IdentityRequired
from bot.slack.services import Services
from bot.slack.write.views import PAGE_BLOCK, SPACE_BLOCK, TITLE_BLOCK
from bot.write import (
    Answer,
    CommentRequest,
    CreateRequest,
    DuplicateTitle,
    ForeignLink,
    NoSpace,
    NotAllowed,
    Preflight,
    SaveRequest,
    SaveResult,
    ThreadBusy,
    UserError,
    WriteError,
    WriteService,
)
from bot.write.ports import Recipient
from bot.write.submissions import Job

DUPLICATE_TITLE = "A page with this title already exists in that space. Choose another title."
NO_SPACE = "Choose a space to save the page in."
SAVING_NOW = (
    ":hourglass: This thread is being saved to Confluence right now. Try again in a minute: "
    "saving it again then updates that page."
)
INTERRUPTED = "Your save of this thread to Confluence was interrupted when the app stopped"
Failure = WriteError | ConfluenceError


async def failure_text(
    services: Services, exc: Failure, team_id: str | None, user_id: str, *, action: str
) -> str:
    """The sentence for a write that failed in a way the user can act on (logged with context;
    a dead personal connection is marked stale on the way)."""
    refusal = exc.__cause__ if isinstance(exc, NotAllowed) else exc
    if isinstance(refusal, ConfluenceError | IdentityRequired):
        return await services.on_confluence_error(refusal, team_id, user_id, action=action)
    if isinstance(exc, NotAllowed):
        return exc.text
    if isinstance(exc, DuplicateTitle):
        return DUPLICATE_TITLE
    if isinstance(exc, NoSpace):
        return NO_SPACE
    if isinstance(exc, ThreadBusy):
        return SAVING_NOW
    if isinstance(exc, ForeignLink):
        return (
            f":warning: That link is on {exc.host}, but I'm connected to {exc.site_host}. "
            "Use a link to a page on that site (or the page's id)."
        )
    return f":warning: {exc}"  # ThreadUnavailable: its sentence


def saved(result: SaveResult, *, resumed: bool = False) -> str:
    page = link(result.page.web_url, result.page.title)
    text = f":white_check_mark: {'Saved' if result.created else 'Updated'} {page}."
    if resumed:
        text = f":white_check_mark: {INTERRUPTED}; it is finished now: {page}."
    if result.skipped:
        text += " Not attached: " + "; ".join(result.skipped) + "."
    return text


def commented(target: Page | BlogPost) -> str:
    return f":speech_balloon: Comment added to {link(target.web_url, target.title)}."


async def already(services: Services, who: Recipient, page_id: str) -> str:
    """For a repeat of a submission that made `page_id`: point at it."""
    try:
        confluence = await services.confluence_for(who.team_id, who.user_id)
        page = await confluence.pages.get(page_id)
    except (ConfluenceError, IdentityRequired) as exc:
        return await services.on_confluence_error(
            exc, who.team_id, who.user_id, action="repeat_submission"
        )
    return f"Already done: {link(page.web_url, page.title)}."


R = TypeVar("R")


def _worded(
    services: Services,
    who: tuple[str | None, str],
    *,
    action: str,
    call: Callable[[str, Preflight], Awaitable[R | None]],
    answer: Callable[[R], Answer],
    field: Callable[[Failure], str],
    reword: Callable[[str], str] = lambda text: text,
) -> Job:
    """A submission job: `call` the use case, word its result, or word its failure next to
    the modal input `field` names (`who`: the team and user it acts for, for the log)."""

    async def job(key: str, preflight: Preflight) -> Answer | None:
        try:
            result = await call(key, preflight)
        except (WriteError, ConfluenceError) as exc:
            text = await failure_text(services, exc, *who, action=action)
            raise UserError(reword(text), field(exc)) from exc
        return None if result is None else answer(result)

    return job


def save_job(
    services: Services, write: WriteService, req: SaveRequest, *, resumed: bool = False
) -> Job:
    async def save(key: str, preflight: Preflight) -> SaveResult | None:
        # The request runs under the submission's claimed key (a retry's may differ).
        return await write.save(replace(req, idempotency_key=key), preflight, resumed=resumed)

    def unfinished(text: str) -> str:
        if not resumed:
            return text
        return (
            f":warning: {INTERRUPTED}, and I couldn't finish it: {text} "
            "Run *Save to Confluence* on the thread again."
        )

    return _worded(
        services,
        (req.team_id, req.user_id),
        action="save_thread",
        call=save,
        answer=lambda result: Answer(saved(result, resumed=resumed), result.page.id),
        field=lambda exc: TITLE_BLOCK,
        reword=unfinished,
    )


def give_up_job(write: WriteService, req: SaveRequest, tries: int) -> Job:
    """A save interrupted `tries` times is not run again; its user is told."""

    async def job(key: str, preflight: Preflight) -> Answer | None:
        if not await write.save.give_up(req):
            return None  # another process has it now
        raise UserError(
            f":warning: {INTERRUPTED} {tries} times, so I stopped trying. "
            "Run *Save to Confluence* on the thread again: it picks up any page that was made."
        )

    return job


def create_job(services: Services, write: WriteService, req: CreateRequest) -> Job:
    async def create(key: str, preflight: Preflight) -> Page:
        return await write.create(req)

    def answer(page: Page) -> Answer:
        created = f"Created {link(page.web_url, page.title)} in {req.space.key}."
        return Answer(f":white_check_mark: {created}", page.id)

    return _worded(
        services,
        (req.team_id, req.user_id),
        action="create_page",
        call=create,
        answer=answer,
        field=lambda exc: TITLE_BLOCK if isinstance(exc, DuplicateTitle) else SPACE_BLOCK,
    )


def comment_job(services: Services, write: WriteService, req: CommentRequest) -> Job:
    async def comment(key: str, preflight: Preflight) -> Page | BlogPost:
        return await write.comment(req)

    return _worded(
        services,
        (req.team_id, req.user_id),
        action="comment",
        call=comment,
        answer=lambda target: Answer(commented(target), target.id),
        field=lambda exc: PAGE_BLOCK,
    )
