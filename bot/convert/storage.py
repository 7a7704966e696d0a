"""lxml helpers for writing and reading Confluence storage-format fragments.

Storage is XHTML using the `ac:` and `ri:` prefixes *without* declaring them. We build every
fragment under a wrapper root that declares the namespaces, so lxml handles all escaping, and
turn the tree into text in exactly one place: `serialize`.
"""

from __future__ import annotations

import html.entities
import re

from lxml import etree

AC_NS = "http://atlassian.com/content"
RI_NS = "http://atlassian.com/resource/identifier"
AT_NS = "http://atlassian.com/template"
NSMAP = {"ac": AC_NS, "ri": RI_NS}
_OWN_NS = frozenset(NSMAP.values())
_WRAPPER = "storage-fragment"
_PARSE_OPEN = f'<{_WRAPPER} xmlns:ac="{AC_NS}" xmlns:ri="{RI_NS}" xmlns:at="{AT_NS}">'
_PARSE_CLOSE = f"</{_WRAPPER}>"

# Characters XML 1.0 cannot carry at all (lxml refuses them); dropped from any text we emit.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


def ac(tag: str) -> str:
    return f"{{{AC_NS}}}{tag}"


def ri(tag: str) -> str:
    return f"{{{RI_NS}}}{tag}"


def clean_text(text: str, *, keep_cr: bool = False) -> str:
    """Make text XML-safe: drop characters XML cannot represent, and turn CRLF/CR line ends
    into LF unless `keep_cr` (code, kept byte-exact)."""
    if "\r" in text and not keep_cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_INVALID.sub("", text) if _XML_INVALID.search(text) else text


def new_root() -> etree._Element:
    return etree.Element(_WRAPPER, nsmap=NSMAP)


def sub(parent: etree._Element, tag: str, attrib: dict[str, str] | None = None) -> etree._Element:
    if not attrib:
        return etree.SubElement(parent, tag)
    return etree.SubElement(parent, tag, {k: clean_text(v) for k, v in attrib.items()})


def last_child(parent: etree._Element) -> etree._Element | None:
    """The last child element, found from the end: `len(parent)` would walk every child, which
    made writing a paragraph quadratic in its number of pieces."""
    try:
        return parent[-1]
    except IndexError:
        return None


def append_text(parent: etree._Element, text: str) -> None:
    """Append text after the last child of `parent` (ElementTree keeps it in .text/.tail)."""
    text = clean_text(text)
    if not text:
        return
    last = last_child(parent)
    if last is not None:
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def cdata(text: str) -> str | etree.CDATA:
    """CDATA for `text`; lxml >= 6 splits a `]]>` inside into `]]]]><![CDATA[>` itself.

    Older lxml refuses such text, and then plain (escaped) text is the same XML content.
    """
    try:
        return etree.CDATA(text)
    except ValueError:
        return text


def add_cdata_child(parent: etree._Element, tag: str, text: str) -> etree._Element:
    el = sub(parent, tag)
    el.text = cdata(clean_text(text))
    return el


def add_code_macro(parent: etree._Element, code: str) -> etree._Element:
    """A code macro whose body reads back byte-exact. A parser turns every CR inside CDATA
    into LF, so code holding a CR is written as escaped text instead (CR as `&#13;`)."""
    macro = sub(parent, ac("structured-macro"), {ac("name"): "code"})
    code = clean_text(code, keep_cr=True)
    body = sub(macro, ac("plain-text-body"))
    body.text = code if "\r" in code else cdata(code)
    return macro


def add_attachment_link(parent: etree._Element, filename: str, label: str) -> etree._Element:
    link = sub(parent, ac("link"))
    sub(link, ri("attachment"), {ri("filename"): filename})
    add_cdata_child(link, ac("plain-text-link-body"), label)
    return link


def add_attachment_image(parent: etree._Element, filename: str) -> etree._Element:
    image = sub(parent, ac("image"))
    sub(image, ri("attachment"), {ri("filename"): filename})
    return image


def _foreign(name: object) -> bool:
    """True for a `{namespace}local` name outside ac:/ri: (it would need a declaration)."""
    text = name.decode() if isinstance(name, bytes) else str(name)
    return text.startswith("{") and text[1:].partition("}")[0] not in _OWN_NS


def serialize(root: etree._Element) -> str:
    """The children of the wrapper root as a storage fragment.

    All namespaces are declared on the wrapper only, so lxml writes them once, in the wrapper's
    start tag, and the children use bare `ac:`/`ri:` prefixes. Removing the wrapper's start and
    end tags therefore removes every xmlns declaration. The start tag holds only the two fixed
    namespace URIs (no `>` inside), so it ends at the first `>`. An element in any other
    namespace would need a declaration of its own, so it is refused (text that merely reads
    "xmlns" is just text).
    """
    if root.text:
        raise ValueError("storage fragments must not have text outside elements")
    if last_child(root) is None:
        return ""
    for el in root.iter(etree.Element):
        if any(_foreign(name) for name in (el.tag, *el.attrib)):
            raise AssertionError("unexpected namespace declaration inside a storage fragment")
    xml = etree.tostring(root, encoding="unicode")
    start_end = xml.index(">") + 1
    close = f"</{_WRAPPER}>"
    if not xml.endswith(close):
        raise AssertionError("unexpected end of a storage fragment")
    return xml[start_end : -len(close)]


def _numeric_entities(storage: str) -> str:
    """Replace HTML named entities (&nbsp; ...) that plain XML does not define."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        chars = html.entities.html5.get(name + ";")
        if chars is None:
            return match.group(0)  # unknown entity: leave it and let the parser judge
        return "".join(f"&#{ord(c)};" for c in chars)

    return _NAMED_ENTITY.sub(repl, storage)


def parse_fragment(storage: str, *, recover: bool = False) -> etree._Element | None:
    """Parse a storage fragment under a wrapper declaring ac/ri/at.

    Returns None when the input is not well-formed (or, with `recover`, unrecoverable).
    """
    parser = etree.XMLParser(
        recover=recover, resolve_entities=False, no_network=True, strip_cdata=False, huge_tree=False
    )
    text = _PARSE_OPEN + _numeric_entities(storage) + _PARSE_CLOSE
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None


def is_well_formed_storage(storage: str) -> bool:
    return parse_fragment(storage) is not None


def sub_text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    el = sub(parent, tag)
    append_text(el, text)
    return el
