"""What the bot offers, written once and rendered three ways: the `/confluence help` answer, App
Home's list and the README's (tests/slack/test_help_text.py keeps the README in step)."""

from __future__ import annotations

from dataclasses import dataclass

SLASH = "/confluence"


@dataclass(frozen=True)
class Command:
    """Subcommands of the slash command (usages without `/confluence`), one line of help."""

    usages: tuple[str, ...]
    does: str


@dataclass(frozen=True)
class Gesture:
    """Something done in Slack rather than typed: a shortcut, a pasted link."""

    how: str
    does: str


COMMANDS: tuple[Command, ...] = (
    Command(
        ("search <words> [in:SPACEKEY]",),
        f"search pages and blog posts (just `{SLASH} <words>` works too)",
    ),
    Command(("recent [SPACEKEY]",), "the newest pages and blog posts"),
    Command(("create [title]",), "create a page"),
    Command(("comment <page URL or id> <text>",), "comment on a page"),
    Command(("digest subscribe|list|unsubscribe|now",), "blog post digests in this channel"),
    Command(
        ("notify subscribe|list|unsubscribe|pause|resume",),
        "new and changed pages, blog posts and comments, posted in this channel as they happen",
    ),
    Command(("connect", "disconnect", "whoami"), "act in Confluence as yourself"),
    Command(("tasks",), "your open Confluence tasks, due date first, each with a Done button"),
    Command(
        ("me [on|off] [mentions] [comments] [watching] [tasks]",),
        "what I tell you about by DM: mentions, comments, watched pages, tasks",
    ),
)
HELP = Command(("help",), "this list")
GESTURES: tuple[Gesture, ...] = (
    Gesture("*Save to Confluence* on any message", "turn its thread into a page"),
    Gesture("*Comment in Confluence* on any message", "post it as a comment on a page"),
    Gesture("*Create Confluence page* from the ⚡ menu", "start a new page in a modal"),
    Gesture("Paste a Confluence link in a channel I'm in", "I'll show a preview"),
)


def _command(command: Command, prefix: str) -> str:
    first, *others = command.usages
    usages = " / ".join([f"`{prefix}{first}`", *(f"`{usage}`" for usage in others)])
    return f"{usages} — {command.does}"


def _lines(prefix: str, *, with_help: bool) -> list[str]:
    commands = [*COMMANDS, HELP] if with_help else list(COMMANDS)
    return [_command(command, prefix) for command in commands] + [
        f"{gesture.how} — {gesture.does}" for gesture in GESTURES
    ]


def slash_help() -> str:
    """The ephemeral answer to `/confluence help` (and to `/confluence` alone)."""
    lines = _lines("", with_help=True)
    return "\n".join(
        [f"*Confluence for Slack* — `{SLASH} <subcommand>`", *(f"• {x}" for x in lines)]
    )


def home_text() -> str:
    """App Home's "What you can do" section."""
    lines = _lines(f"{SLASH} ", with_help=True)
    return "\n".join(["*What you can do*", *(f"• {line}" for line in lines)])


def readme_lines() -> list[str]:
    """The README's list, in Markdown (Slack's *bold* reads as emphasis there, as the README
    writes shortcut names)."""
    return [f"- {line}" for line in _lines(f"{SLASH} ", with_help=True)]
