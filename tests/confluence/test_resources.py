"""Happy paths for every resource group, through the gateway against the fake."""

from __future__ import annotations

import pytest

from bot.confluence import (
    BlogPost,
    Conflict,
    ConfluenceClient,
    ConnectionServiceUnreachable,
    NotFound,
    Page,
)
from bot.confluence.urls import ContentRef
from tests.confluence.conftest import FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence

SITE = "https://acme.atlassian.net"


@pytest.fixture
def seeded(fake: FakeConfluence) -> dict[str, str]:
    fake.add_user("u-alice", "Alice Doe", "alice@example.com")
    fake.add_user("u-bob", "Bob Roe", "bob@example.com")
    eng = fake.add_space("ENG", "Engineering")
    ops = fake.add_space("OPS", "Operations", type="personal")
    root = fake.add_page("ENG", "Runbook", "<p>How we run things</p>", author_id="u-alice")
    child = fake.add_page("ENG", "Deploys", "<p>Deploy steps</p>", parent_id=root["id"])
    blog = fake.add_blogpost("ENG", "Release notes", "<p>We shipped</p>", author_id="u-bob")
    return {
        "eng": eng["id"],
        "ops": ops["id"],
        "root": root["id"],
        "child": child["id"],
        "blog": blog["id"],
    }


async def test_pages_list_get_and_absolute_links(
    client: ConfluenceClient, seeded: dict[str, str]
) -> None:
    pages = await client.pages.list(space_id=seeded["eng"], sort="title", limit=10).collect()
    assert [p.title for p in pages] == ["Deploys", "Runbook"]
    assert all(p.web_url.startswith(SITE + "/wiki/spaces/ENG/pages/") for p in pages)
    only = await client.pages.list(title="Runbook").collect()
    assert [p.id for p in only] == [seeded["root"]]
    page = await client.pages.get(seeded["root"], body_format="storage")
    assert page.storage == "<p>How we run things</p>"
    assert page.version is not None and page.version.number == 1
    assert page.web_url.startswith(SITE + "/wiki/")
    bare = await client.pages.get(seeded["root"])
    assert bare.storage is None
    view = await client.pages.get(seeded["root"], body_format="view")
    assert view.body is not None and view.body.view is not None
    adf = await client.pages.get(seeded["root"], body_format="atlas_doc_format")
    assert adf.body is not None and adf.body.atlas_doc_format is not None


async def test_pages_and_blog_posts_listed_by_id(
    client: ConfluenceClient, seeded: dict[str, str], fake: FakeConfluence
) -> None:
    wanted = [seeded["child"], seeded["root"], "999999"]  # an unknown id is simply absent
    pages = await client.pages.list(ids=wanted, limit=250).collect()
    assert sorted(p.id for p in pages) == sorted([seeded["child"], seeded["root"]])
    (request,) = fake.requests_to("GET", r"/api/v2/pages$")
    assert request.query["id"] == [",".join(wanted)]
    blogs = await client.blogposts.list(ids=[seeded["blog"]]).collect()
    assert [(b.id, b.title) for b in blogs] == [(seeded["blog"], "Release notes")]
    with pytest.raises(ValueError, match="250"):
        client.pages.list(ids=[str(n) for n in range(251)])


async def test_content_reads_the_page_or_blog_post_a_ref_names(
    client: ConfluenceClient, seeded: dict[str, str]
) -> None:
    page = await client.content(ContentRef("page", seeded["root"]), body_format="storage")
    assert isinstance(page, Page) and not isinstance(page, BlogPost)
    assert (page.title, page.storage) == ("Runbook", "<p>How we run things</p>")
    post = await client.content(ContentRef("blogpost", seeded["blog"]))
    assert isinstance(post, BlogPost) and post.title == "Release notes" and post.storage is None
    with pytest.raises(NotFound):  # a page id read as a blog post is not found
        await client.content(ContentRef("blogpost", seeded["root"]))


async def test_pages_create_update_delete(client: ConfluenceClient, seeded: dict[str, str]) -> None:
    page = await client.pages.create(
        space_id=seeded["eng"], title="New", body="<p>one</p>", parent_id=seeded["root"]
    )
    assert page.parent_id == seeded["root"]
    updated = await client.pages.update(
        page.id, title="New", body="<p>two</p>", version=2, message="second"
    )
    assert updated.version is not None and updated.version.number == 2
    assert updated.version.message == "second"
    again = await client.pages.update_body(page.id, "<p>three</p>", message="third")
    assert again.version is not None and again.version.number == 3
    stored = await client.pages.get(page.id, body_format="storage")
    assert stored.storage == "<p>three</p>"
    versions = await client.pages.versions(page.id).collect()
    assert sorted(v.number for v in versions) == [1, 2, 3]
    await client.pages.delete(page.id)
    remaining = await client.pages.list(space_id=seeded["eng"]).collect()
    assert page.id not in {p.id for p in remaining}


async def test_stale_version_is_conflict_with_current_version(
    client: ConfluenceClient, seeded: dict[str, str]
) -> None:
    with pytest.raises(Conflict) as info:
        await client.pages.update(seeded["root"], title="Runbook", body="<p>x</p>", version=1)
    assert info.value.current_version == 1
    assert info.value.status == 409


async def test_page_children_labels_attachments_comments(
    client: ConfluenceClient, fake: FakeConfluence, seeded: dict[str, str]
) -> None:
    root = seeded["root"]
    children = await client.pages.children(root).collect()
    assert [c.id for c in children] == [seeded["child"]]
    fake.add_label(root, "howto")
    assert [label.name for label in await client.pages.labels(root).collect()] == ["howto"]
    fake.add_attachment(root, "diagram.png", b"png", media_type="image/png")
    attachments = await client.pages.attachments(root).collect()
    assert [a.title for a in attachments] == ["diagram.png"]
    fake.add_footer_comment(page_id=root, body="<p>nice</p>")
    comments = await client.pages.footer_comments(root, body_format="storage").collect()
    assert len(comments) == 1 and comments[0].page_id == root
    fake.add_inline_comment(root)
    assert len(await client.pages.inline_comments(root).collect()) == 1


async def test_page_properties_crud(client: ConfluenceClient, seeded: dict[str, str]) -> None:
    props = client.pages.properties(seeded["root"])
    created = await props.create("slack-thread", {"channel": "C1", "ts": "1.2"})
    assert created.value == {"channel": "C1", "ts": "1.2"}
    found = await props.find("slack-thread")
    assert found is not None and found.id == created.id
    fetched = await props.get(created.id)
    assert fetched.key == "slack-thread"
    assert fetched.version is not None
    updated = await props.update(
        created.id, "slack-thread", {"ts": "9"}, version=fetched.version.number + 1
    )
    assert updated.value == {"ts": "9"}
    upserted = await props.upsert("slack-thread", {"ts": "10"})
    assert upserted.value == {"ts": "10"}
    assert [p.key for p in await props.list().collect()] == ["slack-thread"]
    await props.delete(created.id)
    assert await props.find("slack-thread") is None


async def test_spaces(
    client: ConfluenceClient, fake: FakeConfluence, seeded: dict[str, str]
) -> None:
    spaces = await client.spaces.list(keys=["ENG", "OPS"]).collect()
    assert {s.key for s in spaces} == {"ENG", "OPS"}
    personal = await client.spaces.list(type="personal").collect()
    assert [s.key for s in personal] == ["OPS"]
    by_id = await client.spaces.list(ids=[seeded["eng"]]).collect()
    assert [s.key for s in by_id] == ["ENG"]
    current = await client.spaces.list(status="current").collect()
    assert len(current) == 2
    eng = await client.spaces.get(seeded["eng"])
    assert eng.name == "Engineering"
    assert eng.web_url == SITE + "/wiki/spaces/ENG"
    assert eng.blog_url == SITE + "/wiki/spaces/ENG/blog"
    assert (await client.spaces.by_keys(["ENG", "NOPE"])).keys() == {"ENG"}
    assert len(await client.pages.in_space(seeded["eng"]).collect()) == 2
    blogs = await client.blogposts.in_space(seeded["eng"]).collect()
    assert [b.title for b in blogs] == ["Release notes"]
    props = client.spaces.properties(seeded["eng"])
    await props.create("digest", {"on": True})
    assert [p.key for p in await props.list().collect()] == ["digest"]
    perms = await client.spaces.permissions(seeded["eng"]).collect()
    assert all(p.operation is not None for p in perms)
    fake.add_label(seeded["eng"], "team")
    assert [label.name for label in await client.spaces.labels(seeded["eng"]).collect()] == ["team"]


async def test_blogposts(client: ConfluenceClient, seeded: dict[str, str]) -> None:
    post = await client.blogposts.create(space_id=seeded["eng"], title="Hello", body="<p>hi</p>")
    listed = await client.blogposts.list(
        space_id=seeded["eng"], sort="-created-date", body_format="storage"
    ).collect()
    assert listed[0].id == post.id and listed[0].storage == "<p>hi</p>"
    assert listed[0].web_url.startswith(SITE + "/wiki/spaces/ENG/blog/")
    got = await client.blogposts.get(post.id, body_format="storage")
    assert got.title == "Hello"
    updated = await client.blogposts.update(post.id, title="Hello!", body="<p>hi!</p>", version=2)
    assert updated.title == "Hello!"
    assert len(await client.blogposts.versions(post.id).collect()) == 2
    assert await client.blogposts.labels(post.id).collect() == []
    assert await client.blogposts.footer_comments(post.id).collect() == []
    await client.blogposts.delete(post.id)
    with pytest.raises(NotFound):
        await client.blogposts.get(post.id)


async def test_footer_comments(client: ConfluenceClient, seeded: dict[str, str]) -> None:
    on_page = await client.footer_comments.create("<p>first</p>", page_id=seeded["root"])
    assert on_page.page_id == seeded["root"]
    on_blog = await client.footer_comments.create("<p>blog</p>", blogpost_id=seeded["blog"])
    assert on_blog.blog_post_id == seeded["blog"]
    reply = await client.footer_comments.create("<p>reply</p>", parent_comment_id=on_page.id)
    children = await client.footer_comments.children(on_page.id).collect()
    assert [c.id for c in children] == [reply.id]
    got = await client.footer_comments.get(on_page.id, body_format="storage")
    assert got.body is not None and got.body.storage is not None
    assert got.body.storage.value == "<p>first</p>"
    edited = await client.footer_comments.update(on_page.id, "<p>edited</p>", version=2)
    assert edited.version is not None and edited.version.number == 2
    with pytest.raises(Conflict):
        await client.footer_comments.update(on_page.id, "<p>stale</p>", version=2)
    assert len(await client.footer_comments.list().collect()) == 3
    await client.footer_comments.delete(reply.id)
    assert await client.footer_comments.children(on_page.id).collect() == []
    with pytest.raises(ValueError):
        await client.footer_comments.create("<p>x</p>")


async def test_inline_comments_attachments_tasks_labels_custom_content(
    client: ConfluenceClient, fake: FakeConfluence, seeded: dict[str, str]
) -> None:
    fake.add_inline_comment(seeded["root"], "<p>inline</p>")
    assert len(await client.inline_comments.list().collect()) == 1
    att = fake.add_attachment(seeded["root"], "notes.txt", b"hello", media_type="text/plain")
    listed = await client.attachments.list().collect()
    assert [a.title for a in listed] == ["notes.txt"]
    got = await client.attachments.get(att["id"])
    assert got.title == "notes.txt" and got.web_url.startswith(SITE + "/wiki/")
    task = fake.add_task(seeded["root"], "<p>do it</p>")
    tasks = await client.tasks.list(status="incomplete").collect()
    assert [t.id for t in tasks] == [task["id"]]
    assert (await client.tasks.get(task["id"])).status == "incomplete"
    fake.add_label(seeded["root"], "runbook")
    assert "runbook" in [label.name for label in await client.labels.list().collect()]
    fake.add_custom_content("ac:app:thing", "Custom one", "ENG")
    customs = await client.custom_content.list("ac:app:thing").collect()
    assert [c.title for c in customs] == ["Custom one"]


async def test_attachment_upload_sends_nocheck_and_minor_edit(
    client: ConfluenceClient, fake: FakeConfluence, seeded: dict[str, str]
) -> None:
    uploaded = await client.attachments.upload(
        seeded["root"], "photo.png", b"\x89PNG...", media_type="image/png", minor_edit=False
    )
    assert uploaded.title == "photo.png"
    again = await client.attachments.upload(
        seeded["root"], "photo.png", b"v2", media_type="image/png", minor_edit=True
    )
    assert again.id == uploaded.id
    first, second = fake.requests_to("PUT", r"/child/attachment$")
    assert first.headers["x-atlassian-token"] == "nocheck"
    assert b'name="file"; filename="photo.png"' in first.body
    # Required by Atlassian's v1 OpenAPI for both POST and PUT.
    assert (first.form()["minorEdit"], second.form()["minorEdit"]) == (b"false", b"true")
    (stored,) = fake.by_kind["attachment"].values()
    assert [v["minorEdit"] for v in stored.versions] == [False, True]
    listed = await client.pages.attachments(seeded["root"]).collect()
    assert [a.title for a in listed].count("photo.png") == 1


async def test_users_current_and_bulk(
    client: ConfluenceClient, fake: FakeConfluence, seeded: dict[str, str]
) -> None:
    me = await client.users.current()
    assert me.account_id == fake.current_user_account_id
    users = await client.users.bulk(["u-alice", "u-bob", "u-alice", "u-missing"])
    assert {k: u.name for k, u in users.items()} == {"u-alice": "Alice Doe", "u-bob": "Bob Roe"}
    (req,) = fake.requests_to("POST", r"/users-bulk$")
    assert req.json() == {"accountIds": ["u-alice", "u-bob", "u-missing"]}


async def test_connections(client: ConfluenceClient, fake: FakeConfluence) -> None:
    fake.add_connection("c-active", status="ACTIVE", account_id="u-x")
    created = await client.connections.create()
    assert created.status == "PENDING" and created.url
    pending = await client.connections.list(status="PENDING")
    assert [c.connection_id for c in pending] == [created.connection_id]
    all_confluence = await client.connections.list(app="confluence")
    assert {c.connection_id for c in all_confluence} == {"c-active", created.connection_id}
    fake.activate_connection(created.connection_id, "u-y")
    assert (await client.connections.get(created.connection_id)).active
    await client.connections.delete(created.connection_id)
    with pytest.raises(NotFound):
        await client.connections.get(created.connection_id)
    # Maton manages connections on the gateway's own host, as its documentation shows.
    assert {r.host for r in fake.requests if r.path.startswith("/connections")} == {"gateway.test"}


async def test_connections_on_a_separate_control_host_when_configured(clock: FakeClock) -> None:
    fake = FakeConfluence(ctrl_url="http://ctrl.test")
    async with gateway_client(fake, clock, ctrl_url="http://ctrl.test") as client:
        created = await client.connections.create()
        assert [c.connection_id for c in await client.connections.list()] == [created.connection_id]
    assert {r.host for r in fake.requests} == {"ctrl.test"}


async def test_connections_fail_as_unreachable_on_a_host_maton_does_not_serve(
    fake: FakeConfluence, clock: FakeClock
) -> None:
    async with gateway_client(fake, clock, ctrl_url="http://ctrl.invalid") as client:
        with pytest.raises(ConnectionServiceUnreachable) as info:
            await client.connections.create()
    assert "Maton" in str(info.value) and fake.requests == []
