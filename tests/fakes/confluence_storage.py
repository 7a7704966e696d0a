"""Storage-format (XHTML) checks and renderings used by the Confluence fake."""

from __future__ import annotations

import html
import html.entities
import json
import re
from dataclasses import dataclass
from datetime import date

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


def mentioned_accounts(value: str) -> tuple[str, ...]:
    """Account ids @mentioned in a storage value: ``<ac:link><ri:user ri:account-id="..."/></ac:link>``.

    A ``ri:user`` elsewhere (a profile macro's parameter, say) is not a mention, as in Confluence.
    """
    try:
        root = parse_storage(value)
    except StorageError:
        return ()
    found: dict[str, None] = {}
    for user in root.iter(f"{{{RI_NS}}}user"):
        parent = user.getparent()
        account = user.get(f"{{{RI_NS}}}account-id")
        if account and parent is not None and parent.tag == f"{{{AC_NS}}}link":
            found[account] = None
    return tuple(found)


@dataclass(frozen=True)
class StorageTask:
    """One ``<ac:task>`` of a page or blog post body, as Confluence derives a task from it."""

    local_id: str
    status: str  # complete | incomplete
    body: str  # the storage XHTML inside <ac:task-body>
    assignee: str | None  # the first @mention in the body
    due: date | None  # the first <time datetime="yyyy-MM-dd"/> in the body
    blank: bool  # no text and no mention in the body


def storage_tasks(value: str) -> list[StorageTask]:
    """The tasks of a storage value, in document order (``ac:task-id`` is the local id)."""
    root = parse_storage(value)
    tasks: list[StorageTask] = []
    for task in root.iter(f"{{{AC_NS}}}task"):
        local_id = (task.findtext(f"{{{AC_NS}}}task-id") or "").strip()
        status = (task.findtext(f"{{{AC_NS}}}task-status") or "incomplete").strip()
        body_el = task.find(f"{{{AC_NS}}}task-body")
        body = "" if body_el is None else _inner_xml(body_el)
        mentions = mentioned_accounts(body)
        due: date | None = None
        if body_el is not None:
            for time_el in body_el.iter("time"):
                try:
                    due = date.fromisoformat(time_el.get("datetime") or "")
                    break
                except ValueError:
                    continue
        text = "" if body_el is None else "".join(body_el.itertext()).strip()
        tasks.append(
            StorageTask(
                local_id=local_id,
                status="complete" if status == "complete" else "incomplete",
                body=body,
                assignee=mentions[0] if mentions else None,
                due=due,
                blank=not text and not mentions and due is None,
            )
        )
    return tasks


def set_task_status(value: str, local_id: str, status: str) -> str:
    """The storage value with the ``ac:task-status`` of task ``local_id`` set to ``status``."""
    root = parse_storage(value)
    for task in root.iter(f"{{{AC_NS}}}task"):
        if (task.findtext(f"{{{AC_NS}}}task-id") or "").strip() == local_id:
            status_el = task.find(f"{{{AC_NS}}}task-status")
            if status_el is None:
                status_el = etree.SubElement(task, f"{{{AC_NS}}}task-status")
            status_el.text = status
    return _inner_xml(root)


def _inner_xml(element: etree._Element) -> str:
    parts = [html.escape(element.text or "", quote=False)]  # tails are escaped by tostring
    parts.extend(etree.tostring(child, encoding="unicode") for child in element)
    # Children serialised alone repeat the ac:/ri: declarations of the wrapper root.
    return re.sub(r'\s+xmlns:(ac|ri)="[^"]*"', "", "".join(parts))
