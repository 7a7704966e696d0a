"""Confluence Cloud REST v2 handlers (``/wiki/api/v2``) over a ConfluenceState.

Every handler answers as the calling identity sees the site: lists leave out what it may not see
and a single item it may not see is a 404, as the v2 OpenAPI documents. Records carry the fields of
the schema each operation documents (``PageCommentModel`` has no ``parentCommentId``,
``ChildrenCommentModel`` no ``pageId``...).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from starlette.responses import JSONResponse, Response

from tests.fakes.confluence_http import Call, HttpError, Router
from tests.fakes.confluence_storage import StorageError, parse_storage, render_adf, render_view
from tests.fakes.confluence_store import JSON, ConfluenceState, Item, iso, parse_iso
from tests.fakes.confluence_tasks import is_blank, update_status

_LIST_FORMATS = {"storage", "atlas_doc_format"}
_SINGLE_FORMATS = {"storage", "atlas_doc_format", "view"}
_CUSTOM_FORMATS = {"raw", "storage", "atlas_doc_format"}
# Documented values of `status` per collection (the v2 OpenAPI); anything else is a 400.
_LIST_STATUSES = {
    "page": {"current", "archived", "deleted", "trashed"},
    "blogpost": {"current", "deleted", "trashed"},
    "attachment": {"current", "archived", "trashed"},
}
_ITEM_STATUSES = {"current", "archived", "trashed", "deleted", "historical", "draft"}
_COMMENT_STATUSES = _ITEM_STATUSES
_BLOGPOST_COMMENT_STATUSES = {"current", "deleted", "trashed", "historical", "draft"}
_RESOLUTION_STATUSES = {"open", "reopened", "resolved", "dangling"}
_SPACE_TYPES = {"global", "collaboration", "knowledge_base", "personal"}
_SPACE_STATUSES = {"current", "archived"}
_TASK_STATUSES = {"complete", "incomplete"}
_LABEL_PREFIXES = {"my", "team", "global", "system"}
_COMMENT_SORTS = ("created-date", "modified-date")  # CommentSortOrder
_VERSION_SORTS = ("modified-date",)  # VersionSortOrder


def _created(item: Item) -> str:
    first = item.versions[0]["createdAt"] if item.versions else ""
    return str(item.data.get("createdAt") or first)


def _modified(item: Item) -> str:
    version = item.data.get("version")
    return str(
        version["createdAt"] if isinstance(version, dict) else item.data.get("createdAt", "")
    )


_SORTS: dict[str, Callable[[Item], Any]] = {
    "id": lambda i: "",
    "created-date": _created,
    "modified-date": _modified,
    "title": lambda i: str(i.data.get("title", "")).lower(),
}
# The properties each comment schema declares (the v2 OpenAPI), by the operation answering.
_COMMON = ("id", "status", "title", "version", "body", "_links")
_INLINE = ("resolutionStatus", "properties")
_COMMENT_FIELDS = {
    "footer": frozenset(
        (*_COMMON, "blogPostId", "pageId", "attachmentId", "customContentId", "parentCommentId")
    ),
    "inline": frozenset(
        (
            *_COMMON,
            *_INLINE,
            "blogPostId",
            "pageId",
            "parentCommentId",
            "resolutionLastModifierId",
            "resolutionLastModifiedAt",
        )
    ),
    "page-footer": frozenset((*_COMMON, "pageId")),
    "page-inline": frozenset((*_COMMON, *_INLINE, "pageId")),
    "blogpost-footer": frozenset((*_COMMON, "blogPostId")),
    "blogpost-inline": frozenset((*_COMMON, *_INLINE, "blogPostId")),
    "children-footer": frozenset((*_COMMON, "parentCommentId")),
    "children-inline": frozenset((*_COMMON, *_INLINE, "parentCommentId")),
}
# Task filters given as epoch milliseconds, inclusive (GET /tasks).
_TASK_RANGES = {
    "created-at": "createdAt",
    "due-at": "dueAt",
    "completed-at": "completedAt",
}


def _int_id(item: Item) -> int:
    return item.number


def _first(row: tuple[Any, Any]) -> Any:
    return row[0]


def _limit(call: Call) -> int:
    raw = call.q("limit", "25") or "25"
    try:
        limit = int(raw)
    except ValueError as exc:
        raise HttpError(400, f"Invalid value for limit: {raw}") from exc
    if not 1 <= limit <= 250:
        raise HttpError(400, f"limit must be between 1 and 250, got {limit}")
    return limit


def _encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[Any, ...]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise HttpError(400, "Invalid cursor") from exc
    if not isinstance(key, list) or len(key) != 2:
        raise HttpError(400, "Invalid cursor")
    return tuple(key)


def _epoch_ms(call: Call, name: str) -> int | None:
    raw = call.q(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise HttpError(400, f"Invalid value for {name}: {raw} (epoch milliseconds)") from exc


def _ms(stamp: str | None) -> int | None:
    if not stamp:
        return None
    return int(parse_iso(stamp).timestamp() * 1000)


class V2Api:
    def __init__(self, state: ConfluenceState) -> None:
        self.s = state

    # -- shared machinery ------------------------------------------------------------------
    def body_format(self, call: Call, single: bool) -> str | None:
        fmt = call.q("body-format")
        allowed = _SINGLE_FORMATS if single else _LIST_FORMATS
        if fmt is not None and fmt not in allowed:
            raise HttpError(400, f"Invalid body-format: {fmt}")
        return fmt

    def render_body(self, storage: str, fmt: str) -> JSON:
        value = storage
        if fmt == "view":
            value = render_view(storage)
        elif fmt == "atlas_doc_format":
            value = render_adf(storage)
        return {fmt: {"representation": fmt, "value": value}}

    def out(
        self,
        item: Item,
        fmt: str | None,
        *,
        single: bool = False,
        fields: frozenset[str] | None = None,
    ) -> JSON:
        data = dict(item.data)
        if fields is not None:
            data = {k: v for k, v in data.items() if k in fields}
        storage = item.storage
        if "body" in data:
            data["body"] = {}
            if fmt and storage is not None:
                data["body"] = self.render_body(storage, fmt)
        if "_links" in data:
            data["_links"] = dict(data["_links"])
            if single:
                data["_links"]["base"] = self.s.base
        return data

    def page_of(
        self,
        call: Call,
        items: Iterable[Item],
        render: Callable[[Item], JSON],
        *,
        default_sort: str = "id",
        sorts: Iterable[str] = _SORTS,
    ) -> Response:
        limit = _limit(call)
        requested = call.q("sort")
        if requested is not None and requested.lstrip("-") not in sorts:
            raise HttpError(400, f"Invalid sort: {requested}")
        sort = requested or default_sort
        field = sort.lstrip("-")
        getter = _SORTS[field]
        desc = sort.startswith("-")
        if field == "id":
            # Ids are the whole key: skip building (key, id) tuples.
            ordered = sorted(items, key=_int_id)
            rows = [((i.number, i.number), i) for i in ordered]
        else:
            rows = sorted((((getter(i), _int_id(i)), i) for i in items), key=_first)
        if desc:
            rows.reverse()
        start = 0
        cursor = call.q("cursor")
        if cursor:
            after = _decode_cursor(cursor)
            start = len(rows)
            for index, (key, _) in enumerate(rows):
                if (key < after) if desc else (key > after):
                    start = index
                    break
        chunk = rows[start : start + limit]
        links: JSON = {"base": self.s.base}
        headers: dict[str, str] = {}
        if start + limit < len(rows):
            query = [(k, v) for k, v in call.query if k != "cursor"]
            query.append(("cursor", _encode_cursor(list(chunk[-1][0]))))
            nxt = f"/wiki/api/v2{call.api_path}?{urlencode(query)}"
            links["next"] = nxt
            headers["Link"] = f'<{nxt}>; rel="next", <{self.s.base}>; rel="base"'
        body = {"results": [render(item) for _, item in chunk], "_links": links}
        return JSONResponse(body, headers=headers)

    def get_item(
        self, call: Call, content_id: str, *kinds: str, statuses: Iterable[str] = ()
    ) -> Item:
        """The item, if the caller may see it (else 404, as for an id that does not exist)."""
        item = self.s.get(content_id, *kinds)
        allowed = set(statuses) or {"current", "archived", "draft"}
        if (
            item is None
            or item.data.get("status", "current") not in allowed
            or not self.s.can_view(item, call.account_id)
        ):
            raise HttpError(404, f"Content {content_id} not found")
        return item

    def space(self, call: Call, space_id: str) -> Item:
        space = self.s.spaces.get(space_id)
        if space is None or not self.s.can_view(space, call.account_id):
            raise HttpError(404, f"Space {space_id} not found")
        return space

    @staticmethod
    def check_storage(body: Any) -> str:
        if not isinstance(body, dict):
            raise HttpError(400, "body is required")
        if "storage" in body and isinstance(body["storage"], dict):
            body = body["storage"]
            body.setdefault("representation", "storage")
        if body.get("representation") != "storage":
            raise HttpError(400, "Only the storage representation is supported by this fake")
        value = body.get("value")
        if not isinstance(value, str):
            raise HttpError(400, "body.value must be a string")
        try:
            parse_storage(value)
        except StorageError as exc:
            raise HttpError(400, f"Error parsing xhtml: {exc}") from exc
        return value

    @staticmethod
    def check_next_version(item: Item, payload: JSON) -> str:
        """The version message of an update that names the next version number (409 otherwise)."""
        version = payload.get("version")
        if not isinstance(version, dict) or not isinstance(version.get("number"), int):
            raise HttpError(400, "version.number is required")
        current = int(item.data["version"]["number"])
        if version["number"] != current + 1:
            raise HttpError(
                409, f"Version must be incremented on update. Current version is: {current}"
            )
        return str(version.get("message") or "")

    def statuses(
        self, call: Call, allowed: Iterable[str], default: Iterable[str] = ("current", "archived")
    ) -> set[str]:
        return set(call.q_list_enum("status", set(allowed))) or set(default)

    def visible(self, call: Call, kind: str) -> list[Item]:
        """Items of ``kind`` the caller may see."""
        who = call.account_id
        return [i for i in self.s.by_kind.get(kind, {}).values() if self.s.can_view(i, who)]

    # -- pages and blog posts ----------------------------------------------------------------
    def list_content(self, call: Call, kind: str, space_ids: list[str] | None = None) -> Response:
        fmt = self.body_format(call, single=False)
        spaces = set(space_ids if space_ids is not None else call.q_list("space-id"))
        ids = set(call.q_list("id"))
        if len(ids) > 250:
            raise HttpError(400, "At most 250 values of id may be given")
        title = call.q("title")
        statuses = self.statuses(call, _LIST_STATUSES[kind])
        picked = [
            i
            for i in self.visible(call, kind)
            if i.data["status"] in statuses
            and (not spaces or i.data["spaceId"] in spaces)
            and (not ids or i.id in ids)
            and (title is None or i.data["title"] == title)
        ]
        sorts = _SORTS if kind == "page" else ("id", "created-date", "modified-date")
        return self.page_of(call, picked, lambda i: self.out(i, fmt), sorts=sorts)

    async def pages(self, call: Call) -> Response:
        return self.list_content(call, "page")

    async def blogposts(self, call: Call) -> Response:
        return self.list_content(call, "blogpost")

    async def space_pages(self, call: Call) -> Response:
        return self.list_content(call, "page", [self.space(call, call.params["id"]).id])

    async def space_blogposts(self, call: Call) -> Response:
        return self.list_content(call, "blogpost", [self.space(call, call.params["id"]).id])

    def get_content(self, call: Call, kind: str) -> Response:
        fmt = self.body_format(call, single=True)
        statuses = call.q_list_enum("status", _ITEM_STATUSES) or ("current", "archived", "draft")
        item = self.get_item(call, call.params["id"], kind, statuses=statuses)
        return JSONResponse(self.out(item, fmt, single=True))

    async def get_page(self, call: Call) -> Response:
        return self.get_content(call, "page")

    async def get_blogpost(self, call: Call) -> Response:
        return self.get_content(call, "blogpost")

    def create_content(self, call: Call, kind: str) -> Response:
        payload = call.json_object()
        if "spaceId" not in payload:
            raise HttpError(400, "spaceId is required")
        status = payload.get("status") or "current"
        if status not in ("current", "draft"):
            raise HttpError(400, f"Invalid status: {status}")
        space = self.space(call, str(payload["spaceId"] or ""))
        title = payload.get("title")
        if not isinstance(title, str) or not title.strip():
            raise HttpError(400, "Title is required for published content")
        value = self.check_storage(payload.get("body"))
        parent_id = payload.get("parentId")
        if kind == "page":
            if parent_id is not None:
                parent = self.s.get(str(parent_id), "page")
                if parent is None or not self.s.can_view(parent, call.account_id):
                    raise HttpError(404, f"Parent {parent_id} not found")
            self.refuse_duplicate_title(space.id, title, None)
        self.s.ensure_user(call.account_id)
        item = self.s.create_content(
            kind,
            space.space_key,
            title,
            value,
            author_id=call.account_id,
            status=status,
            parent_id=str(parent_id) if parent_id is not None else None,
        )
        return JSONResponse(self.out(item, "storage", single=True))

    def refuse_duplicate_title(self, space_id: str, title: str, except_id: str | None) -> None:
        for page in self.s.by_kind.get("page", {}).values():
            data = page.data
            if (
                data["spaceId"] == space_id
                and data["status"] == "current"
                and data["title"].lower() == title.lower()
                and page.id != except_id
            ):
                # Confluence answers 400 here (the v2 spec lists no 409 for POST /pages).
                raise HttpError(
                    400,
                    "A page with this title already exists: "
                    "A page already exists with the same TITLE in this space",
                )

    async def create_page(self, call: Call) -> Response:
        return self.create_content(call, "page")

    async def create_blogpost(self, call: Call) -> Response:
        return self.create_content(call, "blogpost")

    def update_content(self, call: Call, kind: str) -> Response:
        item = self.get_item(
            call, call.params["id"], kind, statuses=("current", "draft", "archived")
        )
        payload = call.json_object()
        for required in ("id", "status", "title", "body", "version"):
            if required not in payload:
                raise HttpError(400, f"{required} is required")
        if str(payload["id"]) != item.id:
            raise HttpError(400, "id in body does not match the path")
        if payload["status"] not in ("current", "draft"):
            raise HttpError(400, f"Invalid status: {payload['status']}")
        value = self.check_storage(payload["body"])
        title = str(payload["title"])
        if kind == "page" and title != item.data["title"]:
            self.refuse_duplicate_title(item.data["spaceId"], title, item.id)
        message = self.check_next_version(item, payload)
        item.data["status"] = payload["status"]
        if kind == "page" and payload.get("parentId"):
            self.s.move(item.id, str(payload["parentId"]))
        # v2 updates take no minorEdit: they are major edits (minor ones come from the editor).
        self.s.ensure_user(call.account_id)
        self.s.apply_edit(item, call.account_id, body=value, title=title, message=message)
        return JSONResponse(self.out(item, "storage", single=True))

    async def update_page(self, call: Call) -> Response:
        return self.update_content(call, "page")

    async def update_blogpost(self, call: Call) -> Response:
        return self.update_content(call, "blogpost")

    def delete_content(self, call: Call, *kinds: str) -> Response:
        item = self.get_item(
            call, call.params["id"], *kinds, statuses=("current", "draft", "archived", "trashed")
        )
        if item.data["status"] == "trashed" and not call.q_bool("purge"):
            raise HttpError(404, f"Content {item.id} not found")
        item.data["status"] = "deleted" if call.q_bool("purge") else "trashed"
        item._doc = None
        return Response(status_code=204)

    async def delete_page(self, call: Call) -> Response:
        return self.delete_content(call, "page")

    async def delete_blogpost(self, call: Call) -> Response:
        return self.delete_content(call, "blogpost")

    async def children(self, call: Call) -> Response:
        parent = self.get_item(call, call.params["id"], "page")
        kids = [
            i
            for i in self.visible(call, "page")
            if i.data.get("parentId") == parent.id and i.data["status"] in ("current", "archived")
        ]

        def child(i: Item) -> JSON:
            d = i.data
            return {
                "id": d["id"],
                "status": d["status"],
                "title": d["title"],
                "spaceId": d["spaceId"],
                "childPosition": d.get("position"),
            }

        return self.page_of(call, kids, child)

    # -- versions ----------------------------------------------------------------------------
    def list_versions(self, call: Call, kinds: tuple[str, ...], key: str) -> Response:
        fmt = self.body_format(call, single=False)
        item = self.get_item(call, call.params["id"], *kinds)

        def entity(number: int) -> JSON:
            found: JSON = {"title": item.data.get("title"), "id": item.id}
            if fmt:
                found["body"] = self.render_body(item.bodies.get(number, ""), fmt)
            return found

        rows = [
            Item("version", {**v, "id": str(v["number"]), key: entity(int(v["number"]))})
            for v in item.versions
        ]
        return self.page_of(
            call,
            rows,
            lambda r: {k: v for k, v in r.data.items() if k != "id"},
            default_sort="-modified-date",
            sorts=_VERSION_SORTS,
        )

    async def page_versions(self, call: Call) -> Response:
        return self.list_versions(call, ("page",), "page")

    async def blogpost_versions(self, call: Call) -> Response:
        return self.list_versions(call, ("blogpost",), "blogpost")

    async def footer_comment_versions(self, call: Call) -> Response:
        return self.list_versions(call, ("footer",), "comment")

    async def inline_comment_versions(self, call: Call) -> Response:
        return self.list_versions(call, ("inline",), "comment")

    # -- labels ------------------------------------------------------------------------------
    async def labels_of(self, call: Call) -> Response:
        target = self.s.items.get(call.params["id"]) or self.s.spaces.get(call.params["id"])
        if (
            target is None
            or target.kind not in ("page", "blogpost", "space", "attachment", "custom")
            or not self.s.can_view(target, call.account_id)
        ):
            raise HttpError(404, f"Content {call.params['id']} not found")
        prefix = call.q_enum("prefix", _LABEL_PREFIXES)
        rows = [
            Item("label", self.s.label_defs[i])
            for i in target.labels
            if prefix is None or self.s.label_defs[i]["prefix"] == prefix
        ]
        return self.page_of(call, rows, lambda r: r.data)

    async def labels(self, call: Call) -> Response:
        ids = set(call.q_list("label-id"))
        prefixes = set(call.q_list("prefix"))
        rows = [
            Item("label", d)
            for d in self.s.label_defs.values()
            if (not ids or d["id"] in ids) and (not prefixes or d["prefix"] in prefixes)
        ]
        return self.page_of(call, rows, lambda r: r.data)

    # -- attachments -------------------------------------------------------------------------
    def list_attachments(self, call: Call, container_id: str | None) -> Response:
        filename = call.q("filename")
        media = call.q("mediaType")
        statuses = self.statuses(call, _LIST_STATUSES["attachment"], ("current",))
        rows = [
            a
            for a in self.visible(call, "attachment")
            if a.data["status"] in statuses
            and (container_id is None or container_id in (a.data["pageId"], a.data["blogPostId"]))
            and (filename is None or a.data["title"] == filename)
            and (media is None or a.data["mediaType"] == media)
        ]
        return self.page_of(
            call, rows, lambda a: self.out(a, None), sorts=("id", "created-date", "modified-date")
        )

    async def attachments(self, call: Call) -> Response:
        return self.list_attachments(call, None)

    async def content_attachments(self, call: Call) -> Response:
        root = self.get_item(call, call.params["id"], "page", "blogpost")
        return self.list_attachments(call, root.id)

    async def get_attachment(self, call: Call) -> Response:
        item = self.get_item(call, call.params["id"], "attachment")
        return JSONResponse(self.out(item, None, single=True))

    # -- comments ----------------------------------------------------------------------------
    def list_comments(
        self,
        call: Call,
        kind: str,
        fields: str,
        *,
        root: str | None = None,
        parent: str | None = None,
        statuses: Iterable[str] | None = None,
    ) -> Response:
        """Comments of ``kind`` (footer|inline), rendered with the ``fields`` of the answering
        operation's schema; ``statuses`` None: the operation takes no ``status`` (current only)."""
        fmt = self.body_format(call, single=False)
        wanted = self.statuses(call, statuses, ("current",)) if statuses else {"current"}
        resolution = set(call.q_list_enum("resolution-status", _RESOLUTION_STATUSES))
        rows = [
            c
            for c in self.visible(call, kind)
            if c.data["status"] in wanted
            and (root is not None or self.s.comment_root(c).data["status"] == "current")
            and (root is None or root in (c.data["pageId"], c.data["blogPostId"]))
            and (root is None or not c.data["parentCommentId"])
            and (parent is None or c.data["parentCommentId"] == parent)
            and (not resolution or c.data.get("resolutionStatus") in resolution)
        ]
        shape = _COMMENT_FIELDS[fields]
        return self.page_of(
            call, rows, lambda c: self.out(c, fmt, fields=shape), sorts=_COMMENT_SORTS
        )

    async def footer_comments(self, call: Call) -> Response:
        return self.list_comments(call, "footer", "footer")

    async def inline_comments(self, call: Call) -> Response:
        return self.list_comments(call, "inline", "inline")

    def content_comments(self, call: Call, root_kind: str, kind: str) -> Response:
        root = self.get_item(call, call.params["id"], root_kind)
        statuses = _COMMENT_STATUSES if root_kind == "page" else _BLOGPOST_COMMENT_STATUSES
        return self.list_comments(
            call, kind, f"{root_kind}-{kind}", root=root.id, statuses=statuses
        )

    async def page_footer_comments(self, call: Call) -> Response:
        return self.content_comments(call, "page", "footer")

    async def page_inline_comments(self, call: Call) -> Response:
        return self.content_comments(call, "page", "inline")

    async def blogpost_footer_comments(self, call: Call) -> Response:
        return self.content_comments(call, "blogpost", "footer")

    async def blogpost_inline_comments(self, call: Call) -> Response:
        return self.content_comments(call, "blogpost", "inline")

    async def comment_children(self, call: Call) -> Response:
        kind = "footer" if call.api_path.startswith("/footer-comments/") else "inline"
        parent = self.get_item(call, call.params["id"], kind)
        return self.list_comments(call, kind, f"children-{kind}", parent=parent.id)

    def get_comment(self, call: Call, kind: str) -> Response:
        fmt = self.body_format(call, single=True)
        item = self.get_item(call, call.params["comment_id"], kind)
        return JSONResponse(self.out(item, fmt, single=True, fields=_COMMENT_FIELDS[kind]))

    async def get_footer_comment(self, call: Call) -> Response:
        return self.get_comment(call, "footer")

    async def get_inline_comment(self, call: Call) -> Response:
        return self.get_comment(call, "inline")

    async def create_footer_comment(self, call: Call) -> Response:
        payload = call.json_object()
        value = self.check_storage(payload.get("body"))
        parent_id = payload.get("parentCommentId")
        if parent_id:
            parent = self.get_item(call, str(parent_id), "footer")
            container = self.s.comment_root(parent)
        else:
            target = payload.get("pageId") or payload.get("blogPostId")
            if not target:
                raise HttpError(400, "One of pageId, blogPostId or parentCommentId is required")
            kind = "page" if payload.get("pageId") else "blogpost"
            container = self.get_item(call, str(target), kind)
        self.s.ensure_user(call.account_id)
        item = self.s.create_comment(
            "footer", container, value, call.account_id, str(parent_id) if parent_id else None
        )
        shape = _COMMENT_FIELDS["footer"]
        return JSONResponse(self.out(item, "storage", single=True, fields=shape), status_code=201)

    async def update_footer_comment(self, call: Call) -> Response:
        item = self.get_item(call, call.params["comment_id"], "footer")
        payload = call.json_object()
        value = self.check_storage(payload.get("body"))
        message = self.check_next_version(item, payload)
        self.s.apply_edit(item, call.account_id, body=value, message=message)
        # Documented as a FooterCommentModel (no `_links.base`, unlike the create and get answers).
        return JSONResponse(self.out(item, "storage", fields=_COMMENT_FIELDS["footer"]))

    async def delete_footer_comment(self, call: Call) -> Response:
        item = self.get_item(call, call.params["comment_id"], "footer")
        item.data["status"] = "deleted"
        item._doc = None
        return Response(status_code=204)

    # -- properties --------------------------------------------------------------------------
    def property_owner(self, call: Call) -> Item:
        owner_id = call.params.get("page_id") or call.params.get("space_id") or ""
        if "space_id" in call.params:
            return self.space(call, owner_id)
        return self.get_item(call, owner_id, "page", "blogpost")

    async def properties(self, call: Call) -> Response:
        owner = self.property_owner(call)
        key = call.q("key")
        rows = [
            Item("property", p) for p in owner.properties.values() if key is None or p["key"] == key
        ]
        return self.page_of(call, rows, lambda r: r.data, sorts=("id",))

    async def create_property(self, call: Call) -> Response:
        owner = self.property_owner(call)
        payload = call.json_object()
        key = payload.get("key")
        if not isinstance(key, str) or not key:
            raise HttpError(400, "key is required")
        if any(p["key"] == key for p in owner.properties.values()):
            raise HttpError(409, f"Cannot create property with key '{key}': it already exists")
        prop: JSON = {"id": self.s.new_id(), "key": key, "value": payload.get("value")}
        if owner.kind == "space":  # SpaceProperty: its creation, and a version of its own shape
            prop.update(createdAt=iso(self.s.now()), createdBy=call.account_id)
        prop["version"] = self.property_version(owner, 1, call.account_id, "")
        owner.properties[prop["id"]] = prop
        return JSONResponse(prop, status_code=201 if owner.kind == "space" else 200)

    def get_property_item(self, call: Call) -> tuple[Item, JSON]:
        owner = self.property_owner(call)
        prop = owner.properties.get(call.params["property_id"])
        if prop is None:
            raise HttpError(404, f"Property {call.params['property_id']} not found")
        return owner, prop

    async def get_property(self, call: Call) -> Response:
        return JSONResponse(self.get_property_item(call)[1])

    async def update_property(self, call: Call) -> Response:
        owner, prop = self.get_property_item(call)
        payload = call.json_object()
        version = payload.get("version")
        if not isinstance(version, dict) or not isinstance(version.get("number"), int):
            raise HttpError(400, "version.number is required")
        current = int(prop["version"]["number"])
        if version["number"] != current + 1:
            raise HttpError(
                409, f"Version must be incremented on update. Current version is: {current}"
            )
        if payload.get("key", prop["key"]) != prop["key"]:
            raise HttpError(400, "The key of a property cannot be changed")
        prop["value"] = payload.get("value")
        message = str(version.get("message") or "")
        prop["version"] = self.property_version(owner, current + 1, call.account_id, message)
        return JSONResponse(prop)

    def property_version(self, owner: Item, number: int, who: str, message: str) -> JSON:
        if owner.kind == "space":
            stamp = iso(self.s.now())
            return {"createdAt": stamp, "createdBy": who, "message": message, "number": number}
        return self.s.version(number, who, self.s.now(), message)

    async def delete_property(self, call: Call) -> Response:
        owner, prop = self.get_property_item(call)
        del owner.properties[prop["id"]]
        return Response(status_code=204)

    # -- spaces ------------------------------------------------------------------------------
    async def spaces(self, call: Call) -> Response:
        keys = set(call.q_list("keys"))
        ids = set(call.q_list("ids"))
        space_type = call.q_enum("type", _SPACE_TYPES)
        status = call.q_enum("status", _SPACE_STATUSES)
        rows = [
            s
            for s in self.s.spaces.values()
            if (not keys or s.data["key"] in keys)
            and (not ids or s.id in ids)
            and (space_type is None or s.data["type"] == space_type)
            and (status is None or s.data["status"] == status)
            and self.s.can_view(s, call.account_id)
        ]
        return self.page_of(call, rows, lambda s: self.out(s, None), sorts=("id",))

    async def get_space(self, call: Call) -> Response:
        return JSONResponse(self.out(self.space(call, call.params["id"]), None, single=True))

    async def space_permissions(self, call: Call) -> Response:
        space = self.space(call, call.params["id"])
        rows = [
            Item(
                "perm",
                {
                    "id": f"{space.id}{n}",
                    "principal": {"type": "user", "id": call.account_id},
                    "operation": {"key": op, "targetType": target},
                },
            )
            for n, (op, target) in enumerate(
                [
                    ("read", "space"),
                    ("create", "page"),
                    ("create", "blogpost"),
                    ("create", "comment"),
                    ("create", "attachment"),
                ]
            )
        ]
        return self.page_of(call, rows, lambda r: r.data, sorts=("id",))

    # -- tasks -------------------------------------------------------------------------------
    async def tasks(self, call: Call) -> Response:
        fmt = self.body_format(call, single=False)
        status = call.q_enum("status", _TASK_STATUSES)
        filters = {
            "id": set(call.q_list("task-id")),
            "pageId": set(call.q_list("page-id")),
            "blogPostId": set(call.q_list("blogpost-id")),
            "spaceId": set(call.q_list("space-id")),
            "createdBy": set(call.q_list("created-by")),
            "assignedTo": set(call.q_list("assigned-to")),
            "completedBy": set(call.q_list("completed-by")),
        }
        for name, values in filters.items():
            if len(values) > 250:
                raise HttpError(400, f"At most 250 values of {name} may be given")
        ranges = {
            field: (_epoch_ms(call, f"{name}-from"), _epoch_ms(call, f"{name}-to"))
            for name, field in _TASK_RANGES.items()
        }
        blank_param = call.q("include-blank-tasks")
        if blank_param is not None and blank_param.lower() not in ("true", "false"):
            raise HttpError(400, f"Invalid value for include-blank-tasks: {blank_param}")
        include_blank = blank_param is None or blank_param.lower() == "true"
        # "page and blog post filters can be used in conjunction": either container matches.
        containers = filters.pop("pageId") | filters.pop("blogPostId")

        def wanted(task: Item) -> bool:
            data = task.data
            if status is not None and data["status"] != status:
                return False
            if containers and not containers & {data["pageId"], data["blogPostId"]}:
                return False
            if any(values and data[key] not in values for key, values in filters.items()):
                return False
            for key, (low, high) in ranges.items():
                if low is None and high is None:
                    continue
                at = _ms(data[key])
                if at is None or (low is not None and at < low) or (high is not None and at > high):
                    return False
            return include_blank or not is_blank(task)

        rows = [t for t in self.visible(call, "task") if self.s.is_live(t) and wanted(t)]
        return self.page_of(call, rows, lambda t: self.out(t, fmt), sorts=("id",))

    def task(self, call: Call) -> Item:
        task = self.s.get(call.params["id"], "task")
        if task is None or not self.s.is_live(task) or not self.s.can_view(task, call.account_id):
            raise HttpError(404, f"Task {call.params['id']} not found")
        return task

    async def get_task(self, call: Call) -> Response:
        fmt = self.body_format(call, single=False)
        return JSONResponse(self.out(self.task(call), fmt))

    async def update_task(self, call: Call) -> Response:
        fmt = self.body_format(call, single=False)
        task = self.task(call)
        payload = call.json_object()
        status = payload.get("status")
        if status is None:
            raise HttpError(400, "status is required")
        if status not in _TASK_STATUSES:
            raise HttpError(400, f"Invalid value for status: {status}")
        self.s.ensure_user(call.account_id)
        update_status(self.s, task, str(status), call.account_id)
        return JSONResponse(self.out(task, fmt))

    # -- custom content, users ---------------------------------------------------------------
    async def custom_content(self, call: Call) -> Response:
        content_type = call.q("type")
        if not content_type:
            raise HttpError(400, "type is required")
        call.q_enum("body-format", _CUSTOM_FORMATS)
        spaces = set(call.q_list("space-id"))
        rows = [
            c
            for c in self.visible(call, "custom")
            if c.data["type"] == content_type and (not spaces or c.data["spaceId"] in spaces)
        ]
        return self.page_of(call, rows, lambda c: self.out(c, None), sorts=("id",))

    async def users_bulk(self, call: Call) -> Response:
        ids = call.json_object().get("accountIds")
        if not isinstance(ids, list) or not ids:
            raise HttpError(400, "accountIds is required")
        if len(ids) > 250:
            raise HttpError(400, "accountIds takes at most 250 account ids")
        results = [self.s.user_json(str(i)) for i in ids if i in self.s.users]
        return JSONResponse({"results": results, "_links": {"base": self.s.base}})

    # -- routing -----------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        r = router.add
        r("GET", "/pages", self.pages)
        r("POST", "/pages", self.create_page)
        r("GET", "/pages/{id}", self.get_page)
        r("PUT", "/pages/{id}", self.update_page)
        r("DELETE", "/pages/{id}", self.delete_page)
        r("GET", "/pages/{id}/children", self.children)
        r("GET", "/pages/{id}/direct-children", self.children)
        r("GET", "/pages/{id}/versions", self.page_versions)
        r("GET", "/pages/{id}/labels", self.labels_of)
        r("GET", "/pages/{id}/attachments", self.content_attachments)
        r("GET", "/pages/{id}/footer-comments", self.page_footer_comments)
        r("GET", "/pages/{id}/inline-comments", self.page_inline_comments)
        for owner in ("pages/{page-id}", "blogposts/{page-id}", "spaces/{space-id}"):
            r("GET", f"/{owner}/properties", self.properties)
            r("POST", f"/{owner}/properties", self.create_property)
            r("GET", f"/{owner}/properties/{{property-id}}", self.get_property)
            r("PUT", f"/{owner}/properties/{{property-id}}", self.update_property)
            r("DELETE", f"/{owner}/properties/{{property-id}}", self.delete_property)
        r("GET", "/blogposts", self.blogposts)
        r("POST", "/blogposts", self.create_blogpost)
        r("GET", "/blogposts/{id}", self.get_blogpost)
        r("PUT", "/blogposts/{id}", self.update_blogpost)
        r("DELETE", "/blogposts/{id}", self.delete_blogpost)
        r("GET", "/blogposts/{id}/labels", self.labels_of)
        r("GET", "/blogposts/{id}/versions", self.blogpost_versions)
        r("GET", "/blogposts/{id}/attachments", self.content_attachments)
        r("GET", "/blogposts/{id}/footer-comments", self.blogpost_footer_comments)
        r("GET", "/blogposts/{id}/inline-comments", self.blogpost_inline_comments)
        r("GET", "/spaces", self.spaces)
        r("GET", "/spaces/{id}", self.get_space)
        r("GET", "/spaces/{id}/pages", self.space_pages)
        r("GET", "/spaces/{id}/blogposts", self.space_blogposts)
        r("GET", "/spaces/{id}/permissions", self.space_permissions)
        r("GET", "/spaces/{id}/labels", self.labels_of)
        r("GET", "/footer-comments", self.footer_comments)
        r("POST", "/footer-comments", self.create_footer_comment)
        r("GET", "/footer-comments/{comment-id}", self.get_footer_comment)
        r("PUT", "/footer-comments/{comment-id}", self.update_footer_comment)
        r("DELETE", "/footer-comments/{comment-id}", self.delete_footer_comment)
        r("GET", "/footer-comments/{id}/children", self.comment_children)
        r("GET", "/footer-comments/{id}/versions", self.footer_comment_versions)
        r("GET", "/inline-comments", self.inline_comments)
        r("GET", "/inline-comments/{comment-id}", self.get_inline_comment)
        r("GET", "/inline-comments/{id}/children", self.comment_children)
        r("GET", "/inline-comments/{id}/versions", self.inline_comment_versions)
        r("GET", "/attachments", self.attachments)
        r("GET", "/attachments/{id}", self.get_attachment)
        r("GET", "/attachments/{id}/labels", self.labels_of)
        r("GET", "/tasks", self.tasks)
        r("GET", "/tasks/{id}", self.get_task)
        r("PUT", "/tasks/{id}", self.update_task)
        r("GET", "/labels", self.labels)
        r("GET", "/custom-content", self.custom_content)
        r("POST", "/users-bulk", self.users_bulk)
