"""The sentence around an @mention of one user in storage XHTML, as plain text (pure)."""

from __future__ import annotations

import re

from .excerpt import _parsed, _plain, _root_segments
from .storage import AC_NS, RI_NS

__all__ = ["mention_sentence"]

_MARK = "\u2063ME\u2063"  # stands for the mention while the text is cut into sentences
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_MAX_CHARS = 2000


def mention_sentence(storage: str, account_id: str, *, you: str = "@you") -> str | None:
    """The sentence (within its paragraph, list item or cell) that mentions `account_id`, with
    that mention written as `you` and others as "@user"; None when the user is not mentioned."""
    if f'"{account_id}"' not in storage and f"'{account_id}'" not in storage:
        return None  # cheap: most bodies do not mention this user
    root = _parsed(storage)
    if root is None:
        return None
    found = False
    for link in list(root.iter(f"{{{AC_NS}}}link")):
        user = link.find(f"{{{RI_NS}}}user")
        if user is None or user.get(f"{{{RI_NS}}}account-id") != account_id:
            continue
        found = True
        parent = link.getparent()
        if parent is None:
            continue
        text = _MARK + (link.tail or "")
        before = link.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(link)
    if not found:
        return None
    plain = _plain(_root_segments(root), _MAX_CHARS)
    for line in plain.split("\n"):
        if _MARK not in line:
            continue
        for sentence in _SENTENCE_END.split(line):
            if _MARK in sentence:
                return sentence.replace(_MARK, you).strip(" •")
    return you
