"""Block Kit for a Confluence link preview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.slack.blocks import context, link, mrkdwn_escape, section


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
    text = f"*{link(url, title or '(untitled)')}*"
    if excerpt:
        text += "\n" + excerpt
    meta = [kind]
    if space:
        meta.append(mrkdwn_escape(space))
    if author:
        meta.append(f"by {mrkdwn_escape(author)}")
    if updated:
        meta.append(f"updated {updated.strftime('%Y-%m-%d')}")
    return [section(text), context(" · ".join(meta))]
