"""Channel digests of new Confluence blog posts: schedules, command parsing and composition.

This package is pure: no I/O and no Slack or Confluence imports.
"""

from bot.digest.commands import (
    USAGE,
    DigestCommand,
    HelpCommand,
    ListCommand,
    NowCommand,
    ParseError,
    SubscribeCommand,
    UnsubscribeCommand,
    parse_digest_command,
)
from bot.digest.compose import BlogPost, DigestMessage, SpacePosts, compose_digest
from bot.digest.schedule import (
    Frequency,
    Schedule,
    Weekday,
    describe,
    due_at_or_before,
    missed_within_grace,
    next_due,
    period_key,
)

__all__ = [
    "USAGE",
    "BlogPost",
    "DigestCommand",
    "DigestMessage",
    "Frequency",
    "HelpCommand",
    "ListCommand",
    "NowCommand",
    "ParseError",
    "Schedule",
    "SpacePosts",
    "SubscribeCommand",
    "UnsubscribeCommand",
    "Weekday",
    "compose_digest",
    "describe",
    "due_at_or_before",
    "missed_within_grace",
    "next_due",
    "parse_digest_command",
    "period_key",
]
