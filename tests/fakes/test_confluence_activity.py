"""The fake Confluence as the notification poller and the personal feed read it: CQL on activity
(dates in the caller's time zone, to the minute; mentions, watchers, creators, contributors;
comments through their page), v1 search expansions and paging, versions, comments, tasks, what each
identity may see, and request counts.

Every request these tests send must be a documented operation that meets its rules, and every
answer may carry only fields its documented response schema declares (tests.confluence.openapi,
when ../shared/specs is present).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests import shared_specs
from tests.confluence import openapi
from tests.confluence.refusals import break_each_rule
from tests.fakes.confluence_fake import FakeConfluence

CLOUD = "11111111-2222-3333-4444-555555555555"
GW = f"http://gateway.test/confluence/ex/confluence/{CLOUD}/wiki"
BEARER = {"Authorization": "Bearer maton-test-key"}
# Wednesday 10 January 2024, 09:00 UTC (10:00 in Berlin).
T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
ALICE, BOB, CAROL = "u-alice", "u-bob", "u-carol"


def mention(account: str) -> str:
    return f'<ac:link><ri:user ri:account-id="{account}"/></ac:link>'


def task(local_id: str, body: str, status: str = "incomplete") -> str:
    return (
        f"<ac:task><ac:task-id>{local_id}</ac:task-id><ac:task-status>{status}</ac:task-status>"
        f"<ac:task-body>{body}</ac:task-body></ac:task>"
    )


@pytest.fixture
def site() -> FakeConfluence:
    fake = FakeConfluence()
    fake.freeze_time(T0)
    fake.add_user(ALICE, "Alice Doe", "alice@example.com", time_zone="Europe/Berlin")
    fake.add_user(BOB, "Bob Roe", "bob@example.com")
    fake.add_user(CAROL, "Carol Poe", "carol@example.com", autowatch=False)
    for account in (ALICE, BOB, CAROL):
        fake.add_connection(f"c-{account}", account_id=account)
    fake.add_space("ENG", "Engineering")
    fake.add_space("OPS", "Operations")
    return fake


@pytest.fixture(autouse=True)
def _requests_meet_the_spec(site: FakeConfluence) -> Iterator[None]:
    yield
    if openapi.available():
        assert openapi.mismatches(site.requests) == []


@pytest.fixture
async def http(site: FakeConfluence) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=site.transport()) as client:
        yield client


class Api:
    """Requests as one identity; each answer is checked against its documented schema."""

    def __init__(self, site: FakeConfluence, http: httpx.AsyncClient, account: str) -> None:
        self.site = site
        self.http = http
        self.headers = {**BEARER, "Maton-Connection": f"c-{account}"}

    async def request(
        self, method: str, path: str, params: Any = None, body: Any = None, *, bad: bool = False
    ) -> httpx.Response:
        """``bad``: the request breaks the spec on purpose (it is then left out of the check)."""
        url = GW + path
        r = await self.http.request(method, url, params=params, json=body, headers=self.headers)
        if bad:
            self.site.requests.pop()
        elif openapi.available() and r.status_code < 400 and r.content:
            assert openapi.undeclared(method, url, r.status_code, r.json()) == []
        return r

    async def get(self, path: str, **params: Any) -> Any:
        r = await self.request("GET", path, params)
        assert r.status_code == 200, r.text
        return r.json()

    async def search(self, cql: str, **params: Any) -> list[str]:
        body = await self.get("/rest/api/search", cql=cql, **params)
        return [hit["content"]["id"] for hit in body["results"]]

    async def refused(self, path: str, **params: Any) -> str:
        r = await self.request("GET", path, params, bad=True)
        assert r.status_code == 400, r.text
        return str(r.json()["message"] if "/rest/api/" in path else r.json()["errors"][0]["title"])


@pytest.fixture
def alice(site: FakeConfluence, http: httpx.AsyncClient) -> Api:
    return Api(site, http, ALICE)


@pytest.fixture
def bob(site: FakeConfluence, http: httpx.AsyncClient) -> Api:
    return Api(site, http, BOB)


@pytest.fixture
def carol(site: FakeConfluence, http: httpx.AsyncClient) -> Api:
    return Api(site, http, CAROL)


# -- CQL: dates -------------------------------------------------------------------------------
async def test_date_literals_are_read_in_the_callers_time_zone(
    site: FakeConfluence, alice: Api, bob: Api
) -> None:
    page = site.add_page("ENG", "Plan", author_id=BOB)["id"]  # 09:00 UTC, 10:00 in Berlin
    cql = 'type = page and lastmodified >= "2024-01-10 10:00"'
    assert await alice.search(cql) == [page]  # Berlin: 10:00 local is 09:00 UTC
    assert await bob.search(cql) == []  # UTC: 10:00 has not come yet
    assert await bob.search('type = page and lastmodified >= "2024-01-10 09:00"') == [page]
    for literal in ("2024/01/10 09:00", "2024-01-10", "2024/01/10"):
        assert await bob.search(f'type = page and created >= "{literal}"') == [page]
    assert await bob.search('type = page and created < "2024-01-10"') == []
    assert await bob.search("type = page and created = 2024-01-10") == [page]


async def test_the_site_default_time_zone_applies_to_users_without_one() -> None:
    fake = FakeConfluence(default_time_zone="America/New_York")
    fake.freeze_time(T0)  # 04:00 in New York
    fake.add_user(BOB, "Bob")
    fake.add_connection(f"c-{BOB}", account_id=BOB)
    fake.add_space("ENG", "Engineering")
    page = fake.add_page("ENG", "Plan")["id"]
    async with httpx.AsyncClient(transport=fake.transport()) as http:
        bob = Api(fake, http, BOB)
        assert await bob.search('lastmodified >= "2024-01-10 04:00"') == [page]
        assert await bob.search('lastmodified > "2024-01-10 04:00"') == []
        info = await bob.get("/rest/api/settings/systemInfo")
        me = await bob.get("/rest/api/user/current")
    assert info["defaultTimeZone"] == "America/New_York"
    assert info["cloudId"] == CLOUD
    assert me["timeZone"] == "America/New_York"
    assert not openapi.available() or openapi.mismatches(fake.requests) == []


async def test_lastmodified_is_indexed_to_the_minute(site: FakeConfluence, bob: Api) -> None:
    site.freeze_time(T0 + timedelta(minutes=4, seconds=30))  # 09:04:30
    page = site.add_page("ENG", "Late", author_id=BOB)["id"]
    site.freeze_time(T0 + timedelta(minutes=5, seconds=10))  # 09:05:10
    # Indexed as 09:04: one minute back from 09:05:10 (09:04:10) is past it.
    assert await bob.search('lastmodified >= now("-1m")') == []
    assert await bob.search('lastmodified >= now("-2m")') == [page]
    assert await bob.search('lastmodified >= "2024-01-10 09:04"') == [page]
    assert await bob.search('lastmodified > "2024-01-10 09:04"') == []  # the whole minute
    assert await bob.search('lastmodified <= "2024-01-10 09:04"') == [page]
    assert await bob.search('lastmodified < "2024-01-10 09:04"') == []


async def test_date_functions_follow_the_callers_day(
    site: FakeConfluence, alice: Api, bob: Api
) -> None:
    site.freeze_time(datetime(2024, 1, 10, 23, 30, tzinfo=UTC))  # 00:30 on the 11th in Berlin
    page = site.add_page("ENG", "Night", author_id=BOB)["id"]
    site.freeze_time(datetime(2024, 1, 11, 0, 15, tzinfo=UTC))
    # Bob's (UTC) day began at 00:00 UTC on the 11th: the page is from his yesterday.
    assert await bob.search("created >= startOfDay()") == []
    assert await bob.search('created >= startOfDay("-1d")') == [page]
    # Alice's (Berlin) day began at 23:00 UTC on the 10th: the page is from her today.
    assert await alice.search("created >= startOfDay()") == [page]
    assert await alice.search('created > endOfDay("-1d")') == [page]
    assert await bob.search("created >= startOfWeek() and created <= endOfWeek()") == [page]
    assert await bob.search("created >= startOfMonth() and created < endOfYear()") == [page]
    assert await bob.search('created >= startOfYear("+1y")') == []


# -- CQL: people ------------------------------------------------------------------------------
async def test_mentions_creators_contributors_and_watchers(
    site: FakeConfluence, alice: Api, bob: Api, carol: Api
) -> None:
    page = site.add_page("ENG", "Ask", f"<p>Hi {mention(ALICE)}</p>", author_id=BOB)["id"]
    assert await alice.search("mention = currentUser()") == [page]
    assert await bob.search("mention = currentUser()") == []
    assert await bob.search(f'mention = "{ALICE}" and creator = currentUser()') == [page]
    assert await alice.search("creator = currentUser()") == []
    # The creator watches what they create (Confluence's autowatch).
    assert await bob.search("watcher = currentUser()") == [page]
    assert await alice.search("watcher = currentUser()") == []

    site.edit(page, "<p>Hi all</p>", by=CAROL)  # Carol turned autowatch off
    assert await carol.search("contributor = currentUser()") == [page]
    assert await carol.search("watcher = currentUser()") == []
    assert await alice.search("mention = currentUser()") == []  # the mention was edited out
    site.edit(page, by=ALICE, minor_edit=True)
    assert await alice.search("watcher = currentUser() and contributor = currentUser()") == [page]
    assert await bob.search(f"contributor in ({ALICE}, {CAROL}) and creator = {BOB}") == [page]
    site.unwatch(page, BOB)
    assert await bob.search("watcher = currentUser()") == []
    site.watch(page, CAROL)
    assert await carol.search("watcher = currentUser()") == [page]
    assert await bob.search("creator = currentUser() and mention != currentUser()") == [page]


# -- CQL: comments go with their page ---------------------------------------------------------
async def test_comments_are_found_through_their_page(site: FakeConfluence, bob: Api) -> None:
    root = site.add_page("ENG", "Root", author_id=BOB)["id"]
    child = site.add_page("ENG", "Child", "<p>child words</p>", parent_id=root)["id"]
    site.add_label(child, "runbook")
    top = site.add_footer_comment(page_id=child, body="<p>why</p>", author_id=BOB)["id"]
    reply = site.add_footer_comment(parent_comment_id=top, body="<p>because</p>")["id"]
    inline = site.add_inline_comment(child, "<p>typo</p>", selection="child words")["id"]
    site.add_footer_comment(page_id=site.add_page("OPS", "Other")["id"])
    comments = {top, reply, inline}

    assert set(await bob.search("type = comment and space = ENG")) == comments
    assert set(await bob.search(f"type = comment and ancestor = {root}")) == comments
    assert set(await bob.search(f"ancestor = {root}")) == comments | {child}
    assert set(await bob.search(f"type = comment and parent = {child}")) == {top, inline}
    assert await bob.search(f"parent = {top}") == [reply]
    # Labels are the comment's own: a labelled page does not label its comments.
    assert await bob.search("label = runbook") == [child]
    assert await bob.search("type = comment and label = runbook") == []
    assert await bob.search("type = comment and creator = currentUser()") == [top]
    site.trash(child)
    assert await bob.search("type = comment and space = ENG") == []


# -- CQL: what Confluence refuses -------------------------------------------------------------
@pytest.mark.parametrize(
    "cql",
    [
        "creator != currentUser()",  # a negative expression cannot be the first clause
        "not space = ENG",
        "type = pages",
        "lastmodified >= currentUser()",
        "mention = now()",
        'created > "10 Jan 2024"',
        'created > now("-5 minutes")',
        "watcher ~ alice",
        "favourite = currentUser()",
        "label > x",
    ],
)
async def test_cql_refused_like_confluence(bob: Api, cql: str) -> None:
    message = await bob.refused("/rest/api/search", cql=cql)
    assert message.startswith(f"Could not parse cql : {cql}")


# -- v1 search: expansions, shapes and paging -------------------------------------------------
async def test_search_expansions(site: FakeConfluence, alice: Api) -> None:
    root = site.add_page("ENG", "Root", author_id=BOB)["id"]
    page = site.add_page("ENG", "Deploy", "<p>first</p>", parent_id=root, author_id=BOB)["id"]
    site.add_label(page, "howto")
    site.advance(minutes=3)
    site.edit(page, "<p>second</p>", by=ALICE, minor_edit=True, message="typo")
    expand = ",".join(
        f"content.{e}"
        for e in (
            "version",
            "history.lastUpdated",
            "ancestors",
            "container",
            "space",
            "metadata.labels",
            "body.storage",
        )
    )
    body = await alice.get("/rest/api/search", cql=f"id = {page}", expand=expand)
    (hit,) = body["results"]
    content = hit["content"]
    version = content["version"]
    assert (version["number"], version["minorEdit"], version["message"]) == (2, True, "typo")
    assert version["by"]["accountId"] == ALICE and version["by"]["displayName"] == "Alice Doe"
    assert version["when"] == "2024-01-10T09:03:00.000Z" == hit["lastModified"]
    assert content["history"]["createdBy"]["accountId"] == BOB
    assert content["history"]["createdDate"] == "2024-01-10T09:00:00.000Z"
    assert content["history"]["lastUpdated"]["number"] == 2
    assert [a["id"] for a in content["ancestors"]] == [root]
    assert content["container"]["key"] == "ENG" == content["space"]["key"]
    assert [label["name"] for label in content["metadata"]["labels"]["results"]] == ["howto"]
    assert content["body"]["storage"]["value"] == "<p>second</p>"
    for expanded in ("version", "history", "ancestors", "container", "space", "body"):
        assert expanded not in content["_expandable"]
    assert hit["url"] == content["_links"]["webui"] and hit["excerpt"] == "second"

    plain = (await alice.get("/rest/api/search", cql=f"id = {page}"))["results"][0]["content"]
    assert "version" not in plain and plain["_expandable"]["version"] == ""


async def test_comment_hits_carry_their_page(site: FakeConfluence, bob: Api) -> None:
    page = site.add_page("ENG", "Design", "<p>the proposal</p>")["id"]
    top = site.add_inline_comment(page, "<p>hmm</p>", selection="proposal", author_id=BOB)["id"]
    reply = site.add_inline_comment(body="<p>ok</p>", parent_comment_id=top)["id"]
    expand = "content.container,content.ancestors,content.extensions,content.version"
    body = await bob.get("/rest/api/search", cql="type = comment order by created", expand=expand)
    first, second = body["results"]
    assert [first["content"]["id"], second["content"]["id"]] == [top, reply]
    assert first["content"]["type"] == "comment" and first["title"] == "Re: Design"
    assert first["content"]["container"]["id"] == page
    assert first["resultParentContainer"]["title"] == "Design"
    assert first["content"]["extensions"]["location"] == "inline"
    assert first["content"]["extensions"]["inlineProperties"]["originalSelection"] == "proposal"
    assert [a["id"] for a in second["content"]["ancestors"]] == [top]
    assert first["url"].endswith(f"?focusedCommentId={top}")


async def test_search_pages_to_the_end_by_next_link(
    site: FakeConfluence, bob: Api, http: httpx.AsyncClient
) -> None:
    made = []
    for n in range(60):
        made.append(site.add_page("ENG", f"Page {n}")["id"])
        site.advance(seconds=61)
    seen: list[str] = []
    params: dict[str, Any] | None = {
        "cql": "type = page order by lastmodified asc",
        "limit": 25,
        "expand": "content.body.storage",
    }
    path = "/rest/api/search"
    while True:
        r = await bob.request("GET", path, params)
        body = r.json()
        assert body["limit"] <= 50  # bodies cap a search page at 50 results
        seen.extend(hit["content"]["id"] for hit in body["results"])
        nxt = body["_links"].get("next")
        if nxt is None:
            break
        assert nxt.startswith("/rest/api/search?") and "cursor=" in nxt
        path, params = nxt, None
    assert seen == made
    capped = await bob.get(
        "/rest/api/search", cql="type = page", limit=100, expand="content.body.storage"
    )
    assert capped["limit"] == 50 and len(capped["results"]) == 50


# -- content lifecycle and v2 lists -----------------------------------------------------------
async def test_versions_record_edits(site: FakeConfluence, alice: Api) -> None:
    page = site.add_page("ENG", "Doc", "<p>v1</p>", author_id=BOB)["id"]
    site.advance(minutes=1)
    site.edit(page, "<p>v2</p>", by=ALICE, message="fix numbers")
    site.advance(minutes=1)
    site.edit(page, "<p>v3</p>", by=ALICE, minor_edit=True)
    body = await alice.get(f"/api/v2/pages/{page}/versions", **{"body-format": "storage"})
    rows = [
        (v["number"], v["authorId"], v["minorEdit"], v["message"], v["page"]["body"])
        for v in body["results"]
    ]
    assert rows == [
        (3, ALICE, True, "", {"storage": {"representation": "storage", "value": "<p>v3</p>"}}),
        (
            2,
            ALICE,
            False,
            "fix numbers",
            {"storage": {"representation": "storage", "value": "<p>v2</p>"}},
        ),
        (1, BOB, False, "", {"storage": {"representation": "storage", "value": "<p>v1</p>"}}),
    ]
    assert body["results"][0]["createdAt"] == "2024-01-10T09:02:00.000Z"
    oldest = await alice.get(f"/api/v2/pages/{page}/versions", sort="modified-date", limit=1)
    assert [v["number"] for v in oldest["results"]] == [1]
    blog = site.add_blogpost("ENG", "News", author_id=BOB)["id"]
    site.edit(blog, "<p>more</p>", by=ALICE)
    versions = await alice.get(f"/api/v2/blogposts/{blog}/versions")
    assert [(v["number"], v["blogpost"]["id"]) for v in versions["results"]] == [
        (2, blog),
        (1, blog),
    ]
    r = await alice.request("GET", f"/api/v2/pages/{blog}/versions")
    assert r.status_code == 404  # a blog post's id is not a page


async def test_lists_sorted_by_modified_date(site: FakeConfluence, bob: Api) -> None:
    eng = site.space_ids_by_key["ENG"]
    first = site.add_page("ENG", "First")["id"]
    site.advance(minutes=1)
    second = site.add_page("ENG", "Second")["id"]
    site.add_page("OPS", "Elsewhere")
    site.advance(minutes=1)
    site.edit(first, "<p>newer</p>", by=BOB)
    body = await bob.get("/api/v2/pages", sort="-modified-date", **{"space-id": eng})
    assert [p["id"] for p in body["results"]] == [first, second]
    assert body["results"][0]["version"]["number"] == 2


async def test_comment_lists(site: FakeConfluence, alice: Api, bob: Api) -> None:
    page = site.add_page("ENG", "Spec", "<p>the api shape</p>", author_id=ALICE)["id"]
    blog = site.add_blogpost("ENG", "News", "<p>big news</p>", author_id=ALICE)["id"]
    footer = site.add_footer_comment(page_id=page, body="<p>+1</p>", author_id=BOB)["id"]
    site.advance(minutes=1)
    reply = site.add_footer_comment(
        parent_comment_id=footer, body="<p>thanks</p>", author_id=ALICE
    )["id"]
    inline = site.add_inline_comment(page, "<p>rename?</p>", selection="api shape", author_id=BOB)[
        "id"
    ]
    inline_reply = site.add_inline_comment(body="<p>no</p>", parent_comment_id=inline)["id"]
    on_blog = site.add_footer_comment(blogpost_id=blog, author_id=BOB)["id"]
    blog_inline = site.add_inline_comment(blog, selection="news", author_id=BOB)["id"]

    async def ids(path: str, **params: Any) -> list[str]:
        return [c["id"] for c in (await alice.get(path, **params))["results"]]

    assert await ids(f"/api/v2/pages/{page}/footer-comments") == [footer]
    assert await ids(f"/api/v2/pages/{page}/inline-comments") == [inline]
    assert await ids(f"/api/v2/blogposts/{blog}/footer-comments") == [on_blog]
    assert await ids(f"/api/v2/blogposts/{blog}/inline-comments") == [blog_inline]
    assert await ids(f"/api/v2/footer-comments/{footer}/children") == [reply]
    assert await ids(f"/api/v2/inline-comments/{inline}/children") == [inline_reply]
    newest = await ids("/api/v2/footer-comments", sort="-created-date")
    assert newest[:1] == [on_blog] and set(newest) == {footer, reply, on_blog}
    assert set(await ids("/api/v2/inline-comments")) == {inline, inline_reply, blog_inline}

    listed = await alice.get(f"/api/v2/pages/{page}/inline-comments", **{"body-format": "storage"})
    (one,) = listed["results"]
    assert one["properties"]["inlineOriginalSelection"] == "api shape"
    assert one["body"]["storage"]["value"] == "<p>rename?</p>"
    assert one["version"]["authorId"] == BOB and one["resolutionStatus"] == "open"
    got = await alice.get(f"/api/v2/inline-comments/{inline_reply}")
    assert got["parentCommentId"] == inline and got["pageId"] == page
    assert got["properties"]["inlineOriginalSelection"] == "api shape"
    site.resolve_inline_comment(inline, ALICE)
    assert await ids(f"/api/v2/pages/{page}/inline-comments", **{"resolution-status": "open"}) == []
    site.edit(footer, "<p>+2</p>", by=BOB)
    versions = await alice.get(f"/api/v2/footer-comments/{footer}/versions")
    assert [(v["number"], v["comment"]["id"]) for v in versions["results"]] == [
        (2, footer),
        (1, footer),
    ]
    assert "Invalid sort" in await alice.refused("/api/v2/footer-comments", sort="id")
    assert "Invalid value" in await alice.refused(
        f"/api/v2/pages/{page}/inline-comments", **{"resolution-status": "closed"}
    )
    with pytest.raises(ValueError, match="not text"):
        site.add_inline_comment(page, selection="not on the page")


# -- tasks ------------------------------------------------------------------------------------
def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


async def test_tasks_come_from_page_bodies(site: FakeConfluence, alice: Api, bob: Api) -> None:
    body = (
        "<ac:task-list>"
        + task("1", f'Review {mention(ALICE)} by <time datetime="2024-01-12"/>')
        + task("2", f"Ship it {mention(BOB)}")
        + task("3", "")
        + "</ac:task-list>"
    )
    page = site.add_page("ENG", "Release", body, author_id=BOB)["id"]
    mine = await alice.get(
        "/api/v2/tasks", **{"assigned-to": ALICE, "status": "incomplete", "body-format": "storage"}
    )
    (one,) = mine["results"]
    assert (one["pageId"], one["spaceId"], one["createdBy"]) == (
        page,
        site.space_ids_by_key["ENG"],
        BOB,
    )
    assert one["dueAt"] == "2024-01-12T00:00:00.000Z" and one["localId"] == "1"
    assert one["createdAt"] == one["updatedAt"] == "2024-01-10T09:00:00.000Z"
    assert "Review" in one["body"]["storage"]["value"]
    everything = await alice.get("/api/v2/tasks", **{"page-id": page})
    assert len(everything["results"]) == 3
    filled = await alice.get("/api/v2/tasks", **{"page-id": page, "include-blank-tasks": "false"})
    assert len(filled["results"]) == 2

    due = {
        "due-at-from": _ms(datetime(2024, 1, 12, tzinfo=UTC)),
        "due-at-to": _ms(datetime(2024, 1, 12, 23, tzinfo=UTC)),
    }
    assert [t["id"] for t in (await alice.get("/api/v2/tasks", **due))["results"]] == [one["id"]]
    later = {"created-at-from": _ms(T0 + timedelta(minutes=1))}
    assert (await alice.get("/api/v2/tasks", **later))["results"] == []

    # Done, as Alice over the API: her completion, the box ticked in the page, no new version.
    site.advance(minutes=5)
    r = await alice.request("PUT", f"/api/v2/tasks/{one['id']}", body={"status": "complete"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["completedBy"]) == ("complete", ALICE)
    assert done["completedAt"] == done["updatedAt"] == "2024-01-10T09:05:00.000Z"
    stored = site.items[page]
    assert "<ac:task-status>complete</ac:task-status>" in (stored.storage or "")
    assert stored.data["version"]["number"] == 1
    still_open = await alice.get("/api/v2/tasks", **{"assigned-to": ALICE, "status": "incomplete"})
    assert still_open["results"] == []
    reopened = await alice.request(
        "PUT", f"/api/v2/tasks/{one['id']}", body={"status": "incomplete"}
    )
    assert reopened.json()["completedBy"] is None and reopened.json()["completedAt"] is None

    # An edit that drops a task removes it; a new one is created by the editor.
    site.edit(
        page, "<ac:task-list>" + task("4", f"Again {mention(ALICE)}") + "</ac:task-list>", by=CAROL
    )
    left = await alice.get("/api/v2/tasks", **{"page-id": page})
    assert [(t["localId"], t["createdBy"], t["assignedTo"]) for t in left["results"]] == [
        ("4", CAROL, ALICE)
    ]
    assert (await alice.request("GET", f"/api/v2/tasks/{one['id']}")).status_code == 404


async def test_task_updates_refused_like_confluence(
    site: FakeConfluence, alice: Api, bob: Api
) -> None:
    page = site.add_page("ENG", "Todo", "<ac:task-list>" + task("1", "x") + "</ac:task-list>")["id"]
    (found,) = (await alice.get("/api/v2/tasks", **{"page-id": page}))["results"]
    url = f"/api/v2/tasks/{found['id']}"
    for wrong in ({}, {"status": "done"}):
        r = await alice.request("PUT", url, body=wrong, bad=True)
        assert r.status_code == 400 and r.json()["errors"][0]["code"] == "INVALID_REQUEST_PARAMETER"
    site.revoke_space_access("ENG", BOB)
    r = await bob.request("PUT", url, body={"status": "complete"})
    assert r.status_code == 404  # a task the caller cannot see
    assert site.items[found["id"]].data["status"] == "incomplete"
    assert "epoch" in await alice.refused("/api/v2/tasks", **{"due-at-from": "tomorrow"})


async def test_task_text_with_escaped_characters_keeps_its_assignee(
    site: FakeConfluence, alice: Api
) -> None:
    body = (
        "<ac:task-list>" + task("1", f"Fix a &lt; b &amp; c {mention(ALICE)}") + "</ac:task-list>"
    )
    site.add_page("ENG", "Escapes", body)
    (found,) = (
        await alice.get("/api/v2/tasks", **{"assigned-to": ALICE, "body-format": "storage"})
    )["results"]
    assert found["body"]["storage"]["value"].startswith("Fix a &lt; b &amp; c <ac:link>")


async def test_tasks_page_by_cursor(site: FakeConfluence, alice: Api) -> None:
    body = (
        "<ac:task-list>"
        + "".join(task(str(n), f"t{n} {mention(ALICE)}") for n in range(30))
        + "</ac:task-list>"
    )
    site.add_page("ENG", "Many", body)
    seen: list[str] = []
    params: dict[str, Any] | None = {"assigned-to": ALICE, "limit": 7}
    path = "/api/v2/tasks"
    while True:
        r = await alice.request("GET", path, params)
        seen.extend(t["id"] for t in r.json()["results"])
        nxt = r.json()["_links"].get("next")
        if nxt is None:
            break
        assert r.headers["link"].startswith(f"<{nxt}>")
        path, params = nxt.removeprefix("/wiki"), None
    assert len(seen) == len(set(seen)) == 30


# -- who may see what -------------------------------------------------------------------------
async def test_restricted_spaces_are_hidden(site: FakeConfluence, alice: Api, bob: Api) -> None:
    page = site.add_page("ENG", "Secret", f"<p>{mention(BOB)}</p>", author_id=ALICE)["id"]
    comment = site.add_footer_comment(page_id=page, author_id=ALICE)["id"]
    site.add_task(page, f"<p>{mention(BOB)}</p>", assigned_to=BOB)
    site.restrict_space("ENG", [ALICE])
    assert set(await alice.search("space = ENG")) == {page, comment}
    assert await bob.search("space = ENG or mention = currentUser()") == []
    assert (await bob.request("GET", f"/api/v2/pages/{page}")).status_code == 404
    eng = site.space_ids_by_key["ENG"]
    assert (await bob.request("GET", f"/api/v2/spaces/{eng}")).status_code == 404
    assert [s["key"] for s in (await bob.get("/api/v2/spaces"))["results"]] == ["OPS"]
    assert (await bob.get("/api/v2/pages"))["results"] == []
    assert (await bob.get("/api/v2/footer-comments"))["results"] == []
    assert (await bob.get("/api/v2/tasks", **{"assigned-to": BOB}))["results"] == []
    r = await bob.request(
        "POST",
        "/api/v2/pages",
        body={
            "spaceId": eng,
            "status": "current",
            "title": "X",
            "body": {"representation": "storage", "value": "<p/>"},
        },
    )
    assert r.status_code == 404

    site.revoke_space_access("ENG", ALICE)
    assert await alice.search("space = ENG") == []
    site.grant_space_access("ENG", ALICE)
    assert await alice.search("type = page") == [page]
    site.delete_space("ENG")
    assert await alice.search("type = page") == []
    assert (await alice.request("GET", f"/api/v2/pages/{page}")).status_code == 404
    assert (await alice.request("GET", f"/api/v2/spaces/{eng}")).status_code == 404


async def test_page_restrictions_reach_children_and_comments(
    site: FakeConfluence, alice: Api, bob: Api
) -> None:
    root = site.add_page("ENG", "HR", author_id=ALICE)["id"]
    child = site.add_page("ENG", "Salaries", parent_id=root)["id"]
    comment = site.add_footer_comment(page_id=child, author_id=ALICE)["id"]
    open_page = site.add_page("ENG", "Lunch")["id"]
    site.restrict_content(root, [ALICE])
    assert set(await alice.search("space = ENG")) == {root, child, comment, open_page}
    assert await bob.search("space = ENG") == [open_page]
    assert (await bob.request("GET", f"/api/v2/footer-comments/{comment}")).status_code == 404
    site.restrict_content(root, None)
    assert set(await bob.search("space = ENG")) == {root, child, comment, open_page}


# -- identities, users and counting ----------------------------------------------------------
async def test_user_time_zones(site: FakeConfluence, alice: Api, bob: Api) -> None:
    assert (await alice.get("/rest/api/user/current"))["timeZone"] == "Europe/Berlin"
    assert (await bob.get("/rest/api/user/current"))["timeZone"] == "UTC"
    site.set_time_zone(BOB, "Asia/Tokyo", hidden=True)
    assert (await bob.get("/rest/api/user/current"))["timeZone"] is None
    page = site.add_page("ENG", "Tokyo")["id"]  # 18:00 in Tokyo: hidden, still Bob's zone
    assert await bob.search('created >= "2024-01-10 18:00"') == [page]
    r = await bob.request("POST", "/api/v2/users-bulk", body={"accountIds": [ALICE, BOB, "nobody"]})
    assert [(u["accountId"], u["timeZone"]) for u in r.json()["results"]] == [
        (ALICE, "Europe/Berlin"),
        (BOB, None),
    ]
    too_many = await bob.request(
        "POST", "/api/v2/users-bulk", body={"accountIds": ["x"] * 251}, bad=True
    )
    assert too_many.status_code == 400
    assert "expand" in await bob.refused("/rest/api/user/current", expand="groups")


async def test_requests_are_counted_per_route_connection_and_account(
    site: FakeConfluence, alice: Api, bob: Api
) -> None:
    site.add_page("ENG", "Counted")
    await alice.search("type = page")
    await alice.search("type = blogpost")
    await bob.get("/api/v2/pages")
    assert site.count("GET /wiki/rest/api/search") == 2
    assert site.count("GET /wiki/rest/api/search", connection=f"c-{ALICE}") == 2
    assert site.count("GET /wiki/api/v2/pages", account=BOB) == 1
    assert site.counts() == {"GET /wiki/rest/api/search": 2, "GET /wiki/api/v2/pages": 1}
    assert site.counts("connection") == {f"c-{ALICE}": 2, f"c-{BOB}": 1}
    assert site.requests[-1].status == 200
    site.reset_requests()
    assert site.count() == 0


async def test_an_expired_grant_fails_like_maton(
    site: FakeConfluence, alice: Api, bob: Api
) -> None:
    site.expire_connection(f"c-{ALICE}")
    r = await alice.request("GET", "/rest/api/user/current")
    assert r.status_code == 500 and "invalid_grant" in r.json()["error"]
    assert (await bob.request("GET", "/rest/api/user/current")).status_code == 200


async def test_a_frozen_clock_stamps_everything(site: FakeConfluence) -> None:
    page = site.add_page("ENG", "Stamped")
    assert page["createdAt"] == "2024-01-10T09:00:00.000Z"
    site.advance(timedelta(hours=2))
    site.edit(page["id"], "<p>later</p>")
    assert page["version"]["createdAt"] == "2024-01-10T11:00:00.000Z"
    comment = site.add_footer_comment(page_id=page["id"])
    assert comment["version"]["createdAt"] == "2024-01-10T11:00:00.000Z"
    assert json.dumps(page)  # records stay plain JSON


# -- the fake refuses what the documents refuse -----------------------------------------------
async def test_each_documented_rule_broken_is_refused(
    site: FakeConfluence, alice: Api, http: httpx.AsyncClient
) -> None:
    if not openapi.available():
        pytest.skip(shared_specs.missing("the Confluence OpenAPI documents", openapi.SPECS))
    body = "<ac:task-list>" + task("1", f"x {mention(ALICE)}") + "</ac:task-list>"
    page = site.add_page("ENG", "Rules", f"<p>rule text</p>{body}", author_id=ALICE)["id"]
    blog = site.add_blogpost("ENG", "Blog", author_id=ALICE)["id"]
    comment = site.add_footer_comment(page_id=page)["id"]
    inline = site.add_inline_comment(page, selection="rule text")["id"]
    (todo,) = site.by_kind["task"]
    storage = {"body-format": "storage"}
    await alice.get(
        "/rest/api/search",
        cql="type = page",
        expand="content.version",
        excerpt="indexed",
        limit=5,
        start=0,
    )
    await alice.get("/rest/api/user/current", expand="personalSpace")
    await alice.get("/rest/api/settings/systemInfo")
    await alice.get(
        "/api/v2/tasks",
        status="incomplete",
        **{"assigned-to": ALICE, "include-blank-tasks": "false", "due-at-from": 0, **storage},
    )
    await alice.request("PUT", f"/api/v2/tasks/{todo}", storage, body={"status": "complete"})
    await alice.get(f"/api/v2/tasks/{todo}", **storage)
    for path in (f"/api/v2/pages/{page}/versions", f"/api/v2/blogposts/{blog}/versions"):
        await alice.get(path, sort="-modified-date", **storage)
    await alice.get(f"/api/v2/footer-comments/{comment}/versions", sort="modified-date")
    await alice.get(f"/api/v2/inline-comments/{inline}/versions", sort="modified-date")
    await alice.get("/api/v2/footer-comments", sort="-created-date", **storage)
    await alice.get("/api/v2/inline-comments", sort="modified-date", **storage)
    await alice.get(f"/api/v2/pages/{page}/footer-comments", status="current", sort="created-date")
    await alice.get(
        f"/api/v2/pages/{page}/inline-comments",
        status="current",
        sort="-modified-date",
        **{"resolution-status": "open", **storage},
    )
    await alice.get(f"/api/v2/blogposts/{blog}/footer-comments", status="current", **storage)
    await alice.get(f"/api/v2/blogposts/{blog}/inline-comments", status="current", **storage)
    await alice.get(f"/api/v2/footer-comments/{comment}/children", sort="created-date")
    await alice.get(f"/api/v2/inline-comments/{inline}/children", sort="created-date")
    await alice.get(f"/api/v2/inline-comments/{inline}", **{"body-format": "view"})
    await alice.get(
        "/api/v2/pages", sort="-modified-date", **{"space-id": site.space_ids_by_key["ENG"]}
    )

    tried, accepted = await break_each_rule(http, list(site.requests))
    site.requests.clear()  # the broken ones break the spec on purpose
    assert not accepted, "\n".join(accepted)
    assert tried >= 33, tried  # required fields and listed values these requests use
