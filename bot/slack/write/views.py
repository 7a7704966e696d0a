"""The write modals (save thread, create page, comment) and reading their submitted state."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import CheckboxesElement, Option, PlainTextObject

from bot.slack import block_limits as lim
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


@dataclass(frozen=True)
class SpaceChoice:
    """A space option's value: "<id>|<key>" (ids and keys are short; well under 150)."""

    id: str
    key: str

    @property
    def value(self) -> str:
        return f"{self.id}|{self.key}"

    @classmethod
    def parse(cls, value: str | None) -> SpaceChoice | None:
        if not value or "|" not in value:
            return None
        space_id, key = value.split("|", 1)
        return cls(space_id, key) if space_id and key else None


@dataclass(frozen=True)
class SaveMeta:
    channel_id: str
    thread_ts: str
    message_ts: str
    space: str | None = None  # SpaceChoice.value once picked (kept for parent type-ahead)
    page_id: str | None = None  # already saved: re-save updates this page

    def dump(self) -> str:
        return json.dumps(
            {
                "c": self.channel_id,
                "t": self.thread_ts,
                "m": self.message_ts,
                "s": self.space,
                "p": self.page_id,
            }
        )

    @classmethod
    def load(cls, raw: str) -> SaveMeta:
        data = json.loads(raw)
        return cls(data["c"], data["t"], data["m"], data.get("s"), data.get("p"))


def checkbox(action_id: str, label: str, value: str, *, checked: bool) -> Element:
    """A single checkbox (slack_sdk builds it; the label is cut to the option limit)."""
    opt = Option(value=value, text=PlainTextObject(text=truncate(label, lim.OPTION_TEXT)))
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
    meta: SaveMeta,
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
        space = SpaceChoice.parse(meta.space)
        blocks += [_space_input(space_option), _parent_input(space)]
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
    *,
    title: str = "",
    channel_id: str | None = None,
    space: str | None = None,
    space_option: Element | None = None,
) -> dict[str, Any]:
    blocks = [
        _space_input(space_option),
        _parent_input(SpaceChoice.parse(space)),
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
        private_metadata=json.dumps({"c": channel_id, "s": space}),
    )


def comment_modal(
    *, text: str, channel_id: str | None, initial_page: Element | None = None
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
        private_metadata=json.dumps({"c": channel_id}),
    )


def space_option(choice: SpaceChoice, name: str) -> Element:
    return option(f"{name} ({choice.key})", choice.value)


# ---------------------------------------------------------------- reading view state


def _values(view: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    values = ((view.get("state") or {}).get("values")) or {}
    return values if isinstance(values, dict) else {}


def action_value(view: Mapping[str, Any], action_id: str) -> dict[str, Any] | None:
    """The state entry of `action_id`, whatever block it sits in."""
    for block in _values(view).values():
        if isinstance(block, dict) and isinstance(block.get(action_id), dict):
            entry: dict[str, Any] = block[action_id]
            return entry
    return None


def text_value(view: Mapping[str, Any], action_id: str) -> str:
    entry = action_value(view, action_id) or {}
    return str(entry.get("value") or "").strip()


_SPACES = re.compile(r"\s+")


def clean_title(text: str) -> str:
    """A page title without control characters (as bodies are): line breaks and tabs become
    spaces, other control characters (NUL, ESC, DEL, C1) go, runs of spaces become one."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) != "Cc"
    )
    return _SPACES.sub(" ", kept).strip()


def title_value(view: Mapping[str, Any]) -> str:
    return clean_title(text_value(view, TITLE_ACTION))


def selected_value(view: Mapping[str, Any], action_id: str) -> str | None:
    entry = action_value(view, action_id) or {}
    selected = entry.get("selected_option") or {}
    value = selected.get("value") if isinstance(selected, dict) else None
    return str(value) if value else None


def checked(view: Mapping[str, Any], action_id: str, value: str) -> bool:
    entry = action_value(view, action_id)
    if entry is None:
        return False
    return any(o.get("value") == value for o in entry.get("selected_options") or [])


def block_id_of(view: Mapping[str, Any], action_id: str, default: str) -> str:
    """The block holding `action_id` (for inline errors on blocks whose id varies)."""
    for block_id, block in _values(view).items():
        if isinstance(block, dict) and action_id in block:
            return str(block_id)
    for block in view.get("blocks") or []:
        if (block.get("element") or {}).get("action_id") == action_id:
            return str(block.get("block_id") or default)
    return default
