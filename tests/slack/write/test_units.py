"""The write helpers on their own: pickers' CQL and matching, downloads, preflight, claims, names."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence.urls import ContentRef
from bot.convert import References
from bot.slack.write.comment import (
    foreign_link,
    linked_content,
    parse_ref_value,
    prefill_text,
    ref_value,
)
from bot.slack.write.files import FileSkipped, SlackFile, download, files_in
from bot.slack.write.names import SlackDirectory
from bot.slack.write.pickers import _matches_space, page_search_cql
from bot.slack.write.preflight import Preflight
from bot.slack.write.submissions import FAILED, claim_submission, submission_key
from bot.store import Store
from tests.fakes.slack_fake import FakeSlack


@pytest.mark.parametrize(
    ("query", "key", "name", "expected"),
    [
        ("", "ENG", "Engineering", True),
        ("eng", "ENG", "Engineering", True),
        ("plat", "PE", "Core Platform Team", True),
        ("team", "PE", "Core Platform Team", True),
        ("latform", "PE", "Core Platform Team", False),
        ("ops", "ENG", "Engineering", False),
    ],
)
def test_space_matching_is_by_key_or_word_prefix(
    query: str, key: str, name: str, expected: bool
) -> None:
    assert _matches_space(query, key, name) is expected


def test_page_search_cql_quotes_user_words() -> None:
    assert page_search_cql('deploy che"ck', "ENG") == (
        'type = page AND space = "ENG" AND (title ~ "deploy*" AND title ~ "che*" AND '
        'title ~ "ck*") order by lastmodified desc'
    )
    assert page_search_cql("  ") == "type = page order by lastmodified desc"


def _file(
    size: int | None = 10, url: str | None = "https://files.slack.test/F1/a.png"
) -> SlackFile:
    return SlackFile("F1", "a.png", "image/png", size, url)


def _http(handler: httpx.MockTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=handler)


async def test_download_sends_the_bot_token_and_returns_bytes() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, content=b"png!", headers={"content-type": "image/png"})

    async with _http(httpx.MockTransport(handler)) as http:
        allowed = {"https://files.slack.test"}
        assert await download(http, _file(), "xoxb-1", extra_origins=allowed) == b"png!"
        slack_com = _file(url="https://files.slack.com/files-pri/T1-F1/a.png")
        assert await download(http, slack_com, "xoxb-1") == b"png!"
    assert seen == ["Bearer xoxb-1"] * 2


async def test_download_never_sends_the_token_outside_slack() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=b"x", headers={"content-type": "image/png"})

    async with _http(httpx.MockTransport(handler)) as http:
        for url in ("https://evil.example/slack.com/a.png", "https://slack.com.evil.example/a"):
            with pytest.raises(FileSkipped, match="not a Slack file link"):
                await download(http, _file(url=url), "xoxb-1")
        external = SlackFile("F2", "doc", "application/pdf", 10, "https://drive.test/x", True)
        with pytest.raises(FileSkipped, match="outside Slack"):
            await download(http, external, "xoxb-1", extra_origins={"https://drive.test"})
    assert seen == []


@pytest.mark.parametrize(
    "url",
    [
        "http://files.slack.com/files-pri/T1-F1/a.png",  # the token would travel in clear text
        "https://files.slack.com:8443/files-pri/T1-F1/a.png",  # another service on the host
        "https://files.slack.com:80/files-pri/T1-F1/a.png",
        "https://user:pw@files.slack.com/files-pri/T1-F1/a.png",
        "https://evil.example\\@files.slack.com/a.png",  # browsers (and we) go to evil.example
        "http://files.slack.test/F1/a.png",  # an injected origin is exact: scheme too
        "https://files.slack.test:444/F1/a.png",  # and port
    ],
)
async def test_download_sends_the_token_only_over_https_to_the_default_port(url: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=b"x", headers={"content-type": "image/png"})

    async with _http(httpx.MockTransport(handler)) as http:
        with pytest.raises(FileSkipped, match="not a Slack file link"):
            await download(
                http, _file(url=url), "xoxb-1", extra_origins={"https://files.slack.test"}
            )
    assert seen == []


async def test_download_allows_the_configured_api_origin_exactly() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=b"x", headers={"content-type": "image/png"})

    origin = {"http://127.0.0.1:8123"}  # the Slack fake in tests: SLACK_API_URL's origin
    async with _http(httpx.MockTransport(handler)) as http:
        ok = _file(url="http://127.0.0.1:8123/files/F1/a.png")
        assert await download(http, ok, "t", extra_origins=origin) == b"x"
        with pytest.raises(FileSkipped):
            await download(http, _file(url="http://127.0.0.1:8124/f"), "t", extra_origins=origin)
    assert seen == ["http://127.0.0.1:8123/files/F1/a.png"]


async def test_download_refuses_big_files_login_pages_and_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("login"):
            return httpx.Response(
                200, text="<html>sign in</html>", headers={"content-type": "text/html"}
            )
        if request.url.path.endswith("gone"):
            return httpx.Response(404)
        return httpx.Response(200, content=b"x" * 2048, headers={"content-type": "image/png"})

    hosts = {"https://files.slack.test", "https://f.test"}
    async with _http(httpx.MockTransport(handler)) as http:
        with pytest.raises(FileSkipped, match="limit"):
            await download(http, _file(size=30 * 1024 * 1024), "t")
        with pytest.raises(FileSkipped, match="limit"):  # size unknown, stream too long
            await download(http, _file(size=None), "t", max_bytes=1024, extra_origins=hosts)
        with pytest.raises(FileSkipped, match="files:read"):
            await download(http, _file(url="https://f.test/login"), "t", extra_origins=hosts)
        with pytest.raises(FileSkipped, match="404"):
            await download(http, _file(url="https://f.test/gone"), "t", extra_origins=hosts)
        with pytest.raises(FileSkipped, match="no download link"):
            await download(http, _file(url=None), "t")


def test_files_in_keeps_each_file_once_and_names_attachments_stably() -> None:
    f = {"id": "F9", "name": "a/b:c.txt", "mimetype": "text/plain", "size": 3}
    files = files_in([{"files": [f]}, {"files": [f, {"id": "F8", "mode": "tombstone"}]}])
    assert [x.id for x in files] == ["F9"]
    assert files[0].attachment_name == "F9-a_b_c.txt" and not files[0].is_image


async def test_preflight_inline_in_time_else_closed() -> None:
    early = Preflight()
    early.failed({"title": "taken"})
    assert await early.outcome(0.1) == {"title": "taken"}

    late = Preflight()
    assert await late.outcome(0.01) is None
    assert late.failed({"title": "taken"}) is False  # the job must tell the user itself

    passed = Preflight()
    asyncio.get_running_loop().call_later(0.01, passed.passed)
    assert await passed.outcome(1.0) is None


async def test_claims_run_once_answer_repeats_and_allow_retry_after_failure(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path}/s.db")
    await store.migrate()
    key = submission_key("save", "V1", ["a", 1])
    assert key == submission_key("save", "V1", ["a", 1]) != submission_key("save", "V1", ["b", 1])
    first = await claim_submission(store, key)
    assert first.state == "run"
    assert (await claim_submission(store, key)).state == "running"
    await store.remember_result(first.key, FAILED)
    retry = await claim_submission(store, key)
    assert retry.state == "run" and retry.key != first.key
    await store.remember_result(retry.key, "12345")
    done = await claim_submission(store, key)
    assert (done.state, done.result) == ("done", "12345")
    await store.close()


async def test_directory_calls_users_info_once_per_user(
    slack_server: tuple[FakeSlack, str],
) -> None:
    slack, url = slack_server
    slack.calls.clear()
    slack.add_user("U1", "ann", display_name="Annie")
    slack.add_user("U2", "bob", real_name="Bob B", tz="America/New_York")
    directory = SlackDirectory(AsyncWebClient(token=slack.bot_token, base_url=url + "/api/"))
    refs = References(user_ids=frozenset({"U1", "U2", "U404"}))
    names, tz, again = await asyncio.gather(
        directory.names_for(refs), directory.tz("U2"), directory.display_name("U1")
    )
    await directory.names_for(refs)
    assert names.users == {"U1": "Annie", "U2": "Bob B", "U404": "U404"}
    assert str(tz) == "America/New_York" and again == "Annie"
    assert len(slack.calls_to("users.info")) == 3 == directory.users_info_calls


SITE = "https://acme.atlassian.net"


def test_ref_values_keep_the_kind_and_refuse_junk() -> None:
    page, blog = ContentRef("page", "42"), ContentRef("blogpost", "43")
    assert parse_ref_value(ref_value(page)) == page
    assert parse_ref_value(ref_value(blog)) == blog
    assert ref_value(blog) == "blogpost:43"
    for junk in ("", "abc", "blogpost:", "page:1", "blogpost:x"):
        assert parse_ref_value(junk) is None


def test_foreign_links_are_named() -> None:
    assert foreign_link("123", SITE) is None
    assert foreign_link(f"{SITE}/wiki/spaces/ENG/pages/1", SITE) is None
    text = foreign_link("https://other.atlassian.net/wiki/spaces/X/pages/1", SITE)
    assert text is not None and "other.atlassian.net" in text and "acme.atlassian.net" in text


def test_linked_content_and_prefill() -> None:
    message = {
        "text": "see <https://acme.atlassian.net/wiki/spaces/ENG/pages/42/Deploy+notes|x> &amp; go",
        "blocks": [],
    }
    ref, title = linked_content(message, SITE) or (None, "")
    assert ref is not None and (ref.id, title) == ("42", "Deploy notes")
    assert linked_content(message, None) is None  # site unknown: nothing preselected
    assert linked_content(message, "https://other.atlassian.net") is None  # not our site
    assert linked_content({"text": "https://example.com/nope"}, SITE) is None
    rich = {
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {
                                "type": "link",
                                "url": "https://acme.atlassian.net/wiki/pages/viewpage.action?pageId=7",
                            }
                        ],
                    }
                ],
            }
        ]
    }
    found = linked_content(rich, SITE)
    assert found is not None and found[0].id == "7" and found[1] == "Page 7"
    assert (
        prefill_text(message)
        == "see <https://acme.atlassian.net/wiki/spaces/ENG/pages/42/Deploy+notes|x> & go"
    )


def test_thread_unavailable_sentences() -> None:
    from bot.slack.write.thread_fetch import INVITE_HINT, _unavailable

    assert "direct or group messages" in str(_unavailable("D1", "missing_scope"))
    assert str(_unavailable("G1", "channel_not_found")) == INVITE_HINT
    assert "no longer exists" in str(_unavailable("C1", "thread_not_found"))


async def test_fetch_thread_keeps_a_message_with_a_non_numeric_ts_last(
    slack_server: tuple[FakeSlack, str],
) -> None:
    from bot.slack.write.thread_fetch import fetch_thread

    slack, url = slack_server
    slack.add_channel("C_TS", "ts-check")
    slack.add_message("C_TS", {"ts": "200.000001", "user": "U1", "text": "parent"})
    slack.add_message("C_TS", {"ts": "200.000002", "thread_ts": "200.000001", "text": "reply"})
    slack.add_message("C_TS", {"ts": "oops", "thread_ts": "200.000001", "text": "odd"})
    client = AsyncWebClient(token=slack.bot_token, base_url=url + "/api/")
    thread = await fetch_thread(client, "C_TS", "200.000001")
    assert [m["text"] for m in thread] == ["parent", "reply", "odd"]
