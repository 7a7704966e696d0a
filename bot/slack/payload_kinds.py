"""The interactivity payloads Slack sends, by the `type` of their body (commands and Events API
callbacks are told apart by other fields)."""

from __future__ import annotations

INTERACTIVE_KINDS = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
    }
)
