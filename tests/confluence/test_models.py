"""Every field of every listed model reads from the fake's answers (shaped like Confluence's)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.confluence import ConfluenceClient
from bot.confluence.views import View
from tests.confluence.conftest import SEARCH_EXPANSIONS, FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
ALICE = "u-alice"
TASKS = (
    "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete"
    "</ac:task-status><ac:task-body>Ship it</ac:task-body></ac:task></ac:task-list>"
)


def read_whole(items: list[View]) -> int:
    """Read every field of each item (nested ones too); how many items there were."""
    for item in items:
        item.check()
    return len(items)


async def test_every_listed_model_reads_whole(fake: FakeConfluence, clock: FakeClock) -> None:
    fake.freeze_time(T0)
    fake.add_user(ALICE, "Alice Doe", time_zone="Europe/Berlin")
    fake.add_connection("c-alice", account_id=ALICE)
    space = fake.add_space("ENG", "Engineering")
    root = fake.add_page("ENG", "Root", TASKS, author_id=ALICE)["id"]
    child = fake.add_page("ENG", "Child", "<p>child</p>", parent_id=root)["id"]
    fake.edit(child, "<p>child, edited</p>", message="typo", minor_edit=True)
    blog = fake.add_blogpost("ENG", "News", "<p>we shipped the thing</p>")["id"]
    fake.add_inline_comment(blog, "<p>which?</p>", selection="the thing", author_id=ALICE)
    fake.add_footer_comment(page_id=root, author_id=ALICE)
    fake.add_attachment(root, "plan.txt", b"plan", "text/plain")
    fake.add_label(root, "release")
    async with gateway_client(fake, clock) as shared:
        client: ConfluenceClient = shared.using("c-alice")
        space_id = str(space["id"])
        listings = {
            "pages": client.pages.list(space_id=space_id, body_format="storage"),
            "blogposts": client.blogposts.in_space(space_id, body_format="storage"),
            "children": client.pages.children(root),
            "versions": client.pages.versions(child),
            "labels": client.pages.labels(root),
            "attachments": client.pages.attachments(root),
            "footer comments": client.pages.footer_comments(root, body_format="storage"),
            "inline comments": client.inline_comments.list(body_format="storage"),
            "tasks": client.tasks.list(body_format="storage"),
            "spaces": client.spaces.list(),
            "search": client.search.cql("type in (page, blogpost)", expand=SEARCH_EXPANSIONS),
        }
        counts = {name: read_whole(await pager.collect()) for name, pager in listings.items()}
        assert read_whole([await client.users.current(), await client.settings.system_info()])
    assert counts == {
        "pages": 2,
        "blogposts": 1,
        "children": 1,
        "versions": 2,
        "labels": 1,
        "attachments": 1,
        "footer comments": 1,
        "inline comments": 1,
        "tasks": 1,
        "spaces": 1,
        "search": 3,
    }
