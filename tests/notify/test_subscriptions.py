from __future__ import annotations

import pytest

from bot.confluence import ConfluenceError
from bot.notify import (
    ForeignPage,
    NotifyFilters,
    NotTheirs,
    PageElsewhere,
    PageNotFound,
    ReaderUnavailable,
    SubscribeCommand,
    Subscribed,
    Subscriber,
    SubscriptionService,
    UnknownSpaces,
    parse_notify_command,
)

from .fakes import MemoryStore, Site, SiteReaders

ADA = Subscriber("T1", "UADA", "C1")
BOB = Subscriber("T1", "UBOB", "C1")


class Permission:
    """may_manage_others, recording whether it was asked."""

    def __init__(self, allowed: bool) -> None:
        self.allowed, self.asked = allowed, 0

    async def __call__(self) -> bool:
        self.asked += 1
        return self.allowed


NO, YES = Permission(False), Permission(True)


@pytest.fixture
def site() -> Site:
    site = Site()
    site.add_space("ENG")
    site.add_space("OPS")
    site.add_page("123", "Runbooks", "ENG")
    site.add_page("456", "Rota", "OPS")
    return site


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def service(store: MemoryStore, site: Site) -> SubscriptionService:
    return SubscriptionService(store, SiteReaders(site))


def command(text: str) -> SubscribeCommand:
    parsed = parse_notify_command(text)
    assert isinstance(parsed, SubscribeCommand)
    return parsed


async def test_subscribe_saves_one_row_per_space_in_one_add(
    service: SubscriptionService, store: MemoryStore, site: Site
) -> None:
    got = await service.subscribe(ADA, command("subscribe eng,ops pages edits:major"), NO)
    assert isinstance(got, Subscribed)
    assert [(s.space_key, s.space_id, s.created_by) for s in got.rows] == [
        ("ENG", "sp-ENG", "UADA"),
        ("OPS", "sp-OPS", "UADA"),
    ]
    assert got.rows[0].filters == NotifyFilters(kinds=frozenset({"page"}), edits="major")
    assert (got.replaced, got.under) == (frozenset(), None)
    assert len(store.adds) == 1 and len(store.adds[0]) == 2
    assert site.reads == [("UADA", "spaces ENG,OPS")]  # read as the subscriber


async def test_under_a_page_is_checked_and_kept_with_its_title(
    service: SubscriptionService, site: Site
) -> None:
    url = "https://acme.atlassian.net/wiki/spaces/ENG/pages/123/Runbooks"
    got = await service.subscribe(ADA, command(f"subscribe ENG under:{url}"), NO)
    assert isinstance(got, Subscribed)
    (row,) = got.rows
    assert (row.filters.under_page_id, row.under_title) == ("123", "Runbooks")
    assert row.filters.kinds == {"page", "comment"}
    assert [what for _, what in site.reads] == ["site", "spaces ENG", "page 123"]


async def test_under_by_id_does_not_ask_for_the_site(
    service: SubscriptionService, site: Site
) -> None:
    got = await service.subscribe(ADA, command("subscribe ENG under:123"), NO)
    assert isinstance(got, Subscribed)
    assert "site" not in [what for _, what in site.reads]


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("subscribe ENG,NOPE,ZZZ", UnknownSpaces(("NOPE", "ZZZ"))),
        ("subscribe ENG under:999", PageNotFound("999")),
        (
            "subscribe ENG under:https://other.atlassian.net/wiki/spaces/ENG/pages/123",
            ForeignPage("other.atlassian.net", "acme.atlassian.net"),
        ),
        (
            "subscribe ENG under:http://acme.atlassian.net/wiki/spaces/ENG/pages/123",
            None,  # same host over http: the page id is what counts
        ),
    ],
)
async def test_wrong_input_is_refused_and_nothing_saved(
    service: SubscriptionService, store: MemoryStore, text: str, refusal: object
) -> None:
    got = await service.subscribe(ADA, command(text), NO)
    if refusal is None:
        assert isinstance(got, Subscribed)
        return
    assert got == refusal
    assert store.adds == [] and store.rows == {}


async def test_a_page_in_another_space_is_refused(
    service: SubscriptionService, store: MemoryStore, site: Site
) -> None:
    got = await service.subscribe(ADA, command("subscribe ENG under:456"), NO)
    assert got == PageElsewhere(site.pages["456"], "ENG")
    assert store.adds == []


async def test_a_space_hidden_from_the_subscriber_is_unknown_to_them(
    service: SubscriptionService, store: MemoryStore, site: Site
) -> None:
    site.hidden["UBOB"] = {"OPS"}
    assert await service.subscribe(BOB, command("subscribe ENG,OPS"), NO) == UnknownSpaces(("OPS",))
    site.hidden["UBOB"] = {"ENG"}
    assert await service.subscribe(BOB, command("subscribe ENG under:123"), NO) == UnknownSpaces(
        ("ENG",)
    )
    assert store.adds == []


async def test_a_subscriber_who_may_not_read_is_told_by_the_caller(
    service: SubscriptionService, store: MemoryStore, site: Site
) -> None:
    site.lost.add("UADA")
    with pytest.raises(ReaderUnavailable):
        await service.subscribe(ADA, command("subscribe ENG"), NO)
    site.lost.clear()
    site.down = True
    with pytest.raises(ConfluenceError):
        await service.subscribe(ADA, command("subscribe ENG"), NO)
    assert store.adds == []


async def test_resubscribing_replaces_and_taking_over_needs_permission(
    service: SubscriptionService, store: MemoryStore
) -> None:
    await service.subscribe(ADA, command("subscribe ENG"), NO)
    again = await service.subscribe(ADA, command("subscribe ENG,OPS blogposts"), NO)
    assert isinstance(again, Subscribed) and again.replaced == {"ENG"}
    no = Permission(False)
    refused = await service.subscribe(BOB, command("subscribe ENG,OPS label:x"), no)
    assert isinstance(refused, NotTheirs) and no.asked == 1
    assert [s.space_key for s in refused.subscriptions] == ["ENG", "OPS"]
    assert {s.filters.label for s in store.rows.values()} == {None}  # nothing changed
    taken = await service.subscribe(BOB, command("subscribe ENG label:x"), YES)
    assert isinstance(taken, Subscribed) and taken.rows[0].created_by == "UBOB"


async def test_list_and_of_user(service: SubscriptionService) -> None:
    await service.subscribe(ADA, command("subscribe ENG"), NO)
    await service.subscribe(Subscriber("T1", "UADA", "C2"), command("subscribe OPS"), NO)
    assert [s.space_key for s in await service.in_channel("T1", "C1")] == ["ENG"]
    assert [s.channel_id for s in await service.of_user("T1", "UADA")] == ["C1", "C2"]
    assert await service.of_user("T1", "UBOB") == []


async def test_unsubscribe_named_spaces_reports_each(
    service: SubscriptionService, store: MemoryStore
) -> None:
    await service.subscribe(ADA, command("subscribe ENG"), NO)
    await service.subscribe(BOB, command("subscribe OPS"), NO)
    got = await service.unsubscribe(ADA, ["ENG", "OPS", "DOC"], Permission(False))
    assert [s.space_key for s in got.done] == ["ENG"]
    assert [s.space_key for s in got.refused] == ["OPS"]
    assert got.unknown == ["DOC"]
    assert [s.space_key for s in store.rows.values()] == ["OPS"]


async def test_unsubscribe_all_removes_nothing_when_one_is_someone_elses(
    service: SubscriptionService, store: MemoryStore
) -> None:
    await service.subscribe(ADA, command("subscribe ENG"), NO)
    await service.subscribe(BOB, command("subscribe OPS"), NO)
    got = await service.unsubscribe(ADA, None, Permission(False))
    assert got.done == [] and [s.space_key for s in got.refused] == ["OPS"]
    assert len(store.rows) == 2
    everything = await service.unsubscribe(ADA, None, Permission(True))
    assert [s.space_key for s in everything.done] == ["ENG", "OPS"] and store.rows == {}


async def test_unsubscribing_only_ones_own_does_not_ask_permission(
    service: SubscriptionService,
) -> None:
    await service.subscribe(ADA, command("subscribe ENG"), NO)
    asked = Permission(False)
    got = await service.unsubscribe(ADA, None, asked)
    assert len(got.done) == 1 and asked.asked == 0


async def test_pause_keeps_a_pause_the_app_made(
    service: SubscriptionService, store: MemoryStore
) -> None:
    await service.subscribe(ADA, command("subscribe ENG,OPS"), NO)
    ops = next(s for s in store.rows.values() if s.space_key == "OPS")
    await store.set_paused([ops.id], "space deleted")
    got = await service.pause(ADA, None, NO)
    assert [s.space_key for s in got.done] == ["ENG"]
    assert [s.space_key for s in got.unchanged] == ["OPS"]
    reasons = {s.space_key: s.paused_reason for s in store.rows.values()}
    assert reasons == {"ENG": "paused by UADA", "OPS": "space deleted"}
    assert await store.active() == []


async def test_resume_checks_each_space_is_back_as_its_owner(
    service: SubscriptionService, store: MemoryStore, site: Site
) -> None:
    await service.subscribe(ADA, command("subscribe ENG,OPS"), NO)
    await service.pause(ADA, None, NO)
    site.hidden["UADA"] = {"OPS"}  # as if the space went, or Ada lost access to it
    site.reads.clear()
    got = await service.resume(BOB, None, YES)  # Bob may: checked as Ada all the same
    assert [s.space_key for s in got.changed.done] == ["ENG"]
    assert [s.space_key for s in got.gone] == ["OPS"]
    assert site.reads == [("UADA", "spaces ENG,OPS")]
    assert [s.space_key for s in await store.active()] == ["ENG"]


async def test_a_space_recreated_under_the_same_key_is_not_the_one_followed(
    service: SubscriptionService, store: MemoryStore, site: Site
) -> None:
    await service.subscribe(ADA, command("subscribe ENG"), NO)
    (eng,) = store.rows.values()
    await store.set_paused([eng.id], "space deleted")
    site.add_space("ENG", "sp-new")
    got = await service.resume(ADA, ["ENG"], NO)
    assert got.changed.done == [] and [s.space_key for s in got.gone] == ["ENG"]


async def test_resume_when_the_owner_can_no_longer_read(
    service: SubscriptionService, store: MemoryStore, site: Site
) -> None:
    await service.subscribe(ADA, command("subscribe ENG"), NO)
    await service.subscribe(BOB, command("subscribe OPS"), NO)
    await store.set_paused(list(store.rows), "confluence access lost")
    site.lost.add("UADA")
    got = await service.resume(BOB, None, YES)
    assert [s.space_key for s in got.owner_unavailable] == ["ENG"]
    assert [s.space_key for s in got.changed.done] == ["OPS"]


async def test_resume_leaves_active_and_others_alone(
    service: SubscriptionService, store: MemoryStore
) -> None:
    await service.subscribe(ADA, command("subscribe ENG"), NO)
    await service.subscribe(BOB, command("subscribe OPS"), NO)
    await store.set_paused(list(store.rows), "paused by UBOB")
    got = await service.resume(ADA, ["ENG", "OPS", "DOC"], NO)
    assert [s.space_key for s in got.changed.done] == ["ENG"]
    assert [s.space_key for s in got.changed.refused] == ["OPS"]
    assert got.changed.unknown == ["DOC"]
    assert [s.space_key for s in await store.active()] == ["ENG"]
    again = await service.resume(ADA, ["ENG"], NO)
    assert [s.space_key for s in again.changed.unchanged] == ["ENG"]


async def test_forget_removes_only_the_users_subscriptions(
    service: SubscriptionService, store: MemoryStore
) -> None:
    await service.subscribe(ADA, command("subscribe ENG"), NO)
    await service.subscribe(BOB, command("subscribe OPS"), NO)
    assert await service.forget("T1", "UADA") == 1
    assert [s.created_by for s in store.rows.values()] == ["UBOB"]


async def test_a_label_nothing_carries_yet_is_saved_with_a_note(
    service: SubscriptionService, site: Site
) -> None:
    site.labels["OPS"] = {"runbook"}
    used = await service.subscribe(ADA, command("subscribe ENG,OPS label:runbook"), NO)
    assert isinstance(used, Subscribed) and not used.label_unused
    assert ("UADA", "label runbook in ENG,OPS") in site.reads
    typo = await service.subscribe(ADA, command("subscribe ENG label:runbok"), NO)
    assert isinstance(typo, Subscribed) and typo.label_unused
    assert typo.rows[0].filters.label == "runbok"  # saved all the same: it may come
    plain = await service.subscribe(ADA, command("subscribe OPS"), NO)
    assert isinstance(plain, Subscribed) and not plain.label_unused
