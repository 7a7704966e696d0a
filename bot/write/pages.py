"""Creating and updating pages as a write needs: a taken title is DuplicateTitle."""

from __future__ import annotations

from bot.confluence import BadRequest, Conflict, ConfluenceClient, ConfluenceError, Page
from bot.write.errors import DuplicateTitle

SAVED_AGAIN = "Saved again from Slack"


def is_duplicate_title(exc: ConfluenceError) -> bool:
    # Confluence answers 400 (sometimes 409) with "already exists" for a taken title.
    return isinstance(exc, BadRequest | Conflict) and "already exists" in str(exc).lower()


async def create_page(
    confluence: ConfluenceClient, *, space_id: str, title: str, body: str, parent_id: str | None
) -> Page:
    try:
        return await confluence.pages.create(
            space_id=space_id, title=title, body=body, parent_id=parent_id
        )
    except ConfluenceError as exc:
        if is_duplicate_title(exc):
            raise DuplicateTitle from exc
        raise


async def update_page(confluence: ConfluenceClient, page_id: str, title: str, body: str) -> Page:
    try:
        return await confluence.pages.update_body(page_id, body, title=title, message=SAVED_AGAIN)
    except Conflict:
        # Someone saved in between: update_body re-reads the current version.
        return await confluence.pages.update_body(page_id, body, title=title, message=SAVED_AGAIN)
    except BadRequest as exc:
        if is_duplicate_title(exc):
            raise DuplicateTitle from exc
        raise
