"""Confluence Cloud REST v2 handlers (``/wiki/api/v2``) over a ConfluenceState."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.responses import JSONResponse, Response

from tests.fakes.confluence_http import Call, HttpError, Router
from tests.fakes.confluence_storage import StorageError, parse_storage, render_adf, render_view
from tests.fakes.confluence_store import JSON, ConfluenceState, Item

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
_SPACE_TYPES = {"global", "collaboration", "knowledge_base", "personal"}
_SPACE_STATUSES = {"current", "archived"}
_TASK_STATUSES = {"complete", "incomplete"}
_LABEL_PREFIXES = {"my", "team", "global", "system"}
_SORTS: dict[str, Callable[[Item], Any]] = {
    "id": lambda i: "",
    "created-date": lambda i: i.data.get("createdAt", ""),
    "modified-date": lambda i: i.data.get("version", {}).get("createdAt", ""),
    "title": lambda i: str(i.data.get("title", "")).lower(),
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

    def out(self, item: Item, fmt: str | None, *, single: bool = False) -> JSON:
        data = dict(item.data)
        storage = item.storage
        if "body" in data:
            data["body"] = {}
            if fmt and storage is not None:
                value = storage
                if fmt == "view":
                    value = render_view(storage)
                elif fmt == "atlas_doc_format":
                    value = render_adf(storage)
                data["body"] = {fmt: {"representation": fmt, "value": value}}
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
        sort = call.q("sort") or default_sort
        field = sort.lstrip("-")
        if field not in sorts:
            raise HttpError(400, f"Invalid sort: {sort}")
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

    def get_item(self, content_id: str, *kinds: str, statuses: Iterable[str] = ()) -> Item:
        item = self.s.get(content_id, *kinds)
        allowed = set(statuses) or {"current", "archived", "draft"}
        if item is None or item.data.get("status", "current") not in allowed:
            raise HttpError(404, f"Content {content_id} not found")
        return item

    def space(self, space_id: str) -> Item:
        space = self.s.spaces.get(space_id)
        if space is None:
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

    def next_version(self, item: Item, payload: JSON, who: str) -> None:
        version = payload.get("version")
        if not isinstance(version, dict) or not isinstance(version.get("number"), int):
            raise HttpError(400, "version.number is required")
        current = int(item.data["version"]["number"])
        if version["number"] != current + 1:
            raise HttpError(
                409, f"Version must be incremented on update. Current version is: {current}"
            )
        item.data["version"] = self.s.version(
            current + 1, who, datetime.now(UTC), str(version.get("message") or "")
        )
        item.versions.append(item.data["version"])
        item._doc = None

    def statuses(
        self, call: Call, allowed: Iterable[str], default: Iterable[str] = ("current", "archived")
    ) -> set[str]:
        return set(call.q_list_enum("status", set(allowed))) or set(default)

    def kind_items(self, kind: str) -> Iterable[Item]:
        return list(self.s.by_kind.get(kind, {}).values())

    # -- pages and blog posts ----------------------------------------------------------------
    def list_content(self, call: Call, kind: str, space_ids: list[str] | None = None) -> Response:
        fmt = self.body_format(call, single=False)
        spaces = set(space_ids if space_ids is not None else call.q_list("space-id"))
        ids = set(call.q_list("id"))
        title = call.q("title")
        statuses = self.statuses(call, _LIST_STATUSES[kind])
        picked = [
            i
            for i in self.kind_items(kind)
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
        return self.list_content(call, "page", [self.space(call.params["id"]).id])

    async def space_blogposts(self, call: Call) -> Response:
        return self.list_content(call, "blogpost", [self.space(call.params["id"]).id])

    def get_content(self, call: Call, kind: str) -> Response:
        fmt = self.body_format(call, single=True)
        statuses = call.q_list_enum("status", _ITEM_STATUSES) or ("current", "archived", "draft")
        item = self.get_item(call.params["id"], kind, statuses=statuses)
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
        space_id = str(payload["spaceId"] or "")
        space = self.s.spaces.get(space_id)
        if space is None:
            raise HttpError(404, f"Space {space_id} not found")
        title = payload.get("title")
        if not isinstance(title, str) or not title.strip():
            raise HttpError(400, "Title is required for published content")
        value = self.check_storage(payload.get("body"))
        parent_id = payload.get("parentId")
        if kind == "page":
            if parent_id is not None and self.s.get(str(parent_id), "page") is None:
                raise HttpError(404, f"Parent {parent_id} not found")
            self.refuse_duplicate_title(space.id, title, None)
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
        for page in self.kind_items("page"):
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
        item = self.get_item(call.params["id"], kind, statuses=("current", "draft", "archived"))
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
        self.next_version(item, payload, call.account_id)
        item.data["title"] = title
        item.data["status"] = payload["status"]
        if kind == "page" and payload.get("parentId"):
            item.data["parentId"] = str(payload["parentId"])
        self.s.set_body(item, value)
        item.data["_links"] = self.s.links_for(
            kind, item.id, item.space_key, title, item.data["createdAt"]
        )
        return JSONResponse(self.out(item, "storage", single=True))

    async def update_page(self, call: Call) -> Response:
        return self.update_content(call, "page")

    async def update_blogpost(self, call: Call) -> Response:
        return self.update_content(call, "blogpost")

    def delete_content(self, call: Call, *kinds: str) -> Response:
        item = self.get_item(
            call.params["id"], *kinds, statuses=("current", "draft", "archived", "trashed")
        )
        if item.data["status"] == "trashed" and not call.q_bool("purge"):
            raise HttpError(404, f"Content {item.id} not found")
        item.data["status"] = "deleted" if call.q_bool("purge") else "trashed"
        return Response(status_code=204)

    async def delete_page(self, call: Call) -> Response:
        return self.delete_content(call, "page")

    async def delete_blogpost(self, call: Call) -> Response:
        return self.delete_content(call, "blogpost")

    async def children(self, call: Call) -> Response:
        parent = self.get_item(call.params["id"], "page")
        kids = [
            i
            for i in self.kind_items("page")
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

    async def versions(self, call: Call) -> Response:
        item = self.get_item(call.params["id"])
        key = {"page": "page", "blogpost": "blogpost"}.get(item.kind, "comment")
        rows = [
            Item(
                "version",
                {
                    **v,
                    "id": str(v["number"]),
                    key: {"id": item.id, "title": item.data.get("title")},
                },
            )
            for v in item.versions
        ]
        return self.page_of(
            call,
            rows,
            lambda r: r.data,
            default_sort="-modified-date",
            sorts=("modified-date", "id"),
        )

    async def labels_of(self, call: Call) -> Response:
        target = self.s.items.get(call.params["id"]) or self.s.spaces.get(call.params["id"])
        if target is None or target.kind not in (
            "page",
            "blogpost",
            "space",
            "attachment",
            "custom",
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
            for a in self.kind_items("attachment")
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
        return self.list_attachments(call, self.get_item(call.params["id"], "page", "blogpost").id)

    async def get_attachment(self, call: Call) -> Response:
        item = self.get_item(call.params["id"], "attachment")
        return JSONResponse(self.out(item, None, single=True))

    # -- comments ----------------------------------------------------------------------------
    def list_comments(
        self, call: Call, kind: str, *, root: str | None = None, parent: str | None = None
    ) -> Response:
        fmt = self.body_format(call, single=False)
        statuses = self.statuses(call, _COMMENT_STATUSES, ("current",))
        rows = [
            c
            for c in self.kind_items(kind)
            if c.data["status"] in statuses
            and (root is None or root in (c.data["pageId"], c.data["blogPostId"]))
            and (root is None or not c.data["parentCommentId"])
            and (parent is None or c.data["parentCommentId"] == parent)
        ]
        return self.page_of(
            call, rows, lambda c: self.out(c, fmt), sorts=("id", "created-date", "modified-date")
        )

    async def footer_comments(self, call: Call) -> Response:
        return self.list_comments(call, "footer")

    async def inline_comments(self, call: Call) -> Response:
        return self.list_comments(call, "inline")

    async def content_footer_comments(self, call: Call) -> Response:
        root = self.get_item(call.params["id"], "page", "blogpost")
        return self.list_comments(call, "footer", root=root.id)

    async def content_inline_comments(self, call: Call) -> Response:
        root = self.get_item(call.params["id"], "page", "blogpost")
        return self.list_comments(call, "inline", root=root.id)

    async def comment_children(self, call: Call) -> Response:
        parent = self.get_item(call.params["id"], "footer", "inline")
        return self.list_comments(call, parent.kind, parent=parent.id)

    async def get_footer_comment(self, call: Call) -> Response:
        fmt = self.body_format(call, single=True)
        item = self.get_item(call.params["comment_id"], "footer")
        return JSONResponse(self.out(item, fmt, single=True))

    async def create_footer_comment(self, call: Call) -> Response:
        payload = call.json_object()
        value = self.check_storage(payload.get("body"))
        parent_id = payload.get("parentCommentId")
        if parent_id:
            parent = self.get_item(str(parent_id), "footer")
            container = self.s.comment_root(parent)
        else:
            target = payload.get("pageId") or payload.get("blogPostId")
            if not target:
                raise HttpError(400, "One of pageId, blogPostId or parentCommentId is required")
            kind = "page" if payload.get("pageId") else "blogpost"
            container = self.get_item(str(target), kind)
        item = self.s.create_comment(
            "footer", container, value, call.account_id, str(parent_id) if parent_id else None
        )
        return JSONResponse(self.out(item, "storage", single=True), status_code=201)

    async def update_footer_comment(self, call: Call) -> Response:
        item = self.get_item(call.params["comment_id"], "footer")
        payload = call.json_object()
        value = self.check_storage(payload.get("body"))
        self.next_version(item, payload, call.account_id)
        self.s.set_body(item, value)
        return JSONResponse(self.out(item, "storage", single=True))

    async def delete_footer_comment(self, call: Call) -> Response:
        item = self.get_item(call.params["comment_id"], "footer")
        item.data["status"] = "deleted"
        return Response(status_code=204)

    # -- properties --------------------------------------------------------------------------
    def property_owner(self, call: Call) -> Item:
        owner_id = call.params.get("page_id") or call.params.get("space_id") or ""
        if "space_id" in call.params:
            return self.space(owner_id)
        return self.get_item(owner_id, "page", "blogpost")

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
        prop: JSON = {
            "id": self.s.new_id(),
            "key": key,
            "value": payload.get("value"),
            "version": self.s.version(1, call.account_id, datetime.now(UTC)),
        }
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
        _, prop = self.get_property_item(call)
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
        prop["version"] = self.s.version(
            current + 1, call.account_id, datetime.now(UTC), str(version.get("message") or "")
        )
        return JSONResponse(prop)

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
        ]
        return self.page_of(call, rows, lambda s: self.out(s, None), sorts=("id",))

    async def get_space(self, call: Call) -> Response:
        return JSONResponse(self.out(self.space(call.params["id"]), None, single=True))

    async def space_permissions(self, call: Call) -> Response:
        space = self.space(call.params["id"])
        rows = [
            Item(
                "perm",
                {
                    "id": f"{space.id}{n}",
                    "principal": {"type": "user", "id": self.s.current_user_account_id},
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

    # -- tasks, custom content, users --------------------------------------------------------
    async def tasks(self, call: Call) -> Response:
        fmt = self.body_format(call, single=False)
        status = call.q_enum("status", _TASK_STATUSES)
        pages = set(call.q_list("page-id"))
        spaces = set(call.q_list("space-id"))
        assigned = set(call.q_list("assigned-to"))
        rows = [
            t
            for t in self.kind_items("task")
            if (status is None or t.data["status"] == status)
            and (not pages or t.data["pageId"] in pages)
            and (not spaces or t.data["spaceId"] in spaces)
            and (not assigned or t.data["assignedTo"] in assigned)
        ]
        return self.page_of(call, rows, lambda t: self.out(t, fmt), sorts=("id",))

    async def get_task(self, call: Call) -> Response:
        fmt = self.body_format(call, single=False)
        # Task status is complete/incomplete, not a content status.
        item = self.get_item(call.params["id"], "task", statuses=("complete", "incomplete"))
        return JSONResponse(self.out(item, fmt))

    async def custom_content(self, call: Call) -> Response:
        content_type = call.q("type")
        if not content_type:
            raise HttpError(400, "type is required")
        call.q_enum("body-format", _CUSTOM_FORMATS)
        spaces = set(call.q_list("space-id"))
        rows = [
            c
            for c in self.kind_items("custom")
            if c.data["type"] == content_type and (not spaces or c.data["spaceId"] in spaces)
        ]
        return self.page_of(call, rows, lambda c: self.out(c, None), sorts=("id",))

    async def users_bulk(self, call: Call) -> Response:
        ids = call.json_object().get("accountIds")
        if not isinstance(ids, list) or not ids:
            raise HttpError(400, "accountIds is required")
        results = [self.s.users[i] for i in ids if i in self.s.users]
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
        r("GET", "/pages/{id}/versions", self.versions)
        r("GET", "/pages/{id}/labels", self.labels_of)
        r("GET", "/pages/{id}/attachments", self.content_attachments)
        r("GET", "/pages/{id}/footer-comments", self.content_footer_comments)
        r("GET", "/pages/{id}/inline-comments", self.content_inline_comments)
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
        r("GET", "/blogposts/{id}/versions", self.versions)
        r("GET", "/blogposts/{id}/attachments", self.content_attachments)
        r("GET", "/blogposts/{id}/footer-comments", self.content_footer_comments)
        r("GET", "/blogposts/{id}/inline-comments", self.content_inline_comments)
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
        r("GET", "/footer-comments/{id}/versions", self.versions)
        r("GET", "/inline-comments", self.inline_comments)
        r("GET", "/inline-comments/{id}/children", self.comment_children)
        r("GET", "/attachments", self.attachments)
        r("GET", "/attachments/{id}", self.get_attachment)
        r("GET", "/attachments/{id}/labels", self.labels_of)
        r("GET", "/tasks", self.tasks)
        r("GET", "/tasks/{id}", self.get_task)
        r("GET", "/labels", self.labels)
        r("GET", "/custom-content", self.custom_content)
        r("POST", "/users-bulk", self.users_bulk)
