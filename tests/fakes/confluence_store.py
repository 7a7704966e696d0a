"""In-memory Confluence content: seeding helpers and v2-shaped records."""

from __future__ import annotations

import base64
import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus

from tests.fakes.confluence_cql import SearchDoc, make_doc
from tests.fakes.confluence_storage import parse_storage, storage_text

JSON = dict[str, Any]


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Item:
    """One stored entity: ``data`` is the v2 JSON shape (with ``body.storage`` when it has a body)."""

    kind: str  # page | blogpost | footer | inline | attachment | task | custom | space
    data: JSON
    space_key: str = ""
    text: str = ""
    versions: list[JSON] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # label ids
    properties: dict[str, JSON] = field(default_factory=dict)  # property id -> property
    blob: bytes = b""
    _doc: SearchDoc | None = None
    # Ids never change: the numeric sort key is computed once (listings of thousands stay cheap).
    number: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        digits = str(self.data["id"]).removeprefix("att")
        self.number = int(digits) if digits.isdigit() else 0

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def storage(self) -> str | None:
        body = self.data.get("body") or {}
        storage = body.get("storage")
        return None if storage is None else str(storage["value"])


class ConfluenceState:
    """Content, users and labels of one fake site, with the seeding API used by tests."""

    def __init__(self, site_url: str, shared_account_id: str) -> None:
        self.site_url = site_url.rstrip("/")
        self.current_user_account_id = shared_account_id
        self._ids = itertools.count(100001)
        self.users: dict[str, JSON] = {}
        self.spaces: dict[str, Item] = {}
        self.space_ids_by_key: dict[str, str] = {}
        self.items: dict[str, Item] = {}
        self.by_kind: dict[str, dict[str, Item]] = {}
        self.label_defs: dict[str, JSON] = {}

    # -- helpers -----------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return self.site_url + "/wiki"

    def new_id(self) -> str:
        return str(next(self._ids))

    def _store(self, item: Item) -> Item:
        self.items[item.id] = item
        self.by_kind.setdefault(item.kind, {})[item.id] = item
        return item

    def get(self, content_id: str, *kinds: str) -> Item | None:
        item = self.items.get(content_id)
        if item is None and content_id.isdigit():
            item = self.items.get("att" + content_id)
        if item is None or (kinds and item.kind not in kinds):
            return None
        return item

    def space_by_key(self, key: str) -> Item:
        space_id = self.space_ids_by_key.get(key)
        if space_id is None:
            raise KeyError(f"no space with key {key!r}; add_space() it first")
        return self.spaces[space_id]

    def version(
        self,
        number: int,
        author: str,
        when: datetime,
        message: str = "",
        *,
        minor_edit: bool = False,
    ) -> JSON:
        return {
            "number": number,
            "createdAt": iso(when),
            "message": message,
            "minorEdit": minor_edit,
            "authorId": author,
        }

    @staticmethod
    def tiny(content_id: str) -> str:
        raw = int(content_id).to_bytes(8, "little").rstrip(b"\0")
        return "/x/" + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def links_for(self, kind: str, content_id: str, space_key: str, title: str, when: str) -> JSON:
        slug = quote_plus(title)
        if kind == "blogpost":
            y, m, d = when[:4], when[5:7], when[8:10]
            webui = f"/spaces/{space_key}/blog/{y}/{m}/{d}/{content_id}/{slug}"
        else:
            webui = f"/spaces/{space_key}/pages/{content_id}/{slug}"
        return {
            "webui": webui,
            "editui": f"/pages/resumedraft.action?draftId={content_id}",
            "tinyui": self.tiny(content_id),
        }

    def set_body(self, item: Item, value: str) -> None:
        item.data["body"] = {"storage": {"representation": "storage", "value": value}}
        item.text = storage_text(value)
        item._doc = None

    def search_doc(self, item: Item) -> SearchDoc:
        if item._doc is None:
            data = item.data
            ancestors: list[str] = []
            parent = data.get("parentId")
            while parent and parent in self.items and len(ancestors) < 100:
                ancestors.append(parent)
                parent = self.items[parent].data.get("parentId")
            item._doc = make_doc(
                id=item.id,
                type=item.kind,
                space_key=item.space_key,
                title=str(data.get("title", "")),
                text=item.text,
                created=parse_iso(data["createdAt"]),
                modified=parse_iso(data["version"]["createdAt"]),
                parent_id=data.get("parentId"),
                ancestors=tuple(ancestors),
                labels=tuple(self.label_defs[i]["name"] for i in item.labels),
                creator=str(data.get("authorId", "")),
            )
        return item._doc

    # -- seeding -----------------------------------------------------------------------------
    def add_user(self, account_id: str, display_name: str, email: str = "") -> JSON:
        user = {
            "accountId": account_id,
            "accountType": "atlassian",
            "accountStatus": "active",
            "displayName": display_name,
            "publicName": display_name,
            "email": email,
            "timeZone": "UTC",
            "isExternalCollaborator": False,
            "profilePicture": {
                "path": f"/wiki/aa-avatar/{account_id}",
                "width": 48,
                "height": 48,
                "isDefault": False,
            },
        }
        self.users[account_id] = user
        return user

    def add_space(
        self, key: str, name: str, *, type: str = "global", status: str = "current"
    ) -> JSON:
        if key in self.space_ids_by_key:
            raise ValueError(f"space {key!r} already exists")
        space_id = self.new_id()
        data: JSON = {
            "id": space_id,
            "key": key,
            "name": name,
            "type": type,
            "status": status,
            "authorId": self.current_user_account_id,
            "createdAt": iso(_now()),
            "homepageId": None,
            "description": None,
            "icon": None,
            "_links": {"webui": f"/spaces/{key}"},
        }
        item = Item("space", data, space_key=key)
        self.spaces[space_id] = item
        self.space_ids_by_key[key] = space_id
        return data

    def create_content(
        self,
        kind: str,
        space_key: str,
        title: str,
        body: str,
        *,
        author_id: str | None = None,
        created_at: datetime | None = None,
        status: str = "current",
        parent_id: str | None = None,
    ) -> Item:
        parse_storage(body)  # seeding malformed storage is a bug in the test
        space = self.space_by_key(space_key)
        author = author_id or self.current_user_account_id
        when = created_at or _now()
        content_id = self.new_id()
        data: JSON = {"id": content_id, "status": status, "title": title, "spaceId": space.id}
        if kind == "page":
            data["parentId"] = parent_id
            data["parentType"] = "page" if parent_id else None
            data["position"] = len(self.by_kind.get("page", {}))
            data["ownerId"] = author
            data["lastOwnerId"] = None
        data.update(authorId=author, createdAt=iso(when))
        item = Item(kind, data, space_key=space_key)
        data["version"] = self.version(1, author, when)
        item.versions.append(data["version"])
        self.set_body(item, body)
        data["_links"] = self.links_for(kind, content_id, space_key, title, data["createdAt"])
        return self._store(item)

    def add_page(
        self,
        space_key: str,
        title: str,
        body: str = "<p>Hello</p>",
        *,
        parent_id: str | None = None,
        author_id: str | None = None,
        created_at: datetime | None = None,
        status: str = "current",
    ) -> JSON:
        item = self.create_content(
            "page",
            space_key,
            title,
            body,
            author_id=author_id,
            created_at=created_at,
            status=status,
            parent_id=parent_id,
        )
        return item.data

    def add_blogpost(
        self,
        space_key: str,
        title: str,
        body: str = "<p>Hello</p>",
        *,
        author_id: str | None = None,
        created_at: datetime | None = None,
    ) -> JSON:
        item = self.create_content(
            "blogpost", space_key, title, body, author_id=author_id, created_at=created_at
        )
        return item.data

    def create_comment(
        self,
        kind: str,
        container: Item,
        body: str,
        author: str,
        parent_comment_id: str | None = None,
    ) -> Item:
        parse_storage(body)
        when = _now()
        content_id = self.new_id()
        root = container
        data: JSON = {"id": content_id, "status": "current", "title": f"Re: {root.data['title']}"}
        data["blogPostId"] = root.id if root.kind == "blogpost" else None
        data["pageId"] = root.id if root.kind == "page" else None
        data["parentCommentId"] = parent_comment_id
        if kind == "inline":
            data.update(
                resolutionStatus="open",
                resolutionLastModifierId=None,
                resolutionLastModifiedAt=None,
                properties={
                    "inlineMarkerRef": uuid.uuid4().hex,
                    "inlineOriginalSelection": "selected text",
                },
            )
        data["version"] = self.version(1, author, when)
        data["_links"] = {
            "webui": f"{root.data['_links']['webui']}?focusedCommentId={content_id}",
        }
        item = Item(kind, data, space_key=root.space_key)
        item.versions.append(data["version"])
        self.set_body(item, body)
        return self._store(item)

    def comment_root(self, comment: Item) -> Item:
        root_id = comment.data.get("pageId") or comment.data.get("blogPostId")
        return self.items[str(root_id)]

    def add_footer_comment(
        self,
        *,
        page_id: str | None = None,
        blogpost_id: str | None = None,
        parent_comment_id: str | None = None,
        body: str = "<p>c</p>",
    ) -> JSON:
        if parent_comment_id:
            parent = self.items[parent_comment_id]
            container = self.comment_root(parent)
        else:
            target = page_id or blogpost_id
            if target is None:
                raise ValueError("give page_id, blogpost_id or parent_comment_id")
            container = self.items[target]
        item = self.create_comment(
            "footer", container, body, self.current_user_account_id, parent_comment_id
        )
        return item.data

    def add_inline_comment(self, page_id: str, body: str = "<p>c</p>") -> JSON:
        return self.create_comment(
            "inline", self.items[page_id], body, self.current_user_account_id
        ).data

    def add_attachment(
        self,
        page_id: str,
        filename: str,
        data: bytes = b"x",
        media_type: str = "application/octet-stream",
        *,
        author_id: str | None = None,
        minor_edit: bool = False,
    ) -> JSON:
        container = self.items[page_id]
        existing = next(
            (
                a
                for a in self.by_kind.get("attachment", {}).values()
                if a.data["title"] == filename
                and page_id in (a.data["pageId"], a.data["blogPostId"])
                and a.data["status"] == "current"
            ),
            None,
        )
        author = author_id or self.current_user_account_id
        when = _now()
        if existing is not None:
            number = existing.data["version"]["number"] + 1
            existing.data["version"] = self.version(number, author, when, minor_edit=minor_edit)
            existing.versions.append(existing.data["version"])
            existing.data.update(fileSize=len(data), mediaType=media_type)
            existing.data["downloadLink"] = self._download_link(page_id, filename, number)
            existing.data["_links"]["download"] = existing.data["downloadLink"]
            existing.blob = data
            return existing.data
        att_id = "att" + self.new_id()
        download = self._download_link(page_id, filename, 1)
        webui = (
            f"/pages/viewpageattachments.action?pageId={page_id}"
            f"&preview={quote(f'/{page_id}/{att_id}/{filename}', safe='')}"
        )
        record: JSON = {
            "id": att_id,
            "status": "current",
            "title": filename,
            "createdAt": iso(when),
            "pageId": page_id if container.kind == "page" else None,
            "blogPostId": page_id if container.kind == "blogpost" else None,
            "customContentId": None,
            "mediaType": media_type,
            "mediaTypeDescription": media_type.split("/")[-1].upper() + " File",
            "comment": "",
            "fileId": str(uuid.uuid4()),
            "fileSize": len(data),
            "webuiLink": webui,
            "downloadLink": download,
            "version": self.version(1, author, when, minor_edit=minor_edit),
            "_links": {"webui": webui, "download": download},
        }
        item = Item("attachment", record, space_key=container.space_key, blob=data)
        item.versions.append(record["version"])
        return self._store(item).data

    @staticmethod
    def _download_link(page_id: str, filename: str, version: int) -> str:
        return f"/download/attachments/{page_id}/{quote(filename)}?version={version}&api=v2"

    def add_task(self, page_id: str, body: str = "<p>todo</p>", status: str = "incomplete") -> JSON:
        container = self.items[page_id]
        when = iso(_now())
        task_id = self.new_id()
        data: JSON = {
            "id": task_id,
            "localId": task_id,
            "spaceId": container.data["spaceId"],
            "pageId": page_id if container.kind == "page" else None,
            "blogPostId": page_id if container.kind == "blogpost" else None,
            "status": status,
            "createdBy": self.current_user_account_id,
            "assignedTo": None,
            "completedBy": self.current_user_account_id if status == "complete" else None,
            "createdAt": when,
            "updatedAt": when,
            "dueAt": None,
            "completedAt": when if status == "complete" else None,
        }
        item = Item("task", data, space_key=container.space_key)
        self.set_body(item, body)
        return self._store(item).data

    def add_label(self, content_id: str, name: str, prefix: str = "global") -> JSON:
        target = self.items.get(content_id) or self.spaces.get(content_id)
        if target is None:
            raise KeyError(f"no content or space {content_id!r}")
        label = next(
            (d for d in self.label_defs.values() if d["name"] == name and d["prefix"] == prefix),
            None,
        )
        if label is None:
            label = {"id": self.new_id(), "name": name, "prefix": prefix}
            self.label_defs[label["id"]] = label
        if label["id"] not in target.labels:
            target.labels.append(label["id"])
            target._doc = None
        return label

    def add_custom_content(self, type: str, title: str, space_key: str) -> JSON:
        space = self.space_by_key(space_key)
        when = _now()
        content_id = self.new_id()
        data: JSON = {
            "id": content_id,
            "type": type,
            "status": "current",
            "title": title,
            "spaceId": space.id,
            "pageId": None,
            "blogPostId": None,
            "customContentId": None,
            "authorId": self.current_user_account_id,
            "createdAt": iso(when),
            "version": self.version(1, self.current_user_account_id, when),
            "_links": {"webui": f"/spaces/{space_key}/customcontent/{content_id}"},
        }
        item = Item("custom", data, space_key=space_key)
        item.versions.append(data["version"])
        self.set_body(item, "")
        return self._store(item).data
