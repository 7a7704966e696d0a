"""Storage-format (XHTML) checks and renderings used by the Confluence fake."""

from __future__ import annotations

import html.entities
import json
import re

from lxml import etree

AC_NS = "http://atlassian.com/content"
RI_NS = "http://atlassian.com/resource/identifier"
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_WRAP_OPEN = f'<root xmlns:ac="{AC_NS}" xmlns:ri="{RI_NS}">'
_WORD = re.compile(r"\w+")


class StorageError(ValueError):
    """The storage value is not well-formed XHTML."""


def _numeric_entities(value: str) -> str:
    # XML knows only five named entities; the XHTML ones (&nbsp; ...) are allowed by Confluence.
    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        char = html.entities.html5.get(name + ";")
        if char is None:
            return match.group(0)  # left undefined: the parser reports it
        return "".join(f"&#{ord(c)};" for c in char)

    return _ENTITY.sub(repl, value)


def parse_storage(value: str) -> etree._Element:
    """Parse a storage value inside a root declaring ``ac``/``ri``; raise StorageError if malformed."""
    parser = etree.XMLParser(
        recover=False, resolve_entities=False, no_network=True, huge_tree=False
    )
    try:
        return etree.fromstring(_WRAP_OPEN + _numeric_entities(value) + "</root>", parser)
    except etree.XMLSyntaxError as exc:
        raise StorageError(str(exc)) from exc


def storage_text(value: str) -> str:
    """Plain text of a storage value (tags stripped, whitespace collapsed)."""
    try:
        root = parse_storage(value)
    except StorageError:
        return " ".join(re.sub(r"<[^>]*>", " ", value).split())
    return " ".join(" ".join(str(t) for t in root.itertext()).split())


def words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def render_view(value: str) -> str:
    """A trivial 'view' rendering: the storage HTML without ac:/ri: markup (their text is kept)."""
    root = parse_storage(value)
    etree.strip_tags(root, f"{{{AC_NS}}}*", f"{{{RI_NS}}}*")
    parts = [root.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode") for child in root)
    # Serialised children may still carry namespace declarations of stripped attributes.
    return re.sub(r'\s+xmlns:(ac|ri)="[^"]*"', "", "".join(parts))


def render_adf(value: str) -> str:
    """A minimal Atlassian Document Format document (as a JSON string) holding the plain text."""
    text = storage_text(value)
    paragraph: dict[str, object] = {"type": "paragraph"}
    if text:
        paragraph["content"] = [{"type": "text", "text": text}]
    return json.dumps({"type": "doc", "version": 1, "content": [paragraph]})
