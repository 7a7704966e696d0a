"""Block Kit builders that always produce payloads Slack accepts.

Policy: display text that is too long is truncated (ending in "…"); values that carry state or
identity (button values, option values, action/block/callback ids, private_metadata) raise
ValueError instead, because cutting them would corrupt what comes back to us. Structural counts
that callers control (fields, context elements, actions, modal blocks) also raise; messages and
Home tabs with too many blocks are capped with a final "…and N more" context block.

slack_sdk's models build the dicts (and re-check some limits); everything is truncated before
they see it, since they raise rather than truncate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    ExternalDataSelectElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)

from bot.slack import block_limits

Block = dict[str, Any]
Element = dict[str, Any]

ELLIPSIS = "…"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# A cut inside "<…>" (link/mention) or "&…;" (entity) would leave broken mrkdwn.
_OPEN_TOKEN = re.compile(r"<[^>]*$|&[a-z]{0,4}$")


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when cut."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def truncate_mrkdwn(text: str, limit: int) -> str:
    """Like truncate, but never leaves half a `<link|label>` or `&amp;` entity behind."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    open_token = _OPEN_TOKEN.search(head)
    if open_token:
        head = head[: open_token.start()]
    return head + ELLIPSIS


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.translate(_ESCAPES)


def _safe_url(url: str) -> str:
    # Inside <…> a URL ends at "|" or ">"; percent-encode those and whitespace.
    return re.sub(r"[|<>\s]", lambda m: f"%{ord(m.group(0)):02X}", url)


def link(url: str, label: str | None = None) -> str:
    """mrkdwn link "<url|label>". Labels are escaped; a "|" inside a label is harmless because
    Slack splits at the first "|" and the URL cannot contain one."""
    target = _safe_url(url)
    if not label:
        return f"<{target}>"
    shown = mrkdwn_escape(" ".join(label.split()))
    return f"<{target}|{shown}>"


def _check_id(name: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise ValueError(f"{name} is {len(value)} characters; Slack allows {limit}")


def _plain(text: str, limit: int) -> PlainTextObject:
    return PlainTextObject(text=truncate(text, limit) or " ", emoji=True)


def _mrkdwn(text: str, limit: int) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate_mrkdwn(text, limit) or " ")


def section(
    text: str | None = None,
    *,
    accessory: Element | None = None,
    fields: Sequence[str] | None = None,
    block_id: str | None = None,
) -> Block:
    """Section with mrkdwn `text` (≤ 3000) and/or up to 10 mrkdwn `fields` (≤ 2000 each)."""
    if text is None and not fields:
        raise ValueError("a section needs text or fields")
    if fields is not None and len(fields) > block_limits.SECTION_FIELDS:
        raise ValueError(f"a section takes at most {block_limits.SECTION_FIELDS} fields")
    _check_id("block_id", block_id, block_limits.BLOCK_ID)
    block = SectionBlock(
        text=_mrkdwn(text, block_limits.SECTION_TEXT) if text is not None else None,
        fields=[_mrkdwn(f, block_limits.SECTION_FIELD_TEXT) for f in fields] if fields else None,
        accessory=accessory,
        block_id=block_id,
    )
    return block.to_dict()


def header(text: str, *, block_id: str | None = None) -> Block:
    """Header with plain text cut to 150 characters."""
    _check_id("block_id", block_id, block_limits.BLOCK_ID)
    return HeaderBlock(text=_plain(text, block_limits.HEADER_TEXT), block_id=block_id).to_dict()


def context(*texts: str, block_id: str | None = None) -> Block:
    """Context line of 1–10 mrkdwn elements."""
    if not 1 <= len(texts) <= block_limits.CONTEXT_ELEMENTS:
        raise ValueError(f"a context block takes 1 to {block_limits.CONTEXT_ELEMENTS} elements")
    _check_id("block_id", block_id, block_limits.BLOCK_ID)
    elements = [_mrkdwn(t, block_limits.CONTEXT_TEXT) for t in texts]
    return ContextBlock(elements=elements, block_id=block_id).to_dict()


def divider(*, block_id: str | None = None) -> Block:
    _check_id("block_id", block_id, block_limits.BLOCK_ID)
    return DividerBlock(block_id=block_id).to_dict()


def button(
    text: str,
    action_id: str,
    value: str | None = None,
    url: str | None = None,
    style: Literal["primary", "danger"] | None = None,
) -> Element:
    """Button; text is cut to 75, but a value over 2000 raises — keep state small."""
    _check_id("action_id", action_id, block_limits.ACTION_ID)
    _check_id("button value", value, block_limits.BUTTON_VALUE)
    _check_id("button url", url, block_limits.BUTTON_URL)
    if style not in (None, "primary", "danger"):
        raise ValueError("button style must be primary or danger")
    element = ButtonElement(
        text=_plain(text, block_limits.BUTTON_TEXT),
        action_id=action_id,
        value=value,
        url=url,
        style=style,
    )
    return element.to_dict()


def actions(*elements: Element, block_id: str | None = None) -> Block:
    """Actions block of 1–25 interactive elements."""
    if not 1 <= len(elements) <= block_limits.ACTIONS_ELEMENTS:
        raise ValueError(f"an actions block takes 1 to {block_limits.ACTIONS_ELEMENTS} elements")
    _check_id("block_id", block_id, block_limits.BLOCK_ID)
    return ActionsBlock(elements=list(elements), block_id=block_id).to_dict()


def option(text: str, value: str, *, description: str | None = None) -> Element:
    """Select option: text cut to 75; a value over 150 raises (it comes back to us)."""
    _check_id("option value", value, block_limits.OPTION_VALUE)
    built = Option(
        value=value,
        text=_plain(text, block_limits.OPTION_TEXT),
        description=_plain(description, block_limits.OPTION_TEXT) if description else None,
    )
    return built.to_dict()


def external_select(
    action_id: str,
    placeholder: str,
    *,
    min_query_length: int | None = None,
    initial_option: Element | None = None,
) -> Element:
    """Select whose options Slack loads from our options endpoint (block_suggestion)."""
    _check_id("action_id", action_id, block_limits.ACTION_ID)
    element = ExternalDataSelectElement(
        action_id=action_id,
        placeholder=_plain(placeholder, block_limits.PLACEHOLDER_TEXT),
        min_query_length=min_query_length,
    ).to_dict()
    if initial_option:
        element["initial_option"] = initial_option
    return element


def static_select(
    action_id: str,
    placeholder: str,
    options: Sequence[Element],
    *,
    initial_option: Element | None = None,
) -> Element:
    """Select with up to 100 options given inline (see `option`)."""
    if not 1 <= len(options) <= block_limits.OPTIONS_PER_SELECT:
        raise ValueError(f"a select takes 1 to {block_limits.OPTIONS_PER_SELECT} options")
    _check_id("action_id", action_id, block_limits.ACTION_ID)
    # Options arrive as dicts built by `option`; slack_sdk's model wants Option objects.
    element: Element = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": _plain(placeholder, block_limits.PLACEHOLDER_TEXT).to_dict(),
        "options": list(options),
    }
    if initial_option:
        element["initial_option"] = initial_option
    return element


def checkboxes(
    action_id: str, options: Sequence[Element], *, checked: Sequence[Element] = ()
) -> Element:
    """Checkboxes (1–10 options built by `option`); `checked` are those ticked at first, each one
    of `options`. A click sends every ticked option's value."""
    _check_id("action_id", action_id, block_limits.ACTION_ID)
    if not 1 <= len(options) <= block_limits.CHECKBOX_OPTIONS:
        raise ValueError(f"checkboxes take 1 to {block_limits.CHECKBOX_OPTIONS} options")
    if any(option not in options for option in checked):
        raise ValueError("a checked option must be one of the options")
    element: Element = {"type": "checkboxes", "action_id": action_id, "options": list(options)}
    if checked:  # Slack refuses an empty initial_options
        element["initial_options"] = list(checked)
    return element


def overflow(action_id: str, options: Sequence[Element]) -> Element:
    """Overflow menu ("…") of 2–5 options built by `option`; a click sends the chosen one."""
    _check_id("action_id", action_id, block_limits.ACTION_ID)
    if not 2 <= len(options) <= block_limits.OVERFLOW_OPTIONS:
        raise ValueError(f"an overflow menu takes 2 to {block_limits.OVERFLOW_OPTIONS} options")
    return {"type": "overflow", "action_id": action_id, "options": list(options)}


def options_response(options: Sequence[Element]) -> dict[str, Any]:
    """Body answering an external select's options request; capped at 100 options."""
    return {"options": list(options[: block_limits.OPTIONS_PER_SELECT])}


def plain_text_input(
    action_id: str,
    *,
    multiline: bool = False,
    initial_value: str | None = None,
    placeholder: str | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
) -> Element:
    """Text input; max_length must be 1..3000 and initial_value is cut to fit it."""
    _check_id("action_id", action_id, block_limits.ACTION_ID)
    if max_length is not None and not 1 <= max_length <= block_limits.PLAIN_TEXT_INPUT_MAX_LENGTH:
        raise ValueError(f"max_length must be 1..{block_limits.PLAIN_TEXT_INPUT_MAX_LENGTH}")
    cap = max_length or block_limits.PLAIN_TEXT_INPUT_MAX_LENGTH
    element = PlainTextInputElement(
        action_id=action_id,
        multiline=multiline or None,
        initial_value=truncate(initial_value, cap) if initial_value else None,
        placeholder=_plain(placeholder, block_limits.PLACEHOLDER_TEXT) if placeholder else None,
        min_length=min_length,
        max_length=max_length,
    )
    return element.to_dict()


def input_block(
    label: str,
    element: Element,
    *,
    block_id: str | None = None,
    optional: bool = False,
    hint: str | None = None,
    dispatch_action: bool = False,
) -> Block:
    """Input block (modals and Home only); label and hint cut to 2000."""
    _check_id("block_id", block_id, block_limits.BLOCK_ID)
    block = InputBlock(
        label=_plain(label, block_limits.INPUT_LABEL),
        element=element,
        block_id=block_id,
        optional=optional or None,
        hint=_plain(hint, block_limits.INPUT_HINT) if hint else None,
        dispatch_action=dispatch_action or None,
    )
    return block.to_dict()


def _capped(blocks: Sequence[Block], limit: int) -> list[Block]:
    if len(blocks) <= limit:
        return list(blocks)
    kept = list(blocks[: limit - 1])
    return [*kept, context(f"…and {len(blocks) - len(kept)} more")]


def message(text: str, blocks: Sequence[Block] = ()) -> dict[str, Any]:
    """chat.postMessage/update/respond arguments: fallback `text` (required) plus ≤ 50 blocks."""
    if not text.strip():
        raise ValueError("messages need fallback text for notifications and screen readers")
    payload: dict[str, Any] = {"text": truncate(text, block_limits.MESSAGE_TEXT)}
    if blocks:
        payload["blocks"] = _capped(blocks, block_limits.MESSAGE_BLOCKS)
    return payload


def modal(
    title: str,
    blocks: Sequence[Block],
    *,
    callback_id: str,
    submit: str | None = None,
    close: str | None = None,
    private_metadata: str = "",
    external_id: str | None = None,
    notify_on_close: bool = False,
) -> dict[str, Any]:
    """Modal view. Title/submit/close are cut to 24; more than 100 blocks or private_metadata
    over 3000 raise, because dropping inputs or state would break the submission."""
    if not 1 <= len(blocks) <= block_limits.VIEW_BLOCKS:
        raise ValueError(f"a modal takes 1 to {block_limits.VIEW_BLOCKS} blocks")
    if not submit and any(b.get("type") == "input" for b in blocks):
        raise ValueError("a modal with input blocks needs a submit label")
    _check_id("private_metadata", private_metadata, block_limits.PRIVATE_METADATA)
    _check_id("callback_id", callback_id, block_limits.CALLBACK_ID)
    _check_id("external_id", external_id, block_limits.EXTERNAL_ID)
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, block_limits.MODAL_TITLE).to_dict(),
        "blocks": list(blocks),
    }
    if submit:
        view["submit"] = _plain(submit, block_limits.MODAL_TITLE).to_dict()
    if close:
        view["close"] = _plain(close, block_limits.MODAL_TITLE).to_dict()
    if private_metadata:
        view["private_metadata"] = private_metadata
    if external_id:
        view["external_id"] = external_id
    if notify_on_close:
        view["notify_on_close"] = True
    return view


def home(blocks: Sequence[Block], *, private_metadata: str = "") -> dict[str, Any]:
    """App Home view; more than 100 blocks are capped with a final "…and N more" context."""
    _check_id("private_metadata", private_metadata, block_limits.PRIVATE_METADATA)
    view: dict[str, Any] = {"type": "home", "blocks": _capped(blocks, block_limits.VIEW_BLOCKS)}
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view
