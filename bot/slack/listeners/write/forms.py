"""Reading the save and create forms: one validation for where a page goes and its title."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack.write import views
from bot.slack.write.view_state import block_id_of, chosen_space, selected_value, title_value
from bot.write import SpaceChoice

NO_SPACE = "Choose a space."
NO_TITLE = "Give the page a title."
NO_PARENT = "Choose a parent page from the list, or clear it."
Errors = dict[str, str]  # block id -> sentence, as a view submission's errors response wants

_ACTION_OF = {
    views.TITLE_BLOCK: views.TITLE_ACTION,
    views.SPACE_BLOCK: views.SPACE_ACTION,
    views.PAGE_BLOCK: views.PAGE_ACTION,
    views.PARENT_BLOCK: views.PARENT_ACTION,
}


@dataclass(frozen=True)
class PageForm:
    space: SpaceChoice | None  # None only when the page exists already (a re-save)
    parent_id: str | None
    title: str


def read_page_form(view: Mapping[str, Any], *, needs_space: bool) -> PageForm | Errors:
    """The form's page, or the errors to show (one at a time, in the order of the inputs)."""
    space = chosen_space(view)
    if needs_space and space is None:
        return placed(view, {views.SPACE_BLOCK: NO_SPACE})
    title = title_value(view)
    if not title:
        return placed(view, {views.TITLE_BLOCK: NO_TITLE})
    parent = selected_value(view, views.PARENT_ACTION)
    if parent is not None and not parent.isdigit():  # e.g. the option saying a load failed
        return placed(view, {views.PARENT_BLOCK: NO_PARENT})
    return PageForm(space, parent, title)


def placed(view: Mapping[str, Any], errors: Errors) -> Errors:
    """Errors keyed by the block ids this view really has (some vary, e.g. the title's)."""
    found: Errors = {}
    for block, text in errors.items():
        action = _ACTION_OF.get(block)
        found[block_id_of(view, action, block) if action else block] = text
    return found
