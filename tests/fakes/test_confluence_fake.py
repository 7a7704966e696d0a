"""Tests of the Confluence/Maton fake itself: its refusals, paging and both transports."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve, serve_async
from tests.shared_specs import SPECS, missing

CLOUD = "11111111-2222-3333-4444-555555555555"
GW = f"/confluence/ex/confluence/{CLOUD}/wiki"
BEARER = {"Authorization": "Bearer maton-test-key"}
BASIC = {"Authorization": "Basic " + base64.b64encode(b"bot@example.com:test-api-token").decode()}


@pytest.fixture
def fake() -> FakeConfluence:
    fake = FakeConfluence()
    fake.add_space("ENG", "Engineering")
    return fake


@pytest.fixture
async def client(fake: FakeConfluence) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=fake.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as c:
        yield c


def _space_id(fake: FakeConfluence, key: str = "ENG") -> str:
    return fake.space_ids_by_key[key]


async def _all_pages(client: httpx.AsyncClient, first: str, params: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    response = await client.get(first, params=params, headers=BEARER)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        ids.extend(p["id"] for p in body["results"])
        nxt = body["_links"].get("next")
        link = response.headers.get("link")
        if nxt is None:
            assert link is None
            return ids
        assert link == f'<{nxt}>; rel="next", <https://acme.atlassian.net/wiki>; rel="base"'
        assert nxt.startswith("/wiki/api/v2/")
        response = await client.get(GW + nxt.removeprefix("/wiki"), headers=BEARER)


# -- auth -------------------------------------------------------------------------------------
async def test_gateway_requires_the_api_key(client: httpx.AsyncClient) -> None:
    bad = await client.get(f"{GW}/api/v2/spaces", headers={"Authorization": "Bearer nope"})
    assert (bad.status_code, bad.json()) == (401, {"error": "Invalid API key"})
    assert (await client.get(f"{GW}/api/v2/spaces")).status_code == 401
    ok = await client.get(f"{GW}/api/v2/spaces", headers=BEARER)
    assert ok.status_code == 200
    assert [s["key"] for s in ok.json()["results"]] == ["ENG"]


async def test_unknown_cloud_id_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/confluence/ex/confluence/other/wiki/api/v2/spaces", headers=BEARER)
    assert r.status_code == 404


async def test_direct_site_needs_basic_auth(client: httpx.AsyncClient) -> None:
    r = await client.get("/wiki/api/v2/spaces", headers=BEARER)
    assert r.status_code == 401
    assert r.json() == {
        "statusCode": 401,
        "message": "Client must be authenticated to access this resource.",
    }
    me = await client.get("/wiki/rest/api/user/current", headers=BASIC)
    assert me.status_code == 200
    assert me.json()["email"] == "bot@example.com"
    assert me.json()["type"] == "known"


async def test_accessible_resources_lists_sites() -> None:
    fake = FakeConfluence(extra_sites=[("cloud-2", "https://beta.atlassian.net")])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake.app), base_url="http://gateway.test"
    ) as client:
        r = await client.get("/confluence/oauth/token/accessible-resources", headers=BEARER)
    assert r.status_code == 200
    assert [(s["id"], s["url"]) for s in r.json()] == [
        (CLOUD, "https://acme.atlassian.net"),
        ("cloud-2", "https://beta.atlassian.net"),
    ]


# -- Maton connections ------------------------------------------------------------------------
async def test_maton_answers_on_its_own_host_and_unknown_hosts_do_not_resolve() -> None:
    fake = FakeConfluence(ctrl_url="http://ctrl.test")
    async with httpx.AsyncClient(transport=fake.transport()) as c:
        on_gateway = await c.get("http://gateway.test/connections", headers=BEARER)
        on_ctrl = await c.get("http://ctrl.test/connections", headers=BEARER)
        gateway_on_ctrl = await c.get(f"http://ctrl.test{GW}/api/v2/spaces", headers=BEARER)
        on_site = await c.get("https://acme.atlassian.net/connections", headers=BEARER)
        with pytest.raises(httpx.ConnectError, match=r"ctrl\.maton\.ai"):
            await c.get("https://ctrl.maton.ai/connections", headers=BEARER)
    assert (on_gateway.status_code, on_ctrl.status_code) == (200, 200)
    assert (gateway_on_ctrl.status_code, on_site.status_code) == (404, 404)
    assert [r.host for r in fake.requests] == [
        "gateway.test",
        "ctrl.test",
        "ctrl.test",
        "acme.atlassian.net",
    ]


async def test_connection_header_selects_identity_and_refuses_bad_ones(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    fake.add_connection("c-alice", account_id="acc-alice")
    fake.add_connection("c-bob", account_id="acc-bob")
    fake.add_connection("c-old", status="EXPIRED", account_id="acc-old")
    fake.add_connection("c-wait", status="PENDING")
    url = f"{GW}/rest/api/user/current"

    default = await client.get(url, headers=BEARER)
    assert default.json()["accountId"] == "acc-alice"  # oldest active connection
    bob = await client.get(url, headers={**BEARER, "Maton-Connection": "c-bob"})
    assert bob.json()["accountId"] == "acc-bob"
    assert fake.requests[-1].account_id == "acc-bob"
    assert fake.requests[-1].connection == "c-bob"

    for conn in ("nope", "c-wait"):
        r = await client.get(url, headers={**BEARER, "Maton-Connection": conn})
        assert r.status_code == 400
        assert r.json() == {
            "error": f"No active connection found for app confluence (connection {conn})"
        }
    expired = await client.get(url, headers={**BEARER, "Maton-Connection": "c-old"})
    assert expired.status_code == 500
    assert "invalid_grant" in expired.json()["error"]

    fake.activate_connection("c-wait", "acc-wait")
    r = await client.get(url, headers={**BEARER, "Maton-Connection": "c-wait"})
    assert r.json()["accountId"] == "acc-wait"


async def test_control_api_lifecycle(fake: FakeConfluence, client: httpx.AsyncClient) -> None:
    created = await client.post("/connections", json={"app": "confluence"}, headers=BEARER)
    conn = created.json()["connection"]
    assert conn["status"] == "PENDING" and conn["url"].startswith("https://")
    listed = await client.get("/connections", params={"status": "PENDING"}, headers=BEARER)
    assert [c["connection_id"] for c in listed.json()["connections"]] == [conn["connection_id"]]
    one = await client.get(f"/connections/{conn['connection_id']}", headers=BEARER)
    assert one.json()["connection"]["app"] == "confluence"
    gone = await client.delete(f"/connections/{conn['connection_id']}", headers=BEARER)
    assert (gone.status_code, gone.json()) == (200, {})
    missing = await client.get(f"/connections/{conn['connection_id']}", headers=BEARER)
    assert missing.status_code == 404
    assert (await client.get("/connections")).status_code == 401


# -- paging -----------------------------------------------------------------------------------
async def test_paging_is_complete_and_link_header_matches(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    seeded = [fake.add_page("ENG", f"Page {n}")["id"] for n in range(23)]
    ids = await _all_pages(client, f"{GW}/api/v2/pages", {"limit": 5})
    assert ids == seeded
    newest_first = await _all_pages(
        client, f"{GW}/api/v2/pages", {"limit": 7, "sort": "-id", "space-id": _space_id(fake)}
    )
    assert newest_first == seeded[::-1]


@pytest.mark.parametrize("limit", ["0", "251", "ten"])
async def test_limit_outside_range_is_refused(client: httpx.AsyncClient, limit: str) -> None:
    r = await client.get(f"{GW}/api/v2/pages", params={"limit": limit}, headers=BEARER)
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "INVALID_REQUEST_PARAMETER"


# -- writes -----------------------------------------------------------------------------------
async def test_page_update_needs_the_next_version(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    page = fake.add_page("ENG", "Doc")
    url = f"{GW}/api/v2/pages/{page['id']}"
    body = {"representation": "storage", "value": "<p>v2</p>"}
    update = {"id": page["id"], "status": "current", "title": "Doc", "body": body}
    stale = await client.put(url, json={**update, "version": {"number": 1}}, headers=BEARER)
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["title"] == (
        "Version must be incremented on update. Current version is: 1"
    )
    ok = await client.put(url, json={**update, "version": {"number": 2}}, headers=BEARER)
    assert ok.status_code == 200
    assert ok.json()["version"]["number"] == 2
    got = await client.get(url, params={"body-format": "storage"}, headers=BEARER)
    assert got.json()["body"]["storage"]["value"] == "<p>v2</p>"
    assert got.json()["_links"]["base"] == "https://acme.atlassian.net/wiki"


async def test_malformed_storage_is_refused_but_xhtml_entities_pass(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    url = f"{GW}/api/v2/pages"
    page = {"spaceId": _space_id(fake), "status": "current", "title": "T"}
    bad = {"representation": "storage", "value": "<p>unclosed"}
    r = await client.post(url, json={**page, "body": bad}, headers=BEARER)
    assert r.status_code == 400
    assert r.json()["errors"][0]["title"].startswith("Error parsing xhtml:")
    good = {
        "representation": "storage",
        "value": '<p>a&nbsp;b <ac:link><ri:user ri:account-id="x"/></ac:link></p>',
    }
    r = await client.post(url, json={**page, "body": good}, headers=BEARER)
    assert r.status_code == 200, r.text
    assert r.json()["authorId"] == fake.current_user_account_id
    dup = await client.post(url, json={**page, "body": good}, headers=BEARER)
    assert dup.status_code == 400
    assert "already exists" in dup.json()["errors"][0]["title"]


async def test_attachment_upload_requires_nocheck(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    page = fake.add_page("ENG", "Files")
    url = f"{GW}/rest/api/content/{page['id']}/child/attachment"
    files = {"file": ("a.txt", b"hello", "text/plain"), "minorEdit": (None, b"true")}
    refused = await client.post(url, files=files, headers=BEARER)
    assert refused.status_code == 403
    assert refused.json()["message"] == "XSRF check failed"
    headers = {**BEARER, "X-Atlassian-Token": "nocheck"}
    ok = await client.post(url, files=files, headers=headers)
    assert ok.status_code == 200
    result = ok.json()["results"][0]
    assert result["id"].startswith("att") and result["title"] == "a.txt"
    assert result["extensions"] == {
        **result["extensions"],
        "mediaType": "text/plain",
        "fileSize": 5,
    }
    again = await client.post(url, files=files, headers=headers)
    assert again.status_code == 400  # POST refuses a duplicate name; PUT adds a version
    changed = {"file": ("a.txt", b"hello!", "text/plain"), "minorEdit": (None, b"false")}
    put = await client.put(url, files=changed, headers=headers)
    assert put.json()["results"][0]["version"]["number"] == 2
    listed = await client.get(f"{GW}/api/v2/pages/{page['id']}/attachments", headers=BEARER)
    assert [(a["title"], a["fileSize"]) for a in listed.json()["results"]] == [("a.txt", 6)]


@pytest.mark.parametrize("method", ["POST", "PUT"])
async def test_attachment_upload_requires_minor_edit(
    fake: FakeConfluence, client: httpx.AsyncClient, method: str
) -> None:
    # Atlassian's v1 OpenAPI: multipart fields `file` and `minorEdit` are both required.
    page = fake.add_page("ENG", "Files")
    url = f"{GW}/rest/api/content/{page['id']}/child/attachment"
    headers = {**BEARER, "X-Atlassian-Token": "nocheck"}
    files = {"file": ("a.txt", b"hello", "text/plain")}
    refused = await client.request(method, url, files=files, headers=headers)
    assert refused.status_code == 400
    assert refused.json() == {"statusCode": 400, "message": refused.json()["message"]}
    assert "minorEdit" in refused.json()["message"]
    assert fake.by_kind.get("attachment", {}) == {}
    minor = {**files, "minorEdit": (None, b"true")}
    ok = await client.request(method, url, files=minor, headers=headers)
    assert ok.status_code == 200
    (stored,) = fake.by_kind["attachment"].values()
    assert stored.data["version"]["minorEdit"] is True


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("POST", "/api/v2/pages", {}, {"title": "No space", "body": {}}),
        ("POST", "/api/v2/blogposts", {}, {"title": "No space", "status": "current"}),
        ("POST", "/api/v2/pages", {}, {"spaceId": "1", "status": "published"}),
        ("GET", "/api/v2/pages", {"status": "current,gone"}, None),
        ("GET", "/api/v2/blogposts", {"status": "archived"}, None),
        ("GET", "/api/v2/pages", {"body-format": "view"}, None),
        ("GET", "/api/v2/spaces", {"type": "team"}, None),
        ("GET", "/api/v2/spaces", {"status": "gone"}, None),
        ("GET", "/api/v2/tasks", {"status": "done"}, None),
        ("GET", "/api/v2/custom-content", {"type": "x", "body-format": "view"}, None),
        ("GET", "/api/v2/custom-content", {}, None),
        ("POST", "/api/v2/users-bulk", {}, {}),
        ("GET", "/rest/api/search", {"cql": "type = page", "excerpt": "full"}, None),
        ("GET", "/rest/api/search", {}, None),
    ],
)
async def test_refuses_what_the_openapi_documents_refuse(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    params: dict[str, str],
    body: dict[str, Any] | None,
) -> None:
    # Missing required fields and parameters, and values the documents do not list: 400 in the
    # error shape of the API called (tests/confluence/test_spec_conformance.py derives these).
    r = await client.request(method, f"{GW}{path}", params=params, json=body, headers=BEARER)
    assert r.status_code == 400, r.text
    if "/api/v2/" in path:
        (error,) = r.json()["errors"]
        assert error["status"] == 400 and error["code"] == "INVALID_REQUEST_PARAMETER"
    else:
        assert r.json()["statusCode"] == 400 and r.json()["message"]


# -- search -----------------------------------------------------------------------------------
async def test_cql_search_filters_and_highlights(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    fake.add_space("OPS", "Operations")
    fake.add_page("ENG", "Deploy guide", "<p>How we deploy the rocket</p>")
    fake.add_page("OPS", "Rocket runbook", "<p>Pager duty</p>")
    fake.add_blogpost("ENG", "Weekly", "<p>No rockets here</p>")
    cql = 'type = page AND space in ("ENG", "OPS") AND text ~ "rocket" order by created desc'
    r = await client.get(f"{GW}/rest/api/search", params={"cql": cql}, headers=BEARER)
    assert r.status_code == 200
    body = r.json()
    assert [x["title"] for x in body["results"]] == ["Rocket runbook", "Deploy guide"]
    assert body["totalSize"] == 2 and body["cqlQuery"] == cql
    deploy = body["results"][1]
    assert "@@@hl@@@rocket@@@endhl@@@" in deploy["excerpt"]
    assert deploy["resultGlobalContainer"] == {"title": "Engineering", "displayUrl": "/spaces/ENG"}
    assert deploy["url"] == deploy["content"]["_links"]["webui"]


@pytest.mark.parametrize(
    "cql", ['text ~ "unterminated', "colour = red", "type = page AND", "space in (ENG"]
)
async def test_bad_cql_is_refused(client: httpx.AsyncClient, cql: str) -> None:
    r = await client.get(f"{GW}/rest/api/search", params={"cql": cql}, headers=BEARER)
    assert r.status_code == 400
    assert r.json()["statusCode"] == 400
    assert r.json()["message"].startswith("Could not parse cql : ")


# -- fault injection --------------------------------------------------------------------------
async def test_injected_failures_are_consumed_in_order(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    fake.fail(r"/api/v2/spaces$", 429, times=2, headers={"Retry-After": "3"})
    statuses = []
    for _ in range(3):
        r = await client.get(f"{GW}/api/v2/spaces", headers=BEARER)
        statuses.append((r.status_code, r.headers.get("retry-after")))
    assert statuses == [(429, "3"), (429, "3"), (200, None)]
    assert len(fake.requests_to("GET", r"/api/v2/spaces$")) == 3


# -- real socket ------------------------------------------------------------------------------
def test_serves_over_a_real_socket(fake: FakeConfluence) -> None:
    fake.add_page("ENG", "Over TCP")
    with serve(fake.app) as url:
        assert url.startswith("http://127.0.0.1:")
        r = httpx.get(f"{url}{GW}/api/v2/pages", headers=BEARER)
        assert [p["title"] for p in r.json()["results"]] == ["Over TCP"]
        assert httpx.get(f"{url}{GW}/api/v2/pages").status_code == 401


async def test_serves_on_the_running_loop(fake: FakeConfluence) -> None:
    async with serve_async(fake.app) as url, httpx.AsyncClient(base_url=url) as c:
        r = await c.get(f"{GW}/api/v2/spaces", params={"limit": 251}, headers=BEARER)
        assert r.status_code == 400


# -- agreement with the published spec --------------------------------------------------------
async def test_page_fields_are_declared_by_the_v2_spec(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    spec_path = SPECS / "confluence/confluence-cloud-rest-v2.openapi.json"
    if not spec_path.exists():
        pytest.skip(missing("the Confluence v2 OpenAPI document", spec_path))
    schemas = json.loads(spec_path.read_text())["components"]["schemas"]
    page = fake.add_page("ENG", "Spec check")
    r = await client.get(f"{GW}/api/v2/pages", headers=BEARER)
    declared = set(schemas["PageBulk"]["properties"])
    assert set(r.json()["results"][0]) <= declared
    assert set(r.json()["results"][0]["version"]) <= set(schemas["Version"]["properties"])
    single = await client.get(f"{GW}/api/v2/pages/{page['id']}", headers=BEARER)
    assert set(single.json()) <= set(schemas["PageSingle"]["properties"])


# -- the rest of the surface ------------------------------------------------------------------
async def test_properties_refuse_duplicate_keys_and_stale_versions(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    page = fake.add_page("ENG", "Props")
    url = f"{GW}/api/v2/pages/{page['id']}/properties"
    created = await client.post(url, json={"key": "k", "value": {"a": 1}}, headers=BEARER)
    assert created.status_code == 200
    prop = created.json()
    dup = await client.post(url, json={"key": "k", "value": 2}, headers=BEARER)
    assert dup.status_code == 409
    stale = {"key": "k", "value": 3, "version": {"number": 1}}
    r = await client.put(f"{url}/{prop['id']}", json=stale, headers=BEARER)
    assert r.status_code == 409
    fresh = {"key": "k", "value": 3, "version": {"number": 2}}
    r = await client.put(f"{url}/{prop['id']}", json=fresh, headers=BEARER)
    assert (r.status_code, r.json()["value"]) == (200, 3)
    by_key = await client.get(url, params={"key": "k"}, headers=BEARER)
    assert [p["value"] for p in by_key.json()["results"]] == [3]
    assert (await client.delete(f"{url}/{prop['id']}", headers=BEARER)).status_code == 204
    assert (await client.get(f"{url}/{prop['id']}", headers=BEARER)).status_code == 404


async def test_footer_comments_and_replies(fake: FakeConfluence, client: httpx.AsyncClient) -> None:
    fake.add_connection("c1", account_id="acc-1")
    page = fake.add_page("ENG", "Talk")
    body = {"representation": "storage", "value": "<p>first</p>"}
    top = await client.post(
        f"{GW}/api/v2/footer-comments", json={"pageId": page["id"], "body": body}, headers=BEARER
    )
    assert top.status_code == 201
    assert top.json()["version"]["authorId"] == "acc-1"
    reply = await client.post(
        f"{GW}/api/v2/footer-comments",
        json={"parentCommentId": top.json()["id"], "body": body},
        headers=BEARER,
    )
    assert reply.json()["pageId"] == page["id"]
    roots = await client.get(f"{GW}/api/v2/pages/{page['id']}/footer-comments", headers=BEARER)
    assert [c["id"] for c in roots.json()["results"]] == [top.json()["id"]]
    kids = await client.get(
        f"{GW}/api/v2/footer-comments/{top.json()['id']}/children", headers=BEARER
    )
    assert [c["id"] for c in kids.json()["results"]] == [reply.json()["id"]]
    missing = await client.post(
        f"{GW}/api/v2/footer-comments", json={"pageId": "999", "body": body}, headers=BEARER
    )
    assert missing.status_code == 404


async def test_blogposts_sort_by_created_date(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    from datetime import UTC, datetime

    fake.add_blogpost("ENG", "Old", created_at=datetime(2024, 1, 1, tzinfo=UTC))
    fake.add_blogpost("ENG", "New", created_at=datetime(2024, 3, 1, tzinfo=UTC))
    fake.add_blogpost("ENG", "Mid", created_at=datetime(2024, 2, 1, tzinfo=UTC))
    r = await client.get(
        f"{GW}/api/v2/blogposts",
        params={"sort": "-created-date", "body-format": "storage"},
        headers=BEARER,
    )
    results = r.json()["results"]
    assert [b["title"] for b in results] == ["New", "Mid", "Old"]
    assert results[0]["body"]["storage"]["value"] == "<p>Hello</p>"
    assert results[0]["_links"]["webui"].startswith("/spaces/ENG/blog/2024/03/01/")
    bad = await client.get(f"{GW}/api/v2/blogposts", params={"sort": "title"}, headers=BEARER)
    assert bad.status_code == 400


async def test_content_lists_take_at_most_250_ids(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    page = fake.add_page("ENG", "One")
    ids = ",".join([page["id"], *(str(n) for n in range(1, 251))])
    for kind in ("pages", "blogposts"):
        refused = await client.get(f"{GW}/api/v2/{kind}", params={"id": ids}, headers=BEARER)
        assert refused.status_code == 400
    found = await client.get(f"{GW}/api/v2/pages", params={"id": page["id"]}, headers=BEARER)
    assert [p["id"] for p in found.json()["results"]] == [page["id"]]


async def test_body_formats_and_users(fake: FakeConfluence, client: httpx.AsyncClient) -> None:
    fake.add_user("acc-x", "Xena", "x@example.com")
    page = fake.add_page("ENG", "Fmt", '<p>Hi <ac:emoticon ac:name="smile"/></p>')
    url = f"{GW}/api/v2/pages/{page['id']}"
    bare = await client.get(url, headers=BEARER)
    assert bare.json()["body"] == {}
    view = await client.get(url, params={"body-format": "view"}, headers=BEARER)
    assert "ac:" not in view.json()["body"]["view"]["value"]
    adf = await client.get(url, params={"body-format": "atlas_doc_format"}, headers=BEARER)
    assert json.loads(adf.json()["body"]["atlas_doc_format"]["value"])["type"] == "doc"
    users = await client.post(
        f"{GW}/api/v2/users-bulk", json={"accountIds": ["acc-x", "unknown"]}, headers=BEARER
    )
    assert [u["displayName"] for u in users.json()["results"]] == ["Xena"]


async def test_thousands_of_pages_page_through_quickly(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    for n in range(1200):
        fake.add_page("ENG", f"Bulk {n}")
    ids = await _all_pages(client, f"{GW}/api/v2/pages", {"limit": 250, "sort": "title"})
    assert len(ids) == len(set(ids)) == 1200


async def test_delay_holds_matching_requests(
    fake: FakeConfluence, client: httpx.AsyncClient
) -> None:
    import asyncio

    fake.delay(r"/api/v2/spaces$", 0.05, method="GET")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await client.get(f"{GW}/api/v2/spaces", headers=BEARER)
    fast = await asyncio.wait_for(client.get(f"{GW}/api/v2/pages", headers=BEARER), 1)
    assert fast.status_code == 200
