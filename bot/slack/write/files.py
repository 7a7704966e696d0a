"""Download Slack files (url_private + bot token) for upload as page attachments."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence

import httpx

from bot.slack.slack_urls import api_origin, is_slack_file_url
from bot.write.files import FileSkipped, SlackFile

# Largest file we copy into Confluence. Confluence Cloud's default attachment limit is 100 MB,
# but a save holds files in memory and must finish promptly; bigger files are listed by name.
MAX_FILE_BYTES = 25 * 1024 * 1024
CONCURRENCY = 4
# The bot token goes only to Slack's own hosts over https (and the configured API's origin:
# GovSlack, tests): see bot.slack.slack_urls. Files kept elsewhere (Google Drive and other
# external files) have other URLs.


async def download(
    http: httpx.AsyncClient,
    file: SlackFile,
    token: str,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    extra_origins: Collection[str] = (),
) -> bytes:
    """The file's bytes. Raises FileSkipped (too big, no URL, not in Slack, refused, failed)."""
    if file.size is not None and file.size > max_bytes:
        raise FileSkipped(f"larger than the {max_bytes // (1024 * 1024)} MB limit")
    if file.external:
        raise FileSkipped("stored outside Slack")
    if not file.url:
        raise FileSkipped("Slack gave no download link")
    if not is_slack_file_url(file.url, extra_origins):
        raise FileSkipped("its link is not a Slack file link")
    try:
        async with http.stream(
            "GET", file.url, headers={"Authorization": f"Bearer {token}"}, follow_redirects=True
        ) as response:
            if response.status_code != 200:
                raise FileSkipped(f"download failed (HTTP {response.status_code})")
            kind = response.headers.get("content-type", "")
            if kind.startswith("text/html") and not file.mimetype.startswith("text/html"):
                # Slack answers a login page (200) when the token may not read the file.
                raise FileSkipped("Slack refused the download (the app needs files:read)")
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if len(data) > max_bytes:
                    raise FileSkipped(f"larger than the {max_bytes // (1024 * 1024)} MB limit")
    except httpx.HTTPError as exc:
        raise FileSkipped(f"download failed ({type(exc).__name__})") from exc
    return bytes(data)


async def download_all(
    files: Sequence[SlackFile],
    token: str,
    *,
    api_url: str,
    max_bytes: int = MAX_FILE_BYTES,
) -> dict[str, bytes | FileSkipped]:
    """Bytes or the reason, by file id; a few downloads at a time. `api_url` is the Slack Web
    API base in use: its origin may serve files too (GovSlack, tests)."""
    extra_origins = {origin} if (origin := api_origin(api_url)) else set()
    limit = asyncio.Semaphore(CONCURRENCY)
    results: dict[str, bytes | FileSkipped] = {}
    async with httpx.AsyncClient(timeout=60.0) as http:

        async def one(file: SlackFile) -> None:
            async with limit:
                try:
                    results[file.id] = await download(
                        http, file, token, max_bytes=max_bytes, extra_origins=extra_origins
                    )
                except FileSkipped as exc:
                    results[file.id] = exc

        await asyncio.gather(*(one(f) for f in files))
    return results
