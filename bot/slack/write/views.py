"""The write modals (save thread, create page, comment): their blocks, ids and metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import CheckboxesElement, Option, PlainTextObject

from bot.slack.block_limits import OPTION_TEXT
from bot.slack.blocks import (
    Block,
    Element,
    context,
    external_select,
    input_block,
    modal,
    mrkdwn_escape,
    option,
    plain_text_input,
    section,
    truncate,
)
from bot.slack.write.metadata import CommentMetadata, CreateMetadata, SaveMetadata
from bot.write import SpaceChoice

SAVE_VIEW = "save_thread_view"
CREATE_VIEW = "create_page_view"
COMMENT_VIEW = "comment_view"

SPACE_BLOCK, SPACE_ACTION = "space", "space_select"
PARENT_BLOCK, PARENT_ACTION = "parent", "parent_select"
TITLE_BLOCK, TITLE_ACTION = "title", "title_input"
TITLE_BLOCK_PARENT = "title-parent"  # the title block after retitling from the thread parent
INCLUDE_BLOCK, INCLUDE_ACTION = "include", "include_replies"
BODY_BLOCK, BODY_ACTION = "body", "body_input"
PAGE_BLOCK, PAGE_ACTION = "page", "page_select"
TEXT_BLOCK, TEXT_ACTION = "text", "text_input"

TITLE_MAX = 255
INCLUDE_VALUE = "replies"


def checkbox(action_id: str, label: str, value: str, *, checked: bool) -> Element:
    """A single checkbox (slack_sdk builds it; the label is cut to the option limit)."""
    opt = Option(value=value, text=PlainTextObject(text=truncate(label, OPTION_TEXT)))
    element = CheckboxesElement(
        action_id=action_id, options=[opt], initial_options=[opt] if checked else None
    )
    return element.to_dict()


def _space_input(initial: Element | None) -> Block:
    return input_block(
        "Space",
        external_select(
            SPACE_ACTION, "Type to find a space", min_query_length=0, initial_option=initial
        ),
        block_id=SPACE_BLOCK,
        dispatch_action=True,
    )


def _parent_input(space: SpaceChoice | None) -> Block:
    # A new block id per space, so a parent picked in another space is dropped.
    return input_block(
        "Parent page",
        external_select(PARENT_ACTION, "Type to find a page in the space", min_query_length=0),
        block_id=f"{PARENT_BLOCK}-{space.id if space else 'none'}",
        optional=True,
        hint=None if space else "Pick a space first.",
    )


def _title_input(title: str, block_id: str = TITLE_BLOCK) -> Block:
    return input_block(
        "Title",
        plain_text_input(
            TITLE_ACTION, initial_value=title[:TITLE_MAX] or None, max_length=TITLE_MAX
        ),
        block_id=block_id,
    )


def save_modal(
    meta: SaveMetadata,
    *,
    title: str,
    is_thread: bool,
    saved_to: str | None = None,
    space_option: Element | None = None,
    title_block: str = TITLE_BLOCK,
) -> dict[str, Any]:
    """`saved_to` is the page title when the thread was saved before: saving again updates it."""
    blocks: list[Block] = []
    if saved_to:
        blocks.append(
            section(
                f"This thread is already saved to *{mrkdwn_escape(saved_to)}*. "
                "Saving again updates that page with the new replies."
            )
        )
    else:
        blocks += [_space_input(space_option), _parent_input(meta.space_choice)]
    blocks.append(_title_input(title, title_block))
    if is_thread:
        blocks.append(
            input_block(
                "Replies",
                checkbox(INCLUDE_ACTION, "Include the replies", INCLUDE_VALUE, checked=True),
                block_id=INCLUDE_BLOCK,
                optional=True,
            )
        )
    return modal(
        "Save to Confluence",
        blocks,
        callback_id=SAVE_VIEW,
        submit="Save",
        close="Cancel",
        private_metadata=meta.dump(),
    )


def create_modal(
    meta: CreateMetadata, *, title: str = "", space_option: Element | None = None
) -> dict[str, Any]:
    blocks = [
        _space_input(space_option),
        _parent_input(meta.space_choice),
        _title_input(title),
        input_block(
            "Body",
            plain_text_input(
                BODY_ACTION,
                multiline=True,
                placeholder="Slack formatting works: *bold*, _italic_, `code`, lists",
            ),
            block_id=BODY_BLOCK,
            optional=True,
        ),
    ]
    return modal(
        "Create a page",
        blocks,
        callback_id=CREATE_VIEW,
        submit="Create",
        close="Cancel",
        private_metadata=meta.dump(),
    )


def comment_modal(
    meta: CommentMetadata, *, text: str, initial_page: Element | None = None
) -> dict[str, Any]:
    blocks = [
        input_block(
            "Page",
            external_select(
                PAGE_ACTION, "Type to find a page", min_query_length=1, initial_option=initial_page
            ),
            block_id=PAGE_BLOCK,
        ),
        input_block(
            "Comment",
            plain_text_input(TEXT_ACTION, multiline=True, initial_value=text or None),
            block_id=TEXT_BLOCK,
        ),
        context("The comment is added at the bottom of the page."),
    ]
    return modal(
        "Comment on a page",
        blocks,
        callback_id=COMMENT_VIEW,
        submit="Comment",
        close="Cancel",
        private_metadata=meta.dump(),
    )


def space_option(choice: SpaceChoice, name: str) -> Element:
    return option(f"{name} ({choice.key})", choice.value)


def prefill_text(message: Mapping[str, Any]) -> str:
    """A message's text as a person would type it (Slack's &amp;/&lt;/&gt; decoded)."""
    text = str(message.get("text") or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
