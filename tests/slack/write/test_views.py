"""The write modals' metadata (one typed value per modal) and what is read back from them."""

from __future__ import annotations

import pytest

from bot.slack.block_limits import PRIVATE_METADATA
from bot.slack.write import views
from bot.slack.write.metadata import CommentMetadata, CreateMetadata, SaveMetadata
from bot.slack.write.view_state import chosen_space
from bot.write import SpaceChoice


def test_prefill_decodes_slacks_escaping() -> None:
    """Split from test_linked_content_and_prefill (linked_content is tests/write/test_comment.py's)."""
    message = {
        "text": "see <https://acme.atlassian.net/wiki/spaces/ENG/pages/42/Deploy+notes|x> &amp; go"
    }
    assert (
        views.prefill_text(message)
        == "see <https://acme.atlassian.net/wiki/spaces/ENG/pages/42/Deploy+notes|x> & go"
    )


def test_each_modals_metadata_round_trips_with_named_fields() -> None:
    save = SaveMetadata(
        channel_id="C1", thread_ts="1.2", message_ts="1.3", space="9|ENG", page_id="77"
    )
    assert '"thread_ts":"1.2"' in save.dump()
    assert SaveMetadata.load(save.dump()) == save and save.space_choice == SpaceChoice("9", "ENG")
    create = CreateMetadata(channel_id=None, space=None)
    assert CreateMetadata.load(create.dump()) == create and create.space_choice is None
    comment = CommentMetadata(channel_id="C1")
    assert CommentMetadata.load(comment.dump()) == comment


def test_modals_opened_before_the_typed_metadata_still_submit() -> None:
    old_save = '{"c": "C1", "t": "1.2", "m": "1.3", "s": "9|ENG", "p": null}'
    assert SaveMetadata.load(old_save) == SaveMetadata(
        channel_id="C1", thread_ts="1.2", message_ts="1.3", space="9|ENG"
    )
    assert CreateMetadata.load('{"c": "C1", "s": null}') == CreateMetadata(channel_id="C1")
    assert CommentMetadata.load('{"c": null}') == CommentMetadata()


def test_metadata_that_is_not_the_modals_is_refused() -> None:
    for raw in ("", "[]", "not json", '{"channel_id": "C1"}'):
        with pytest.raises(ValueError):
            SaveMetadata.load(raw)


def test_metadata_over_slacks_limit_is_refused_rather_than_cut() -> None:
    long = SaveMetadata(channel_id="C" * PRIVATE_METADATA, thread_ts="1", message_ts="1")
    with pytest.raises(ValueError, match="3000"):
        long.dump()


def test_the_chosen_space_comes_from_the_form_else_from_the_metadata() -> None:
    meta = CreateMetadata(channel_id="C1", space="9|ENG")
    view = views.create_modal(meta)
    assert chosen_space(view) == SpaceChoice("9", "ENG")
    picked = {views.SPACE_BLOCK: {views.SPACE_ACTION: {"selected_option": {"value": "8|OPS"}}}}
    assert chosen_space({**view, "state": {"values": picked}}) == SpaceChoice("8", "OPS")
    comment = views.comment_modal(CommentMetadata(channel_id="C1"), text="")
    assert chosen_space(comment) is None
    assert chosen_space({**view, "private_metadata": "{broken"}) is None
