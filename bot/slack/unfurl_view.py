"""Block Kit for a Confluence link preview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.slack import blocks as bk


def unfurl_blocks(
    *,
    url: str,
    title: str,
    kind: str,
    space: str | None,
    author: str | None,
    updated: datetime | None,
    excerpt: str,
) -> list[dict[str, Any]]:
    text = f"*{bk.link(url, title or '(untitled)')}*"
    if excerpt:
        text += "\n" + excerpt
    meta = [kind]
    if space:
        meta.append(bk.mrkdwn_escape(space))
    if author:
        meta.append(f"by {bk.mrkdwn_escape(author)}")
    if updated:
        meta.append(f"updated {updated.strftime('%Y-%m-%d')}")
    return [bk.section(text), bk.context(" · ".join(meta))]
