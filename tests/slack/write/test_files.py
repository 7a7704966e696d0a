"""Downloading Slack files with the bot token: only from Slack, within the size limit."""

from __future__ import annotations

import httpx
import pytest

from bot.slack.write.files import download
from bot.write.files import FileSkipped, SlackFile


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
