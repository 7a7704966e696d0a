"""Models as views over JSON: fields read, converted and checked when asked for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from bot.confluence import (
    BlogPost,
    ConfluenceClient,
    ConfluenceError,
    MalformedAnswer,
    MatonConnection,
    Page,
    SearchResult,
)
from bot.confluence.http import decode_json
from bot.confluence.views import View, text
from tests.fakes.confluence_fake import FakeConfluence

BASE = "https://acme.atlassian.net/wiki"


def page_json(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "42",
        "title": "Deploy plan",
        "spaceId": "9",
        "createdAt": "2024-05-06T10:00:00.000Z",
        "version": {"number": 3, "createdAt": "2024-05-07T08:30:00.123+02:00"},
        "_links": {"webui": "/spaces/ENG/pages/42"},
    }
    data.update(fields)
    return data


def test_date_times_are_parsed_when_read() -> None:
    page = Page(page_json(), BASE)
    assert page.created_at == datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
    assert page.version is not None
    stamp = page.version.created_at
    assert stamp == datetime(2024, 5, 7, 8, 30, 0, 123000, tzinfo=timezone(timedelta(hours=2)))
    assert Page(page_json(createdAt=None)).created_at is None
    assert Page({"id": "1"}).created_at is None


def test_a_bad_date_time_is_malformed_when_read_and_only_then() -> None:
    page = Page(page_json(createdAt="yesterday"), BASE)
    # The rest of the object reads as usual ...
    assert (page.id, page.title, page.web_url) == (
        "42",
        "Deploy plan",
        BASE + "/spaces/ENG/pages/42",
    )
    # ... and the bad field says what is wrong, where.
    with pytest.raises(MalformedAnswer, match=r"Page\.created_at is 'yesterday', not an ISO 8601"):
        _ = page.created_at
    with pytest.raises(MalformedAnswer, match=r"Version\.created_at is 20240506"):
        _ = Page(page_json(version={"number": 1, "createdAt": 20240506})).version.created_at  # type: ignore[union-attr]


def test_a_malformed_answer_is_a_bug_not_a_confluence_failure() -> None:
    # Callers handle ConfluenceError as Confluence's refusals and outages; a body of the wrong
    # shape is a bug or an API change, and goes where unexpected failures go (as pydantic's
    # ValidationError did).
    assert issubclass(MalformedAnswer, ValueError)
    assert not issubclass(MalformedAnswer, ConfluenceError)


def test_fields_are_checked_when_read() -> None:
    with pytest.raises(MalformedAnswer, match=r"Page\.id is 123, not a string"):
        _ = Page(page_json(id=123)).id
    with pytest.raises(MalformedAnswer, match=r"Page\.title is \['a'\], not a string"):
        _ = Page(page_json(title=["a"])).title
    with pytest.raises(MalformedAnswer, match=r"Version\.number is '3', not an integer"):
        _ = Page(page_json(version={"number": "3"})).version.number  # type: ignore[union-attr]
    with pytest.raises(MalformedAnswer, match=r"Page\.version is 'v3', not an object"):
        _ = Page(page_json(version="v3")).version
    with pytest.raises(MalformedAnswer, match=r"Page\.id is missing"):
        _ = Page({"title": "no id"}).id


def test_missing_and_null_fields_read_as_their_defaults() -> None:
    page = Page({"id": "1", "title": None})
    assert (page.title, page.status, page.version, page.body, page.storage) == (
        "",
        None,
        None,
        None,
        None,
    )
    assert page.links.webui is None and page.links.base is None


def test_model_validate_checks_every_field_now() -> None:
    with pytest.raises(MalformedAnswer, match=r"Page\.created_at"):
        Page.model_validate(page_json(createdAt="soon"))
    with pytest.raises(MalformedAnswer, match=r"BodyValue\.value"):
        Page.model_validate(page_json(body={"storage": {"value": 7}}))
    with pytest.raises(MalformedAnswer, match="Page is not a JSON object"):
        Page.model_validate(["a", "list"])
    page = Page.model_validate(page_json(body={"storage": {"value": "<p>x</p>"}}), BASE)
    assert page.storage == "<p>x</p>"


def test_camel_case_keys_and_the_attribute_names_both_read() -> None:
    assert Page({"id": "1", "space_id": "9"}).space_id == "9"
    connection = MatonConnection({"connectionId": "c1", "creation_time": "2024-01-01T00:00:00Z"})
    assert connection.connection_id == "c1"
    assert connection.creation_time == datetime(2024, 1, 1, tzinfo=UTC)
    body = Page(page_json(body={"atlas_doc_format": {"value": "{}"}})).body
    assert body is not None and body.atlas_doc_format is not None


def test_links_hang_off_the_base_unless_they_carry_their_own() -> None:
    assert Page(page_json(), BASE + "/").web_url == BASE + "/spaces/ENG/pages/42"
    own = page_json(_links={"webui": "/x", "base": "https://other.atlassian.net/wiki"})
    assert Page(own, BASE).web_url == "https://other.atlassian.net/wiki/x"
    later = Page(page_json())
    with pytest.raises(ValueError, match="no site base"):
        _ = later.web_url
    later.with_base(BASE)
    assert later.web_url == BASE + "/spaces/ENG/pages/42"


def test_nested_views_share_the_base() -> None:
    hit = SearchResult(
        {"content": {"id": "1", "type": "page", "_links": {"webui": "/spaces/ENG/pages/1"}}}
    )
    hit.with_base(BASE)
    assert hit.web_url == BASE + "/spaces/ENG/pages/1"
    assert hit.content is not None and hit.content.links.base == BASE


def test_views_are_read_only_and_keep_what_they_do_not_name() -> None:
    page = Page(page_json(position=7))
    assert page.json["position"] == 7
    with pytest.raises(AttributeError):
        page.title = "other"  # type: ignore[misc]
    assert Page(page_json()) == Page(page_json()) != BlogPost(page_json())
    assert "Deploy plan" in repr(page)


def test_a_view_without_slots_is_refused() -> None:
    with pytest.raises(TypeError, match="must declare __slots__"):

        class Loose(View):
            name = text()


def test_an_answer_that_is_not_json_is_malformed() -> None:
    request = httpx.Request("GET", "https://acme.atlassian.net/wiki/api/v2/pages")
    html = httpx.Response(200, content=b"<html>gateway</html>", request=request)
    with pytest.raises(MalformedAnswer, match="/wiki/api/v2/pages answered with something"):
        decode_json(html)
    # The standard library's decoder takes a lone surrogate, as Confluence may send in text.
    odd = httpx.Response(200, content=b'{"title": "x\\ud83d"}', request=request)
    assert decode_json(odd) == {"title": "x\ud83d"}
    utf16 = httpx.Response(200, content='{"title": "é"}'.encode("utf-16"), request=request)
    assert decode_json(utf16) == {"title": "é"}


async def test_a_listing_with_one_bad_item_still_lists(
    client: ConfluenceClient, fake: FakeConfluence
) -> None:
    body = {"results": [page_json(id="1"), page_json(id="2", createdAt="never")], "_links": {}}
    fake.fail(r"/wiki/api/v2/pages$", 200, json=body)
    pages = await client.pages.list(limit=5).collect()
    assert [p.id for p in pages] == ["1", "2"]
    assert pages[0].created_at is not None
    with pytest.raises(MalformedAnswer, match=r"Page\.created_at is 'never'"):
        _ = pages[1].created_at


async def test_a_listing_without_a_list_of_results_is_malformed(
    client: ConfluenceClient, fake: FakeConfluence
) -> None:
    fake.fail(r"/wiki/api/v2/pages$", 200, json={"results": "not a list"})
    with pytest.raises(MalformedAnswer, match="without a list of results"):
        await client.pages.list(limit=5).collect()


async def test_one_bad_field_in_a_single_answer_is_malformed_at_once(
    client: ConfluenceClient, fake: FakeConfluence
) -> None:
    fake.add_space("ENG", "Engineering")
    page = fake.add_page("ENG", "Plan")
    fake.fail(rf"/pages/{page['id']}$", 200, json=page_json(id=str(page["id"]), createdAt="?"))
    with pytest.raises(MalformedAnswer, match=r"Page\.created_at"):
        await client.pages.get(str(page["id"]))
