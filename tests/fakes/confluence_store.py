"""In-memory Confluence content: seeding helpers, the activity tests drive, and v2-shaped records.

Everything that changes content goes through one of these methods (the HTTP handlers use them too),
so a page edited over the API and one edited by ``edit()`` leave the same traces: a new version with
its author, ``minorEdit`` and message, ``lastmodified`` moved, the editor watching the page
(Confluence's autowatch), @mentions and tasks re-read from the storage body.
"""

from __future__ import annotations

import base64
import itertools
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, quote_plus
from zoneinfo import ZoneInfo

from tests.fakes.confluence_access import Access
from tests.fakes.confluence_cql import SearchDoc, make_doc
from tests.fakes.confluence_records import COMMENT_KINDS, CONTENT_KINDS, JSON, Item, iso, parse_iso
from tests.fakes.confluence_storage import (
    mentioned_accounts,
    parse_storage,
    storage_text,
)
from tests.fakes.confluence_tasks import new_task, sync_tasks, update_status

__all__ = [
    "COMMENT_KINDS",
    "CONTENT_KINDS",
    "JSON",
    "ConfluenceState",
    "Item",
    "iso",
    "parse_iso",
]


class ConfluenceState:
    """Content, users, permissions and the clock of one fake site, with the seeding API tests use."""

    def __init__(
        self, site_url: str, shared_account_id: str, *, default_time_zone: str = "UTC"
    ) -> None:
        ZoneInfo(default_time_zone)  # an unknown zone is a bug in the test
        self.site_url = site_url.rstrip("/")
        self.current_user_account_id = shared_account_id
        self.default_time_zone = default_time_zone
        self.cloud_id = ""
        self._ids = itertools.count(100001)
        self.users: dict[str, JSON] = {}
        self.spaces: dict[str, Item] = {}
        self.space_ids_by_key: dict[str, str] = {}
        self.deleted_spaces: dict[str, Item] = {}
        self.items: dict[str, Item] = {}
        self.by_kind: dict[str, dict[str, Item]] = {}
        self.label_defs: dict[str, JSON] = {}
        self.access = Access()
        self._frozen: datetime | None = None
        self._zones: dict[str, str] = {}  # account -> own time zone (else the site's)
        self._zone_hidden: set[str] = set()  # accounts whose profile hides the time zone
        self._no_autowatch: set[str] = set()
        self._task_ids: dict[tuple[str, str], str] = {}  # (container id, local id) -> task id

    # -- time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The site's clock: real time unless frozen (``freeze_time``/``advance``)."""
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def freeze_time(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("freeze_time needs an aware datetime")
        self._frozen = at.astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """Move a frozen clock (freezing it at the present first) by ``delta`` or ``minutes=...``."""
        step = delta if delta is not None else timedelta(**units)
        self._frozen = self.now() + step
        return self._frozen

    def thaw(self) -> None:
        self._frozen = None

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
        item.mentions = mentioned_accounts(value)
        number = (item.data.get("version") or {}).get("number")
        if isinstance(number, int):
            item.bodies[number] = value
        item._doc = None

    def _forget_docs(self) -> None:
        """Drop every cached search document (after a change that moves pages in the tree)."""
        for item in self.items.values():
            item._doc = None

    # -- the content tree --------------------------------------------------------------------
    def container_of(self, item: Item) -> Item | None:
        """The page or blog post a comment, attachment or task hangs on (None for others)."""
        data = item.data
        root_id = data.get("pageId") or data.get("blogPostId")
        return self.items.get(str(root_id)) if root_id else None

    def comment_root(self, comment: Item) -> Item:
        root = self.container_of(comment)
        if root is None:
            raise KeyError(f"comment {comment.id} has no container")
        return root

    def page_ancestors(self, item: Item) -> list[str]:
        """Ids of a page's ancestor pages, nearest first."""
        out: list[str] = []
        parent = item.data.get("parentId")
        while parent and parent in self.items and len(out) < 100:
            out.append(str(parent))
            parent = self.items[str(parent)].data.get("parentId")
        return out

    def comment_ancestors(self, comment: Item) -> list[str]:
        """A comment's parent comments (nearest first), then its page or blog post and theirs."""
        out: list[str] = []
        parent = comment.data.get("parentCommentId")
        while parent and parent in self.items and len(out) < 100:
            out.append(str(parent))
            parent = self.items[str(parent)].data.get("parentCommentId")
        root = self.container_of(comment)
        if root is not None:
            out.append(root.id)
            out.extend(self.page_ancestors(root))
        return out

    def lineage(self, item: Item) -> list[str]:
        """The item, what it hangs on and their ancestors: whose view restrictions apply to it."""
        if item.kind == "page":
            return [item.id, *self.page_ancestors(item)]
        if item.kind in COMMENT_KINDS:
            return [item.id, *self.comment_ancestors(item)]
        root = self.container_of(item)
        if root is not None:
            return [item.id, *self.lineage(root)]
        return [item.id]

    def space_of(self, item: Item) -> Item | None:
        """The live space an item is in (None once the space was deleted)."""
        if item.kind == "space":
            return item if item.id in self.spaces else None
        space_id = item.data.get("spaceId")
        if space_id is None:
            root = self.container_of(item)
            space_id = root.data.get("spaceId") if root is not None else None
        return self.spaces.get(str(space_id)) if space_id is not None else None

    def is_live(self, item: Item) -> bool:
        """Current itself, and (for what hangs on a page or blog post) its container too."""
        if item.kind == "task":
            root = self.container_of(item)
            return root is not None and self.is_live(root)
        if item.data.get("status", "current") != "current":
            return False
        root = self.container_of(item)
        return root is None or root.data.get("status") == "current"

    # -- permissions -------------------------------------------------------------------------
    def restrict_space(self, key: str, accounts: Iterable[str]) -> None:
        """Only ``accounts`` may see space ``key`` (and anything in it)."""
        self.access.restrict_space(self.space_by_key(key).id, accounts)

    def revoke_space_access(self, key: str, account_id: str) -> None:
        """``account_id`` loses view permission on space ``key``."""
        self.access.revoke(self.space_by_key(key).id, account_id)

    def grant_space_access(self, key: str, account_id: str) -> None:
        self.access.grant(self.space_by_key(key).id, account_id)

    def restrict_content(self, content_id: str, accounts: Iterable[str] | None) -> None:
        """A view restriction on a page or blog post (None lifts it); inherited by what is below it."""
        if content_id not in self.items:
            raise KeyError(f"no content {content_id!r}")
        self.access.restrict_content(content_id, accounts)

    def delete_space(self, key: str) -> None:
        """The space and everything in it are gone (404 to everyone, absent from lists and search)."""
        space = self.space_by_key(key)
        del self.spaces[space.id]
        del self.space_ids_by_key[key]
        self.deleted_spaces[space.id] = space

    def can_view(self, item: Item, account: str) -> bool:
        space = self.space_of(item)
        if space is None or not self.access.space_visible(space.id, account):
            return False
        return item.kind == "space" or self.access.chain_visible(self.lineage(item), account)

    # -- users and time zones ----------------------------------------------------------------
    def add_user(
        self,
        account_id: str,
        display_name: str,
        email: str = "",
        *,
        time_zone: str | None = None,
        hide_time_zone: bool = False,
        autowatch: bool = True,
    ) -> JSON:
        """A user. ``time_zone`` None: the site's default (``settings/systemInfo``) applies;
        ``hide_time_zone``: their profile hides it (``timeZone`` null), CQL still reads dates in it."""
        user = {
            "accountId": account_id,
            "accountType": "atlassian",
            "accountStatus": "active",
            "displayName": display_name,
            "publicName": display_name,
            "email": email,
            "timeZone": None,
            "isExternalCollaborator": False,
            "profilePicture": {
                "path": f"/wiki/aa-avatar/{account_id}",
                "width": 48,
                "height": 48,
                "isDefault": False,
            },
        }
        self.users[account_id] = user
        self.set_time_zone(account_id, time_zone, hidden=hide_time_zone)
        if not autowatch:
            self._no_autowatch.add(account_id)
        return user

    def set_time_zone(
        self, account_id: str, time_zone: str | None, *, hidden: bool = False
    ) -> None:
        if time_zone is None:
            self._zones.pop(account_id, None)
        else:
            ZoneInfo(time_zone)
            self._zones[account_id] = time_zone
        if hidden:
            self._zone_hidden.add(account_id)
        else:
            self._zone_hidden.discard(account_id)

    def time_zone_name(self, account_id: str) -> str:
        """The zone CQL reads this account's dates in: their own, else the site's default."""
        return self._zones.get(account_id, self.default_time_zone)

    def time_zone(self, account_id: str) -> ZoneInfo:
        return ZoneInfo(self.time_zone_name(account_id))

    def user_json(self, account_id: str) -> JSON:
        """A v2 ``User`` (``timeZone`` as their profile shows it; v2's ``Icon`` is path and isDefault)."""
        user = dict(self.users[account_id])
        picture = user["profilePicture"]
        user["profilePicture"] = {"path": picture["path"], "isDefault": picture["isDefault"]}
        hidden = account_id in self._zone_hidden
        user["timeZone"] = None if hidden else self.time_zone_name(account_id)
        return user

    def ensure_user(self, account_id: str) -> JSON:
        return self.users.get(account_id) or self.add_user(account_id, f"User {account_id[-6:]}")

    # -- spaces ------------------------------------------------------------------------------
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
            "createdAt": iso(self.now()),
            "homepageId": None,
            "description": None,
            "icon": None,
            "_links": {"webui": f"/spaces/{key}"},
        }
        item = Item("space", data, space_key=key)
        self.spaces[space_id] = item
        self.space_ids_by_key[key] = space_id
        return data

    # -- pages and blog posts ----------------------------------------------------------------
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
        when = created_at or self.now()
        content_id = self.new_id()
        data: JSON = {"id": content_id, "status": status, "title": title, "spaceId": space.id}
        if kind == "page":
            if parent_id is not None and self.get(parent_id, "page") is None:
                raise KeyError(f"no parent page {parent_id!r}")
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
        self._store(item)
        if status == "current":
            self._autowatch(item, author)
            sync_tasks(self, item, author, when)
        return item

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

    def apply_edit(
        self,
        item: Item,
        author: str,
        *,
        body: str | None = None,
        title: str | None = None,
        message: str = "",
        minor_edit: bool = False,
        when: datetime | None = None,
    ) -> Item:
        """A new version of ``item`` by ``author`` (what an edit in the editor or over the API does)."""
        at = when or self.now()
        number = int(item.data["version"]["number"]) + 1
        item.data["version"] = self.version(number, author, at, message, minor_edit=minor_edit)
        item.versions.append(item.data["version"])
        if title is not None and title != item.data.get("title"):
            item.data["title"] = title
            if item.kind in CONTENT_KINDS:
                item.data["_links"] = self.links_for(
                    item.kind, item.id, item.space_key, title, item.data["createdAt"]
                )
        current = item.storage
        self.set_body(item, body if body is not None else (current or ""))
        if item.kind in CONTENT_KINDS:
            self._autowatch(item, author)
            sync_tasks(self, item, author, at)
        return item

    def edit(
        self,
        content_id: str,
        body: str | None = None,
        *,
        by: str | None = None,
        title: str | None = None,
        message: str = "",
        minor_edit: bool = False,
    ) -> JSON:
        """Edit a page, blog post or comment as ``by`` (default: the shared bot account)."""
        item = self.items[content_id]
        if body is not None:
            parse_storage(body)
        author = by or self.current_user_account_id
        self.ensure_user(author)
        self.apply_edit(
            item, author, body=body, title=title, message=message, minor_edit=minor_edit
        )
        return item.data

    def move(self, page_id: str, parent_id: str | None) -> None:
        """Put a page under another parent page (or at the top of its space)."""
        page = self.items[page_id]
        page.data["parentId"] = parent_id
        page.data["parentType"] = "page" if parent_id else None
        self._forget_docs()

    def trash(self, content_id: str) -> None:
        """Move a page or blog post to the trash (``status`` trashed), as DELETE without purge does."""
        self.items[content_id].data["status"] = "trashed"
        self.items[content_id]._doc = None

    def purge(self, content_id: str) -> None:
        self.items[content_id].data["status"] = "deleted"
        self.items[content_id]._doc = None

    # -- watchers ----------------------------------------------------------------------------
    def watch(self, content_id: str, account_id: str) -> None:
        item = self.items[content_id]
        if item.kind not in CONTENT_KINDS:
            raise ValueError("only pages and blog posts are watched")
        item.watchers.add(account_id)
        item._doc = None

    def unwatch(self, content_id: str, account_id: str) -> None:
        self.items[content_id].watchers.discard(account_id)
        self.items[content_id]._doc = None

    def set_autowatch(self, account_id: str, on: bool) -> None:
        if on:
            self._no_autowatch.discard(account_id)
        else:
            self._no_autowatch.add(account_id)

    def _autowatch(self, item: Item, account_id: str) -> None:
        # "By default, Confluence will assign you as a watcher of any page or blog post that you
        # create or edit" (Atlassian's documentation, "autowatch"; a user setting can turn it off).
        if item.kind in CONTENT_KINDS and account_id not in self._no_autowatch:
            item.watchers.add(account_id)
            item._doc = None

    # -- comments ----------------------------------------------------------------------------
    def create_comment(
        self,
        kind: str,
        container: Item,
        body: str,
        author: str,
        parent_comment_id: str | None = None,
        *,
        selection: str | None = None,
    ) -> Item:
        parse_storage(body)
        when = self.now()
        content_id = self.new_id()
        root = container
        data: JSON = {"id": content_id, "status": "current", "title": f"Re: {root.data['title']}"}
        data["blogPostId"] = root.id if root.kind == "blogpost" else None
        data["pageId"] = root.id if root.kind == "page" else None
        data["parentCommentId"] = parent_comment_id
        if kind == "inline":
            if parent_comment_id:
                # A reply hangs on its parent's highlight (replies take no selection of their own).
                properties = dict(self.items[parent_comment_id].data["properties"])
            else:
                text = selection if selection is not None else " ".join(root.text.split()[:3])
                if not text or text not in root.text:
                    raise ValueError(f"{text!r} is not text of {root.kind} {root.id}")
                properties = {"inlineMarkerRef": uuid.uuid4().hex, "inlineOriginalSelection": text}
            data.update(
                resolutionStatus="open",
                resolutionLastModifierId=None,
                resolutionLastModifiedAt=None,
                properties=properties,
            )
        data["version"] = self.version(1, author, when)
        data["_links"] = {
            "webui": f"{root.data['_links']['webui']}?focusedCommentId={content_id}",
        }
        item = Item(kind, data, space_key=root.space_key)
        item.versions.append(data["version"])
        self.set_body(item, body)
        return self._store(item)

    def add_footer_comment(
        self,
        *,
        page_id: str | None = None,
        blogpost_id: str | None = None,
        parent_comment_id: str | None = None,
        body: str = "<p>c</p>",
        author_id: str | None = None,
    ) -> JSON:
        if parent_comment_id:
            parent = self.items[parent_comment_id]
            container = self.comment_root(parent)
        else:
            target = page_id or blogpost_id
            if target is None:
                raise ValueError("give page_id, blogpost_id or parent_comment_id")
            container = self.items[target]
        author = author_id or self.current_user_account_id
        self.ensure_user(author)
        item = self.create_comment("footer", container, body, author, parent_comment_id)
        return item.data

    def add_inline_comment(
        self,
        page_id: str | None = None,
        body: str = "<p>c</p>",
        *,
        selection: str | None = None,
        author_id: str | None = None,
        parent_comment_id: str | None = None,
    ) -> JSON:
        """An inline comment on the text ``selection`` of a page or blog post (default: its first
        words), or a reply to one (``parent_comment_id``)."""
        if parent_comment_id:
            container = self.comment_root(self.items[parent_comment_id])
        elif page_id is not None:
            container = self.items[page_id]
        else:
            raise ValueError("give page_id or parent_comment_id")
        author = author_id or self.current_user_account_id
        self.ensure_user(author)
        item = self.create_comment(
            "inline", container, body, author, parent_comment_id, selection=selection
        )
        return item.data

    def resolve_inline_comment(self, comment_id: str, by: str, *, status: str = "resolved") -> None:
        data = self.items[comment_id].data
        data.update(
            resolutionStatus=status,
            resolutionLastModifierId=by,
            resolutionLastModifiedAt=iso(self.now()),
        )

    # -- attachments -------------------------------------------------------------------------
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
        when = self.now()
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

    # -- tasks -------------------------------------------------------------------------------
    def add_task(
        self,
        page_id: str,
        body: str = "<p>todo</p>",
        status: str = "incomplete",
        *,
        assigned_to: str | None = None,
        due_at: datetime | None = None,
        created_by: str | None = None,
        created_at: datetime | None = None,
    ) -> JSON:
        """A task on a page or blog post without touching its body (tasks written into a body as
        ``<ac:task>`` appear by themselves when the page is created or edited)."""
        item = new_task(
            self,
            self.items[page_id],
            local_id=None,
            body=body,
            status=status,
            assignee=assigned_to,
            due_at=due_at,
            by=created_by or self.current_user_account_id,
            when=created_at or self.now(),
        )
        return item.data

    def set_task_status(self, task_id: str, status: str, *, by: str | None = None) -> JSON:
        """Complete or reopen a task as ``by`` (what ticking its box in Confluence does)."""
        return update_status(self, self.items[task_id], status, by or self.current_user_account_id)

    # -- labels ------------------------------------------------------------------------------
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

    def remove_label(self, content_id: str, name: str) -> None:
        target = self.items.get(content_id) or self.spaces[content_id]
        target.labels = [i for i in target.labels if self.label_defs[i]["name"] != name]
        target._doc = None

    def add_custom_content(self, type: str, title: str, space_key: str) -> JSON:
        space = self.space_by_key(space_key)
        when = self.now()
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

    # -- search ------------------------------------------------------------------------------
    def searchable(self) -> Iterator[Item]:
        """What CQL search indexes: live pages, blog posts and comments in live spaces."""
        for kind in (*CONTENT_KINDS, *COMMENT_KINDS):
            for item in self.by_kind.get(kind, {}).values():
                if self.is_live(item) and self.space_of(item) is not None:
                    yield item

    def search_doc(self, item: Item) -> SearchDoc:
        if item._doc is None:
            data = item.data
            comment = item.kind in COMMENT_KINDS
            first = item.versions[0] if item.versions else data["version"]
            if comment:
                ancestors = self.comment_ancestors(item)
                parent = data.get("parentCommentId") or (ancestors[0] if ancestors else None)
                root = self.container_of(item)
                watchers: tuple[str, ...] = ()
                space_key = root.space_key if root is not None else item.space_key
            else:
                ancestors = self.page_ancestors(item)
                parent = data.get("parentId")
                watchers = tuple(sorted(item.watchers))
                space_key = item.space_key
            item._doc = make_doc(
                id=item.id,
                type="comment" if comment else item.kind,
                space_key=space_key,
                title=str(data.get("title", "")),
                text=item.text,
                created=parse_iso(data.get("createdAt") or first["createdAt"]),
                modified=parse_iso(data["version"]["createdAt"]),
                parent_id=str(parent) if parent else None,
                ancestors=tuple(ancestors),
                labels=tuple(self.label_defs[i]["name"] for i in item.labels),
                creator=str(data.get("authorId") or first["authorId"]),
                contributors=tuple(dict.fromkeys(str(v["authorId"]) for v in item.versions)),
                mentions=item.mentions,
                watchers=watchers,
            )
        return item._doc
