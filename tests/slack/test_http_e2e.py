"""/confluence search, recent, help, sharing, unfurls and App Home through the signed HTTP endpoint."""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.slack import help_text
from bot.slack.search_view import MORE_ACTION, SHARE_ACTION
from tests.aiosqlite_threads import finish_worker_threads
from tests.fakes.slack_fake import validate_blocks
from tests.fakes.slack_signing import slash_command_body
from tests.slack.conftest import CHANNEL, USER, Harness

SITE = "https://acme.atlassian.net"


@pytest.fixture
def kube(harness: Harness) -> dict[str, str]:
    fake = harness.confluence
    fake.add_space("ENG", "Engineering")
    fake.add_space("OPS", "Operations")
    ids = {}
    for i in range(7):
        page = fake.add_page(
            "ENG", f"Kubernetes guide {i}", f"<p>All about kubernetes clusters, part {i}</p>"
        )
        ids[f"eng{i}"] = page["id"]
    ids["ops"] = fake.add_page("OPS", "Kubernetes on call", "<p>kubernetes pager &amp; duty</p>")[
        "id"
    ]
    ids["blog"] = fake.add_blogpost(
        "ENG", "Kubernetes news", "<p>kubernetes <strong>2.0</strong> is out</p>"
    )["id"]
    return ids


def _buttons(answer: dict[str, object], action_id: str) -> list[dict[str, object]]:
    found = []
    for block in answer.get("blocks", []):  # type: ignore[union-attr]
        elements = [block.get("accessory")] if block.get("accessory") else block.get("elements", [])
        found.extend(e for e in elements if isinstance(e, dict) and e.get("action_id") == action_id)
    return found


async def test_search_answers_only_the_invoker_with_valid_blocks(
    harness: Harness, kube: dict[str, str]
) -> None:
    response, url = await harness.command("search kubernetes in:eng")
    assert response.status_code == 200
    (answer,) = harness.answers(url)
    assert answer["response_type"] == "ephemeral"
    assert validate_blocks(answer["blocks"]) == []
    assert answer["text"]
    text = json.dumps(answer)
    assert "@@@hl@@@" not in text and "@@@endhl@@@" not in text
    assert "*kubernetes*" in text.lower()  # highlights became bold
    assert f"<{SITE}/wiki/spaces/ENG/pages/" in text  # absolute links
    assert "/spaces/OPS/" not in text  # in:eng filtered to ENG
    assert len(_buttons(answer, SHARE_ACTION)) == 5
    assert len(_buttons(answer, MORE_ACTION)) == 1
    assert harness.slack.calls_to("chat.postMessage") == []  # nothing public
    (search,) = harness.confluence.requests_to("GET", r"/rest/api/search$")
    assert search.query["cql"] == [
        'type in (page, blogpost) AND space = "ENG" AND text ~ "kubernetes"'
    ]


async def test_more_results_pages_on_and_replaces_the_message(
    harness: Harness, kube: dict[str, str]
) -> None:
    _, url = await harness.command("kubernetes in:ENG")
    (first,) = harness.answers(url)
    more = _buttons(first, MORE_ACTION)[0]
    response, url2 = await harness.action(MORE_ACTION, str(more["value"]))
    assert response.status_code == 200
    (second,) = harness.answers(url2)
    assert second["replace_original"] is True
    first_links = {b["text"]["text"] for b in first["blocks"] if b["type"] == "section"}
    second_links = {b["text"]["text"] for b in second["blocks"] if b["type"] == "section"}
    assert len(second_links) == 3 and first_links.isdisjoint(second_links)
    assert _buttons(second, MORE_ACTION) == []


async def test_share_posts_one_result_publicly(harness: Harness, kube: dict[str, str]) -> None:
    _, url = await harness.command("search kubernetes news")
    (answer,) = harness.answers(url)
    share = _buttons(answer, SHARE_ACTION)[0]
    await harness.action(SHARE_ACTION, str(share["value"]))
    (post,) = harness.slack.calls_to("chat.postMessage")
    assert post.args["channel"] == CHANNEL
    assert f"Shared by <@{USER}>" in json.dumps(post.args["blocks"])
    assert validate_blocks(post.args["blocks"]) == []


async def test_share_reads_the_page_again_and_ignores_forged_values(
    harness: Harness, kube: dict[str, str]
) -> None:
    # The button value comes back from the client: whatever it says, what is posted is what
    # Confluence says about that page, read as the sharer.
    _, url = await harness.command("search kubernetes news")
    value = json.loads(str(_buttons(harness.answers(url)[0], SHARE_ACTION)[0]["value"]))
    forged = {**value, "t": "Free money: click here", "s": "HR", "e": "*urgent* <!channel>"}
    await harness.action(SHARE_ACTION, json.dumps(forged))
    (post,) = harness.slack.calls_to("chat.postMessage")
    text = json.dumps(post.args)
    assert "Free money" not in text and "urgent" not in text and "<!channel>" not in text
    assert "Kubernetes news" in text and "Engineering" in text
    assert f"{SITE}/wiki/spaces/ENG/blog/" in text
    reads = harness.confluence.requests_to("GET", rf"/blogposts/{kube['blog']}$")
    assert len(reads) == 1


@pytest.mark.parametrize(
    "forged_url",
    [
        "https://evil.example/wiki/spaces/ENG/pages/{id}/X",
        "https://evil.example\\@acme.atlassian.net/wiki/spaces/ENG/pages/{id}/X",
        "https://acme.atlassian.net/wiki/spaces/ENG/overview",
    ],
)
async def test_share_of_something_not_a_page_of_our_site_is_refused(
    harness: Harness, kube: dict[str, str], forged_url: str
) -> None:
    card = {"u": forged_url.format(id=kube["eng0"]), "t": "Kubernetes guide 0", "k": "Page"}
    _, url = await harness.action(SHARE_ACTION, json.dumps(card))
    assert harness.slack.calls_to("chat.postMessage") == []
    assert "can only share" in harness.answer_text(url)


async def test_share_of_a_page_the_sharer_cannot_see_is_refused(
    harness: Harness, kube: dict[str, str]
) -> None:
    harness.confluence.fail(rf"/pages/{kube['eng0']}$", 404)
    card = {"u": f"{SITE}/wiki/spaces/ENG/pages/{kube['eng0']}/X", "t": "Kubernetes guide 0"}
    _, url = await harness.action(SHARE_ACTION, json.dumps(card))
    assert harness.slack.calls_to("chat.postMessage") == []
    assert "doesn't exist, or you can't see it" in harness.answer_text(url)


async def test_share_where_the_bot_is_not_a_member_explains(
    harness: Harness, kube: dict[str, str]
) -> None:
    _, url = await harness.command("search kubernetes news", channel_id="C0999")
    share = _buttons(harness.answers(url)[0], SHARE_ACTION)[0]
    _, url2 = await harness.action(SHARE_ACTION, str(share["value"]), channel_id="C0999")
    assert "/invite" in harness.answer_text(url2)


@pytest.mark.parametrize(
    "query",
    [
        '"quoted" words',
        'back\\slash \\" mix',
        'x" OR space = "SECRET',
        "AND OR NOT (",
        "ünïcödé ✓ 🚀",
        "'single'",
    ],
)
async def test_hostile_queries_never_break_the_cql(
    harness: Harness, kube: dict[str, str], query: str
) -> None:
    response, url = await harness.command(f"search {query}")
    assert response.status_code == 200
    (answer,) = harness.answers(url)
    assert "no results" in answer["text"].lower()
    assert "refused" not in json.dumps(answer)
    (search,) = harness.confluence.requests_to("GET", r"/rest/api/search$")
    assert 'space = "SECRET"' not in search.query["cql"][0].replace('\\"', "")


async def test_no_results_suggests_a_broader_query(harness: Harness, kube: dict[str, str]) -> None:
    _, url = await harness.command("search zebras in:OPS")
    text = harness.answer_text(url)
    assert "no results" in text.lower() and "broader" in text and "in:OPS" in text


async def test_bare_text_searches_with_a_hint_to_help(
    harness: Harness, kube: dict[str, str]
) -> None:
    _, url = await harness.command("serch kubernetes")  # a typo in the subcommand
    text = harness.answer_text(url)
    assert "/confluence help" in text
    assert harness.confluence.requests_to("GET", r"/rest/api/search$")


async def test_recent_lists_newest_pages_and_blog_posts(
    harness: Harness, kube: dict[str, str]
) -> None:
    _, url = await harness.command("recent eng")
    (answer,) = harness.answers(url)
    assert "Recently updated in ENG" in answer["text"]
    (search,) = harness.confluence.requests_to("GET", r"/rest/api/search$")
    assert search.query["cql"] == [
        'type in (page, blogpost) AND space = "ENG" order by lastmodified desc'
    ]
    _, url = await harness.command("recent")
    assert "Recently updated in Confluence" in harness.answers(url)[0]["text"]


@pytest.mark.parametrize("args", ["ENG.", "eng ops", "<b>"])
async def test_recent_with_something_not_a_space_key_says_so(harness: Harness, args: str) -> None:
    _, url = await harness.command(f"recent {args}")
    (answer,) = harness.answers(url)
    assert "isn't a space key" in answer["text"] and "<b>" not in answer["text"]
    assert harness.confluence.requests_to("GET", r"/rest/api/search$") == []


@pytest.mark.parametrize("text", ["", "help", "HELP"])
async def test_help_is_the_immediate_ack(harness: Harness, text: str) -> None:
    response, url = await harness.command(text)
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert body["text"] == help_text.slash_help()
    assert "search <words>" in body["text"] and "recent" in body["text"]
    assert harness.answers(url) == []
    assert harness.confluence.requests == []


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "credentials"),
        (403, "permission"),
        (429, "busy"),
        (500, "unavailable"),
        (503, "unavailable"),
    ],
)
async def test_confluence_failures_reach_the_user_as_one_sentence(
    harness: Harness,
    kube: dict[str, str],
    status: int,
    words: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    harness.confluence.fail(r"/rest/api/search$", status, times=5, headers={"Retry-After": "0"})
    response, url = await harness.command("search kubernetes")
    assert response.status_code == 200
    (answer,) = harness.answers(url)
    assert answer["response_type"] == "ephemeral"
    assert words in answer["text"]
    assert "maton-test-key" not in answer["text"]
    assert any("action=search" in r.getMessage() for r in caplog.records)
    assert all("maton-test-key" not in r.getMessage() for r in caplog.records)


async def test_unexpected_failure_is_logged_and_the_user_is_told(
    harness: Harness, kube: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    # Confluence answers 200 with a body of the wrong shape: a bug or an API change, not a
    # failure the search expects. The user must not be left waiting.
    harness.confluence.fail(r"/rest/api/search$", 200, json={"results": "not a list"})
    _, url = await harness.command("search kubernetes")
    (answer,) = harness.answers(url)
    assert answer["response_type"] == "ephemeral"
    assert "Something went wrong on my side" in answer["text"]
    [failure] = [r for r in caplog.records if "background task failed" in r.getMessage()]
    assert f"user={USER}" in failure.getMessage() and failure.exc_info is not None


async def test_refused_response_url_answer_is_logged(
    harness: Harness, kube: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    never_issued = f"{harness.slack_url}/response/0000000000000000"
    body = slash_command_body(
        "search kubernetes",
        user_id=USER,
        channel_id=CHANNEL,
        team_id="T0001",
        response_url=never_issued,
        trigger_id=harness.slack.new_trigger_id(),
    )
    await harness.post(body, "application/x-www-form-urlencoded")
    await harness.settle()
    [refused] = [r for r in caplog.records if "refused a response_url answer" in r.getMessage()]
    assert "status=404" in refused.getMessage() and "expired_url" in refused.getMessage()


async def test_bad_signature_and_stale_timestamp_are_refused(harness: Harness) -> None:
    from tests.fakes.slack_signing import slash_command_body

    body = slash_command_body("help")
    wrong = await harness.post(
        body, "application/x-www-form-urlencoded", secret="not-the-secret-at-all"
    )
    assert wrong.status_code == 401
    stale = await harness.post(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 600
    )
    assert stale.status_code == 401
    fresh = await harness.post(body, "application/x-www-form-urlencoded")
    assert fresh.status_code == 200


async def test_healthz_reports_the_store(harness: Harness) -> None:
    ok = await harness.http.get("/healthz")
    assert ok.status_code == 200 and ok.json()["ok"] is True
    await harness.services.store.close()
    harness.services.store = type(harness.services.store).from_url(
        "sqlite:////nonexistent-dir/x/y.db"
    )
    before = set(threading.enumerate())
    down = await harness.http.get("/healthz")
    assert down.status_code == 503 and down.json()["ok"] is False
    await finish_worker_threads(before)


def _link_shared(*urls: str) -> dict[str, object]:
    return {
        "type": "link_shared",
        "channel": CHANNEL,
        "is_bot_user_member": True,
        "user": USER,
        "message_ts": "1700000000.000200",
        "unfurl_id": "C0001.1700000000.000200.abc",
        "source": "conversations_history",
        "links": [{"domain": "acme.atlassian.net", "url": u} for u in urls],
        "event_ts": "1700000000.000300",
    }


async def test_unfurls_pages_and_blog_posts_once_per_event(
    harness: Harness, kube: dict[str, str]
) -> None:
    fake = harness.confluence
    fake.add_user("u-author", "Ada Author")
    authored = fake.add_page(
        "ENG", "Authored", "<p>Written by <em>Ada</em> &amp; friends</p>", author_id="u-author"
    )
    page_url = f"{SITE}/wiki/spaces/ENG/pages/{authored['id']}/Authored"
    blog_url = f"{SITE}/wiki/spaces/ENG/blog/2026/11/28/{kube['blog']}/Kubernetes+news"
    viewpage = f"{SITE}/wiki/pages/viewpage.action?pageId={kube['eng0']}"
    missing = f"{SITE}/wiki/spaces/ENG/pages/999999/Gone"
    foreign = f"https://other.atlassian.net/wiki/spaces/ENG/pages/{kube['eng1']}/X"
    event = _link_shared(page_url, blog_url, viewpage, missing, foreign)
    assert (await harness.event(event, event_id="EvUNFURL1")).status_code == 200
    (call,) = harness.slack.calls_to("chat.unfurl")
    unfurls = call.args["unfurls"]
    assert set(unfurls) == {page_url, blog_url, viewpage}
    page_text = json.dumps(unfurls[page_url])
    assert "Ada Author" in page_text and "Engineering" in page_text and "Written by" in page_text
    assert "Blog post" in json.dumps(unfurls[blog_url])
    for preview in unfurls.values():
        assert validate_blocks(preview["blocks"]) == []
    assert call.args["unfurl_id"] == event["unfurl_id"]
    # Slack retries the same event (Socket Mode loses the retry headers): no second unfurl.
    await harness.event(event, event_id="EvUNFURL1")
    assert len(harness.slack.calls_to("chat.unfurl")) == 1
    await harness.event(event, event_id="EvUNFURL2")
    assert len(harness.slack.calls_to("chat.unfurl")) == 2


@pytest.mark.parametrize(
    "template",
    [
        "https://evil.com\\@acme.atlassian.net/wiki/spaces/ENG/pages/{id}/X",
        "https://evil.com\\.acme.atlassian.net/wiki/spaces/ENG/pages/{id}/X",
        "https://someone@acme.atlassian.net/wiki/spaces/ENG/pages/{id}/X",
    ],
)
async def test_lookalike_links_get_no_preview_of_our_page(
    harness: Harness, kube: dict[str, str], template: str
) -> None:
    # A browser opens evil.com for the first two; the preview must not vouch for them.
    lookalike = template.format(id=kube["eng0"])
    await harness.event(_link_shared(lookalike))
    assert harness.slack.calls_to("chat.unfurl") == []
    assert harness.confluence.requests_to("GET", r"/pages/\d+$") == []


async def test_unfurl_of_only_unresolvable_links_calls_nothing(
    harness: Harness, kube: dict[str, str]
) -> None:
    harness.confluence.fail(r"/pages/\d+$", 403, times=1)
    await harness.event(
        _link_shared(
            f"{SITE}/wiki/spaces/ENG/pages/{kube['eng2']}/X", f"{SITE}/wiki/spaces/ENG/overview"
        )
    )
    assert harness.slack.calls_to("chat.unfurl") == []


async def test_app_home_shows_connection_and_shortcuts(harness: Harness) -> None:
    await harness.event(
        {
            "type": "app_home_opened",
            "user": USER,
            "channel": "D0001",
            "tab": "home",
            "event_ts": "1.2",
        }
    )
    (call,) = harness.slack.calls_to("views.publish")
    view = call.args["view"]
    assert call.args["user_id"] == USER
    assert view["type"] == "home"
    text = json.dumps(view)
    assert "acme.atlassian.net" in text and "Maton" in text and "/confluence search" in text
    assert json.dumps(help_text.home_text())[1:-1] in text
    assert validate_blocks(view["blocks"], surface="home") == []


def _escaped_search_answer(page_id: str) -> dict[str, object]:
    """A v1 search answer as Confluence sends it: title and excerpt HTML-escaped, highlighted."""
    return {
        "results": [
            {
                "content": {
                    "id": page_id,
                    "type": "page",
                    "status": "current",
                    "title": 'R&D <ops> "Q3" plan',
                    "_links": {"webui": f"/spaces/ENG/pages/{page_id}/RD+ops+Q3+plan"},
                },
                "title": "R&amp;D &lt;ops&gt; &quot;Q3&quot; @@@hl@@@plan@@@endhl@@@",
                "excerpt": "Tom &amp; Jerry&#39;s @@@hl@@@plan@@@endhl@@@: a &lt; b &gt; c, "
                "&quot;quoted&quot; &lt;!channel&gt;",
                "url": f"/spaces/ENG/pages/{page_id}/RD+ops+Q3+plan",
                "resultGlobalContainer": {"title": "Eng &amp; Ops", "displayUrl": "/spaces/ENG"},
                "entityType": "content",
                "lastModified": "2024-05-01T10:00:00.000Z",
            }
        ],
        "start": 0,
        "limit": 5,
        "size": 1,
        "_links": {"base": f"{SITE}/wiki", "context": "/wiki"},
    }


@pytest.mark.parametrize("command", ["search plan", "recent ENG"])
async def test_escaped_titles_and_excerpts_are_decoded_once_and_escaped_for_slack_once(
    harness: Harness, command: str
) -> None:
    # Share re-reads the page as the sharer, so the page the search answer names must exist.
    harness.confluence.add_space("ENG", "Eng & Ops")
    page = harness.confluence.add_page("ENG", 'R&D <ops> "Q3" plan', "<p>Tom &amp; Jerry</p>")
    harness.confluence.fail(r"/rest/api/search$", 200, json=_escaped_search_answer(page["id"]))
    _, url = await harness.command(command)
    (answer,) = harness.answers(url)
    assert validate_blocks(answer["blocks"]) == []
    text = next(b["text"]["text"] for b in answer["blocks"] if "accessory" in b)
    assert 'R&amp;D &lt;ops&gt; "Q3" plan' in text  # title: Slack's three escapes only
    assert 'Tom &amp; Jerry\'s *plan*: a &lt; b &gt; c, "quoted" &lt;!channel&gt;' in text
    assert "Eng &amp; Ops" in text
    dumped = json.dumps(answer)
    for twice in ("&amp;amp;", "&amp;lt;", "&amp;quot;", "&amp;#39;", "&quot;", "&#39;"):
        assert twice not in dumped, twice
    # The Share button carries the same card; the shared message shows it the same way.
    share = _buttons(answer, SHARE_ACTION)[0]
    await harness.action(SHARE_ACTION, str(share["value"]))
    (posted,) = harness.slack.calls_to("chat.postMessage")
    shared_text = posted.args["blocks"][0]["text"]["text"]
    assert 'R&amp;D &lt;ops&gt; "Q3" plan' in shared_text and "&amp;amp;" not in shared_text


@pytest.mark.parametrize("command", ["search kubernetes in:NOPE", "recent NOPE"])
async def test_a_space_that_does_not_exist_is_said_plainly_and_quoted_once(
    harness: Harness, kube: dict[str, str], command: str
) -> None:
    _, url = await harness.command(command)
    (answer,) = harness.answers(url)
    assert "There's no space `NOPE`, or you can't see it." in answer["text"]
    assert json.dumps(answer).count("NOPE") == 1


async def test_an_existing_space_without_results_is_not_called_missing(
    harness: Harness, kube: dict[str, str]
) -> None:
    _, url = await harness.command("search zebra in:OPS")
    text = harness.answer_text(url)
    assert "no results" in text and "There's no space" not in text
