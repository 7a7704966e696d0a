"""Which Slack ids a conversion will need names for, so the caller resolves each once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .message import content_blocks, is_visible
from .models import References
from .rich_text import is_mapping, items

_USER_KINDS = frozenset({"user", "canvas_user_mention"})
# Element kind -> the key holding a channel id whose name the page shows.
_CHANNEL_KINDS = {
    "channel": "channel_id",
    "message_mention": "channel_id",
    "canvas_message_unfurl": "root_message_channel",
}


def _walk(node: Any, users: set[str], groups: set[str], channels: set[str]) -> None:
    if is_mapping(node):
        kind = node.get("type")
        if kind in _USER_KINDS and node.get("user_id"):
            users.add(str(node["user_id"]))
        elif kind == "usergroup" and node.get("usergroup_id"):
            groups.add(str(node["usergroup_id"]))
        elif kind in _CHANNEL_KINDS and node.get(_CHANNEL_KINDS[kind]):
            channels.add(str(node[_CHANNEL_KINDS[kind]]))
        for child in items(node.get("elements")):
            _walk(child, users, groups, channels)
    elif isinstance(node, list):
        for child in node:
            _walk(child, users, groups, channels)


def collect_references(messages: Iterable[Mapping[str, Any]]) -> References:
    """Authors (people, not bots) plus every user/usergroup/channel mentioned."""
    users: set[str] = set()
    groups: set[str] = set()
    channels: set[str] = set()
    for message in messages:
        if not is_visible(message):
            continue
        author = message.get("user")
        if isinstance(author, str) and author and message.get("subtype") != "bot_message":
            users.add(author)
        _walk(content_blocks(message), users, groups, channels)
    return References(frozenset(users), frozenset(groups), frozenset(channels))
