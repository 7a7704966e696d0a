"""Slack emoji shortcodes -> Unicode, using the `emoji` package's alias table."""

from __future__ import annotations

import re
from functools import lru_cache

import emoji

# Slack names the `emoji` package does not know under any spelling.
_SLACK_ONLY = {"simple_smile": "🙂"}
# Slack skin-tone-2..6 are the Fitzpatrick modifiers U+1F3FB..U+1F3FF.
_SKIN_TONES = {2: "\U0001f3fb", 3: "\U0001f3fc", 4: "\U0001f3fd", 5: "\U0001f3fe", 6: "\U0001f3ff"}
_FLAG = re.compile(r"flag-([a-z]{2})")
# Slack's name for a toned emoji, as in ":wave::skin-tone-2:".
_TONED = re.compile(r"(?P<base>[^:]+)::skin-tone-(?P<tone>[2-6])")
_VARIATION_SELECTOR = "\ufe0f"


def _candidates(name: str) -> list[str]:
    names = [name, name.replace("-", "_")]
    if name.startswith("male-"):
        names.append("man_" + name[5:].replace("-", "_"))
    if name.startswith("female-"):
        names.append("woman_" + name[7:].replace("-", "_"))
    return names


@lru_cache(maxsize=4096)
def _base(name: str) -> str | None:
    if ":" in name:  # not a Slack name; emojize would replace only a part of it
        return None
    if name in _SLACK_ONLY:
        return _SLACK_ONLY[name]
    flag = _FLAG.fullmatch(name)
    if flag:  # Slack's :flag-fr: is the pair of regional indicator letters
        return "".join(chr(0x1F1E6 + ord(c) - ord("a")) for c in flag.group(1))
    for candidate in _candidates(name):
        for language in ("alias", "en"):
            code = f":{candidate}:"
            out = emoji.emojize(code, language=language)
            if out != code:
                return out
    return None


def shortcode_to_unicode(name: str, skin_tone: int | None = None) -> str | None:
    """Unicode for a Slack shortcode (without colons), or None for custom/unknown emoji."""
    base = _base(name)
    if base is None:
        return None
    modifier = _SKIN_TONES.get(skin_tone or 0)
    if modifier:
        toned = base.replace(_VARIATION_SELECTOR, "") + modifier
        if emoji.is_emoji(toned):
            return toned
    return base


def unicode_from_hex(code_points: str) -> str | None:
    """Slack's `unicode` field ("1f44d-1f3fb") as text; None when malformed."""
    try:
        chars = "".join(chr(int(part, 16)) for part in code_points.split("-"))
    except (ValueError, OverflowError):
        return None
    return chars if emoji.is_emoji(chars) or emoji.emoji_count(chars) else None


@lru_cache(maxsize=4096)
def render_emoji(name: str, unicode: str | None = None, skin_tone: int | None = None) -> str:
    """Text for an emoji element: Unicode when known, else `:name:` (custom emoji)."""
    toned = _TONED.fullmatch(name)
    if toned and shortcode_to_unicode(toned["base"]):
        name, skin_tone = toned["base"], skin_tone or int(toned["tone"])
    if unicode:
        from_hex = unicode_from_hex(unicode)
        if from_hex:
            return from_hex
    return shortcode_to_unicode(name, skin_tone) or f":{name}:"
