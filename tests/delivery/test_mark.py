"""The crash-window mark: what a message's metadata says, and what counts as carrying it."""

from __future__ import annotations

from bot.delivery import ClaimKey, DeliveryMark

EVENT = "confluence_digest"
KEYS = [ClaimKey("digest", "12", "daily:2024-05-06"), ClaimKey("digest", "13", "daily:2024-05-06")]


def test_names_subject_and_item_as_digests_always_did() -> None:
    # Messages posted before delivery was shared carry these names: they must still match.
    mark = DeliveryMark.of(EVENT, KEYS)
    assert mark.claims == ("12@daily:2024-05-06", "13@daily:2024-05-06")
    assert mark.metadata() == {
        "event_type": EVENT,
        "event_payload": {"claims": ["12@daily:2024-05-06", "13@daily:2024-05-06"]},
    }


def test_a_message_carrying_any_of_the_claims_is_found() -> None:
    mark = DeliveryMark.of(EVENT, KEYS)
    one = DeliveryMark.of(EVENT, KEYS[1:])
    assert mark.found_in(one.metadata()) and one.found_in(mark.metadata())


def test_other_claims_other_kinds_and_malformed_metadata_are_not() -> None:
    mark = DeliveryMark.of(EVENT, KEYS[:1])
    assert not mark.found_in(DeliveryMark.of(EVENT, KEYS[1:]).metadata())
    same_names_other_feature = DeliveryMark.of("confluence_notify", KEYS[:1]).metadata()
    assert not mark.found_in(same_names_other_feature)
    for metadata in (
        None,
        "x",
        {},
        {"event_type": EVENT},
        {"event_type": EVENT, "event_payload": {"claims": "12@daily:2024-05-06"}},
        {"event_type": EVENT, "event_payload": ["12@daily:2024-05-06"]},
    ):
        assert not mark.found_in(metadata), metadata
