"""Compose a channel's digest message as plain Block Kit dicts (no Slack imports).

Layout: a header, a context line (post count and date), then per space — newest space first — a
section naming the space with a link to its blog, one section per post (newest first), and an
"and N more" context line when not every post fits. Slack allows 50 blocks per message; when that
is short, posts are shared out round-robin so every space keeps at least its heading, and spaces
that still do not fit are summarised in one closing line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["BlogPost", "DigestMessage", "SpacePosts", "compose_digest"]

MAX_MESSAGE_BLOCKS = 50
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
EXCERPT_LIMIT = 200
TITLE_LIMIT = 250
NAME_LIMIT = 100
FALLBACK_KEYS_SHOWN = 5
_FIXED_BLOCKS = 2  # header + context

Block = dict[str, Any]


def _require_absolute(url: str, what: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"{what} must be an absolute http(s) URL, got {url!r}")


@dataclass(frozen=True, slots=True)
class BlogPost:
    title: str
    url: str  # absolute
    author: str  # display name
    created_at: datetime  # aware
    excerpt: str = ""  # plain text

    def __post_init__(self) -> None:
        _require_absolute(self.url, "BlogPost.url")
        if self.created_at.utcoffset() is None:
            raise ValueError("BlogPost.created_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class SpacePosts:
    space_key: str
    space_name: str
    blog_url: str  # absolute link to the space's blog
    posts: Sequence[BlogPost] = ()

    def __post_init__(self) -> None:
        _require_absolute(self.blog_url, "SpacePosts.blog_url")


@dataclass(frozen=True, slots=True)
class DigestMessage:
    text: str  # notification / fallback text
    blocks: list[Block] = field(default_factory=list)
    post_count: int = 0  # every new post, shown or summarised


def compose_digest(
    channel_posts: Sequence[SpacePosts], *, max_blocks: int = MAX_MESSAGE_BLOCKS, now: datetime
) -> DigestMessage | None:
    """Build the digest for one channel, or None when there is nothing new."""
    if not 3 <= max_blocks <= MAX_MESSAGE_BLOCKS:
        raise ValueError(f"max_blocks must be 3..{MAX_MESSAGE_BLOCKS}, got {max_blocks}")
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    spaces = [
        SpacePosts(
            s.space_key,
            s.space_name,
            s.blog_url,
            sorted(s.posts, key=lambda p: p.created_at, reverse=True),
        )
        for s in channel_posts
        if s.posts
    ]
    if not spaces:
        return None
    spaces.sort(key=lambda s: s.posts[0].created_at, reverse=True)
    total = sum(len(s.posts) for s in spaces)

    budget = max_blocks - _FIXED_BLOCKS
    shown, hidden = spaces, []
    if len(spaces) > budget:
        shown, hidden = spaces[: budget - 1], spaces[budget - 1 :]
        budget -= 1  # the closing summary line
    allocation = _allocate([len(s.posts) for s in shown], budget - len(shown))

    blocks: list[Block] = [
        {"type": "header", "text": _plain("Confluence digest", HEADER_TEXT_LIMIT)},
        _context(f"*{_count(total)}* · {_date_token(now, '{date_long_pretty}')}"),
    ]
    for space, count in zip(shown, allocation, strict=True):
        blocks.append(_section(_space_heading(space)))
        blocks.extend(_section(_post_text(post)) for post in space.posts[:count])
        if 0 < count < len(space.posts):
            more = len(space.posts) - count
            target = _link_target(space.blog_url)
            blocks.append(_context(f"…<{target}|and {more} more in {_label(space.space_key)}>"))
    if hidden:
        blocks.append(_context(_hidden_summary(hidden, bool(shown))))
    return DigestMessage(_fallback_text(total, spaces), blocks, total)


def _allocate(counts: list[int], budget: int) -> list[int]:
    """Posts shown per space, round-robin, where a partly shown space also costs a "more" line."""

    def more_line(shown: int, count: int) -> int:
        return 1 if 0 < shown < count else 0

    shown = [0] * len(counts)
    used = 0
    progress = True
    while progress:
        progress = False
        for i, count in enumerate(counts):
            if shown[i] >= count:
                continue
            cost = 1 + more_line(shown[i] + 1, count) - more_line(shown[i], count)
            if used + cost <= budget:
                shown[i] += 1
                used += cost
                progress = True
    return shown


def _space_heading(space: SpacePosts) -> str:
    name = _label(_clip(space.space_name or space.space_key, NAME_LIMIT))
    key = _escape(_clip(space.space_key, NAME_LIMIT))
    target = _link_target(space.blog_url)
    return f"*<{target}|{name}>* ({key}) · {_count(len(space.posts))}"


def _post_text(post: BlogPost) -> str:
    title = _label(_clip(post.title.strip() or "(untitled)", TITLE_LIMIT))
    lines = [f"*<{_link_target(post.url)}|{title}>*"]
    byline = _date_token(post.created_at, "{date_short_pretty} at {time}")
    if post.author.strip():
        byline = f"by {_escape(_clip(post.author.strip(), NAME_LIMIT))} · {byline}"
    lines.append(byline)
    excerpt = " ".join(post.excerpt.split())
    if excerpt:
        lines.append(f">{_escape(_clip(excerpt, EXCERPT_LIMIT))}")
    text = "\n".join(lines)
    if len(text) > SECTION_TEXT_LIMIT:  # only with absurdly long URLs: drop the link
        text = "\n".join([f"*{title}*", *lines[1:]])
    return _clip(text, SECTION_TEXT_LIMIT)


def _hidden_summary(hidden: list[SpacePosts], others_shown: bool) -> str:
    posts = sum(len(s.posts) for s in hidden)
    prefix = f"…and {_count(posts)}" if others_shown else _count(posts)
    text = f"{prefix} in"
    for i, space in enumerate(hidden):
        link = f" <{_link_target(space.blog_url)}|{_label(space.space_key)}>"
        more = len(hidden) - i
        tail = f" and {more} more space{'' if more == 1 else 's'}"
        if len(text) + len(link) + len(tail) + 1 > SECTION_TEXT_LIMIT:
            return text + tail
        text += link if i == 0 else "," + link
    return text


def _fallback_text(total: int, spaces: list[SpacePosts]) -> str:
    keys = [s.space_key for s in spaces]
    listed = ", ".join(keys[:FALLBACK_KEYS_SHOWN])
    if len(keys) > FALLBACK_KEYS_SHOWN:
        listed += f" and {len(keys) - FALLBACK_KEYS_SHOWN} more"
    return _clip(f"{_count(total)} in {listed}", 300)


def _count(posts: int) -> str:
    return f"{posts} new blog post{'' if posts == 1 else 's'}"


def _date_token(moment: datetime, fmt: str) -> str:
    """Slack renders ``<!date^…>`` in each reader's own time zone; the fallback is UTC."""
    utc = moment.astimezone(UTC)
    return f"<!date^{int(utc.timestamp())}^{fmt}|{utc:%Y-%m-%d %H:%M} UTC>"


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _clip(text, limit), "emoji": True}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _label(text: str) -> str:
    """Text inside ``<url|label>``: escaped; ``|`` has no escape, so a look-alike replaces it."""
    return _escape(text.replace("|", "\N{FULLWIDTH VERTICAL LINE}"))


def _link_target(url: str) -> str:
    """A URL inside ``<…|…>``: characters that would end the link are percent-encoded."""
    for char, code in ((" ", "%20"), ("|", "%7C"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, code)
    return url.replace("&", "&amp;")
