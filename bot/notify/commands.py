"""Parse the text of the ``notify`` subcommand into typed commands (pure, no I/O).

Grammar (words are case-insensitive; a leading ``notify`` word is ignored)::

    subscribe <KEY>[,<KEY>...] [pages] [blogposts] [comments] [label:<LABEL>]
              [under:<PAGE-URL-or-id>] [edits:all|major]
    unsubscribe <KEY>[,<KEY>...] | all
    list
    pause [<KEY>[,<KEY>...]]
    resume [<KEY>[,<KEY>...]]
    help

Kinds default to pages, blog posts and comments (with ``under:``, to pages and comments: blog
posts are never under a page); naming some keeps only those. ``edits:major`` skips the versions
Confluence marks as minor edits. Global space keys are letters and digits and are upper-cased;
personal space keys start with ``~`` and are kept as written. Labels are lower-cased, as
Confluence stores them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.confluence.space_keys import SpaceKeyError, take_space_keys
from bot.confluence.urls import ContentRef, is_lookalike, parse_page_reference
from bot.notify.models import NOTIFY_KINDS, EditsFilter, NotifyFilters, NotifyKind

__all__ = [
    "USAGE",
    "HelpCommand",
    "ListCommand",
    "NotifyCommand",
    "ParseError",
    "PauseCommand",
    "ResumeCommand",
    "SubscribeCommand",
    "UnderPage",
    "UnsubscribeCommand",
    "parse_notify_command",
]

USAGE = (
    "Usage:\n"
    "• `notify subscribe ENG[,OPS] [pages] [blogposts] [comments] [label:LABEL] "
    "[under:PAGE-URL-or-id] [edits:all|major]` (default: pages, blog posts and comments; every edit)\n"
    "• `notify list`\n"
    "• `notify unsubscribe ENG[,OPS] | all`\n"
    "• `notify pause [ENG]` / `notify resume [ENG]`"
)

MAX_LABEL_LENGTH = 255
# Characters Confluence refuses in a label name (and whitespace).
_LABEL_FORBIDDEN = frozenset("!#&()*,.:;<>?@[]^")

_KIND_WORDS: dict[str, NotifyKind] = {
    "pages": "page",
    "page": "page",
    "blogposts": "blogpost",
    "blogpost": "blogpost",
    "blogs": "blogpost",
    "blog": "blogpost",
    "comments": "comment",
    "comment": "comment",
}
_EDITS: dict[str, EditsFilter] = {"all": "all", "major": "major"}
_OPTION = re.compile(r"(label|under|edits):", re.IGNORECASE)


class ParseError(ValueError):
    """Invalid ``notify`` input; ``str(error)`` is a message fit to show the user."""


@dataclass(frozen=True, slots=True)
class UnderPage:
    """The page whose tree a subscription follows, as the user gave it."""

    text: str  # as typed (a URL or an id), for answers and the site check
    ref: ContentRef  # the page it names (its host is checked against our site later)

    @property
    def is_link(self) -> bool:
        return not (self.text.isascii() and self.text.isdigit())


@dataclass(frozen=True, slots=True)
class SubscribeCommand:
    space_keys: tuple[str, ...]
    kinds: frozenset[NotifyKind] = frozenset(NOTIFY_KINDS)
    label: str | None = None
    under: UnderPage | None = None
    edits: EditsFilter = "all"

    def filters(self, under_page_id: str | None = None) -> NotifyFilters:
        """The filters to store (`under_page_id`: the page the service checked)."""
        return NotifyFilters(self.kinds, self.label, under_page_id, self.edits)


@dataclass(frozen=True, slots=True)
class UnsubscribeCommand:
    space_keys: tuple[str, ...]  # empty when all_spaces
    all_spaces: bool = False


@dataclass(frozen=True, slots=True)
class ListCommand:
    pass


@dataclass(frozen=True, slots=True)
class PauseCommand:
    space_keys: tuple[str, ...] = ()  # empty: every subscription of the channel


@dataclass(frozen=True, slots=True)
class ResumeCommand:
    space_keys: tuple[str, ...] = ()  # empty: every subscription of the channel


@dataclass(frozen=True, slots=True)
class HelpCommand:
    pass


NotifyCommand = (
    SubscribeCommand | UnsubscribeCommand | ListCommand | PauseCommand | ResumeCommand | HelpCommand
)


def parse_notify_command(text: str) -> NotifyCommand:
    """Parse e.g. ``"subscribe ENG,ops pages label:runbook edits:major"``; raises ParseError."""
    words = text.split()
    if words and words[0].lower() == "notify":
        words = words[1:]
    if not words:
        return HelpCommand()
    verb, rest = words[0].lower(), words[1:]
    if verb == "subscribe":
        return _parse_subscribe(rest)
    if verb == "unsubscribe":
        return _parse_unsubscribe(rest)
    if verb == "list":
        _expect_end(rest, "`notify list` takes no arguments.")
        return ListCommand()
    if verb in ("pause", "resume"):
        keys, rest = _take_space_keys(rest) if rest else ((), rest)
        _expect_end(rest, f"Separate space keys with commas, e.g. `notify {verb} ENG,OPS`.")
        return PauseCommand(keys) if verb == "pause" else ResumeCommand(keys)
    if verb == "help":
        return HelpCommand()
    raise ParseError(f"Unknown notify command “{words[0]}”.\n{USAGE}")


@dataclass
class _Options:
    kinds: set[NotifyKind]
    label: str | None = None
    under: UnderPage | None = None
    edits: EditsFilter | None = None


def _parse_subscribe(words: list[str]) -> SubscribeCommand:
    if not words or _OPTION.match(words[0]) or words[0].lower() in _KIND_WORDS:
        raise ParseError(f"Which space? e.g. `notify subscribe ENG`.\n{USAGE}")
    keys, rest = _take_space_keys(words)
    options = _Options(kinds=set())
    while rest:
        rest = _take_option(options, rest)
    if options.under is not None and len(keys) > 1:
        raise ParseError(
            "`under:` follows one page's tree, which is in one space: subscribe that space alone, "
            f"e.g. `notify subscribe {keys[0]} under:…`."
        )
    if options.under is not None and "blogpost" in options.kinds:
        raise ParseError(
            "Blog posts are never under a page: leave out `blogposts`, or leave out `under:`."
        )
    kinds = frozenset(options.kinds) or (
        frozenset({"page", "comment"}) if options.under else frozenset(NOTIFY_KINDS)
    )
    return SubscribeCommand(keys, kinds, options.label, options.under, options.edits or "all")


def _take_option(options: _Options, rest: list[str]) -> list[str]:
    """Read one option from the front of `rest` into `options`; the words left."""
    word = rest[0]
    lower = word.lower()
    if lower in _KIND_WORDS:
        options.kinds.add(_KIND_WORDS[lower])
        return rest[1:]
    name, colon, value = word.partition(":")
    name = name.lower()
    if not colon or name not in ("label", "under", "edits"):
        raise ParseError(
            f"I don't understand “{word}”. Separate space keys with commas, then add any of "
            f"pages, blogposts, comments, label:LABEL, under:PAGE or edits:major.\n{USAGE}"
        )
    rest = rest[1:]
    if not value and rest:  # "label: runbook", "under: https://…"
        value, rest = rest[0], rest[1:]
    if name == "under" and value.startswith("<") and ">" not in value:
        # Slack's <url|label> whose label holds spaces
        while rest and ">" not in value:
            value, rest = f"{value} {rest[0]}", rest[1:]
    if not value:
        raise ParseError(f"`{name}:` needs a value, e.g. {_EXAMPLES[name]}.")
    if name == "label":
        if options.label is not None:
            raise ParseError("Give only one `label:`.")
        options.label = _parse_label(value)
    elif name == "under":
        if options.under is not None:
            raise ParseError("Give only one `under:` page.")
        options.under = _parse_under(value)
    else:
        if options.edits is not None:
            raise ParseError("Give only one `edits:`.")
        if value.lower() not in _EDITS:
            raise ParseError(
                f"`edits:{value}` isn't a choice: use `edits:all` (every edit, the default) or "
                "`edits:major` (skip the edits Confluence marks as minor)."
            )
        options.edits = _EDITS[value.lower()]
    return rest


LOOKALIKE = (
    "That `under:` link isn't a plain link to a page: it has a user name, a password or a "
    "backslash before the site's name, so a browser may open another site than it seems. "
    "Copy the page's link from the browser's address bar (or use the page's id)."
)
_EXAMPLES = {
    "label": "`label:runbook`",
    "under": "`under:https://acme.atlassian.net/wiki/spaces/ENG/pages/123` or `under:123`",
    "edits": "`edits:major`",
}


def _parse_label(value: str) -> str:
    label = value.lower()
    if len(label) > MAX_LABEL_LENGTH:
        raise ParseError(f"The label “{value[:20]}…” is too long (Confluence allows 255).")
    bad = sorted({ch for ch in label if ch in _LABEL_FORBIDDEN or ch.isspace()})
    if bad:
        shown = " ".join(bad)
        raise ParseError(
            f"“{value}” isn't a Confluence label: labels can't contain {shown}. "
            "Write it as it shows on the page, e.g. `label:release-notes`."
        )
    return label


def _parse_under(value: str) -> UnderPage:
    text = value.strip().strip("<>").split("|", 1)[0]
    if is_lookalike(text):
        raise ParseError(LOOKALIKE)
    ref = parse_page_reference(text)
    if ref is None:
        raise ParseError(
            f"`under:{value}` isn't a page: give the page's link (copied from the browser) or its "
            f"id, e.g. {_EXAMPLES['under']}."
        )
    if ref.kind != "page":
        raise ParseError(
            f"`under:` takes a page, and {text} is a blog post: blog posts have no pages under "
            "them."
        )
    return UnderPage(text, ref)


def _parse_unsubscribe(words: list[str]) -> UnsubscribeCommand:
    if not words:
        raise ParseError("Which space? e.g. `notify unsubscribe ENG` or `notify unsubscribe all`.")
    if len(words) == 1 and words[0].lower() == "all":
        return UnsubscribeCommand((), all_spaces=True)
    keys, rest = _take_space_keys(words)
    _expect_end(rest, "Separate space keys with commas, e.g. `notify unsubscribe ENG,OPS`.")
    return UnsubscribeCommand(keys)


def _take_space_keys(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """Consume a comma-separated key list (bot.confluence.space_keys)."""
    try:
        return take_space_keys(words)
    except SpaceKeyError as exc:
        raise ParseError(str(exc)) from exc


def _expect_end(rest: list[str], message: str) -> None:
    if rest:
        raise ParseError(f"Unexpected “{' '.join(rest)}”. {message}")
