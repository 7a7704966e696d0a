"""Plain text / mrkdwn typed in Slack -> storage, for "create page" and "comment" bodies."""

from __future__ import annotations

from .models import Names
from .mrkdwn import parse_mrkdwn
from .rich_text import RenderEnv, write_rich_text
from .storage import new_root, serialize, sub, sub_text


def mrkdwn_to_storage(
    text: str,
    names: Names | None = None,
    *,
    attribution: str | None = None,
    slack_escaped: bool = True,
) -> str:
    """Slack-formatted text as storage.

    `attribution` (e.g. "Posted from Slack by Ann") becomes a final italic paragraph. Pass
    `slack_escaped=False` for raw modal input, whose `&` is literal rather than the start of
    Slack's `&amp;`/`&lt;`/`&gt;`.
    """
    root = new_root()
    blocks = parse_mrkdwn(text, slack_escaped=slack_escaped)
    write_rich_text(root, blocks, RenderEnv(names or Names()))
    if attribution:
        sub_text(sub(root, "p"), "em", attribution)
    return serialize(root)
