"""v1 shapes (``/wiki/rest/api``) of content, users, versions and spaces, with ``expand``.

v1 answers carry only what was asked for: each expandable property of ``Content`` is listed under
``_expandable`` until an ``expand`` names it (dot paths reach inside: ``history.lastUpdated``,
``body.storage``, ``metadata.labels``). Search takes the same expansions prefixed ``content.``.
Shapes follow the v1 OpenAPI schemas ``Content``, ``Version``, ``ContentHistory``, ``User``,
``Space``, ``LabelArray`` and ``ContentBody``.

The v1 content tree: a page's ``ancestors`` are its parent pages, root first, and its
``container`` is its space; a comment's ``container`` is its page or blog post and its
``ancestors`` are the comments it replies to (v1 creates a reply with ``container`` = the page and
``ancestors`` = [the parent comment]).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from tests.fakes.confluence_storage import render_view
from tests.fakes.confluence_store import COMMENT_KINDS, JSON, ConfluenceState, Item, parse_iso

_CONTENT_EXPANDABLE = (
    "childTypes",
    "container",
    "metadata",
    "operations",
    "children",
    "restrictions",
    "history",
    "ancestors",
    "body",
    "version",
    "descendants",
    "space",
    "extensions",
)
_BODY_FORMATS = ("storage", "view")


def parse_expand(values: Iterable[str], prefix: str = "") -> set[str]:
    """Expansion paths (``a.b.c``) from repeated or comma-separated ``expand`` values, taking only
    those under ``prefix`` (``content.`` for search) with the prefix removed."""
    out: set[str] = set()
    for value in values:
        for path in value.split(","):
            path = path.strip()
            if not path:
                continue
            if prefix:
                if not path.startswith(prefix):
                    continue
                path = path[len(prefix) :]
            out.add(path)
    return out


def _wants(expand: set[str], name: str) -> bool:
    return any(p == name or p.startswith(name + ".") for p in expand)


def _under(expand: set[str], name: str) -> set[str]:
    return {p[len(name) + 1 :] for p in expand if p.startswith(name + ".")}


class V1Shapes:
    def __init__(self, state: ConfluenceState) -> None:
        self.s = state

    def user(self, account_id: str) -> JSON:
        user = self.s.user_json(account_id) if account_id in self.s.users else None
        if user is None:
            return {"type": "unknown", "accountId": account_id}
        return {
            "type": "known",
            "accountId": account_id,
            "accountType": user["accountType"],
            "email": user["email"],
            "publicName": user["publicName"],
            "profilePicture": self.s.users[account_id]["profilePicture"],
            "displayName": user["displayName"],
            "timeZone": user["timeZone"],
            "isExternalCollaborator": False,
            "_expandable": {"operations": "", "personalSpace": ""},
            "_links": {"self": f"{self.s.base}/rest/api/user?accountId={account_id}"},
        }

    def version(self, item: Item, version: JSON) -> JSON:
        when = parse_iso(str(version["createdAt"]))
        return {
            "by": self.user(str(version["authorId"])),
            "when": version["createdAt"],
            "friendlyWhen": when.astimezone(UTC).strftime("%b %d, %Y"),
            "message": version.get("message") or "",
            "number": version["number"],
            "minorEdit": bool(version.get("minorEdit")),
            "contentTypeModified": False,
            "_expandable": {
                "collaborators": "",
                "content": f"/rest/api/content/{item.id}",
            },
            "_links": {
                "self": f"{self.s.base}/rest/api/content/{item.id}/version/{version['number']}"
            },
        }

    def space(self, space: Item) -> JSON:
        data = space.data
        return {
            "id": int(space.id),
            "key": data["key"],
            "name": data["name"],
            "type": data["type"],
            "status": data["status"],
            "_expandable": {
                "settings": f"/rest/api/space/{data['key']}/settings",
                "metadata": "",
                "operations": "",
                "lookAndFeel": f"/rest/api/settings/lookandfeel?spaceKey={data['key']}",
                "identifiers": "",
                "permissions": "",
                "icon": "",
                "description": "",
                "theme": f"/rest/api/space/{data['key']}/theme",
                "history": "",
                "homepage": "",
            },
            "_links": {
                "webui": data["_links"]["webui"],
                "self": f"{self.s.base}/rest/api/space/{data['key']}",
            },
        }

    def content(self, item: Item, expand: set[str]) -> JSON:
        """A v1 ``Content`` of a page, blog post or comment with ``expand`` applied."""
        data = item.data
        comment = item.kind in COMMENT_KINDS
        space = self.s.space_of(item)
        space_key = space.data["key"] if space is not None else item.space_key
        links: JSON = {
            "webui": data["_links"]["webui"],
            "self": f"{self.s.base}/rest/api/content/{item.id}",
        }
        if not comment:
            links["tinyui"] = data["_links"]["tinyui"]
        out: JSON = {
            "id": item.id,
            "type": "comment" if comment else item.kind,
            "status": data["status"],
            "title": data["title"],
        }
        expandable: JSON = {}
        for name in _CONTENT_EXPANDABLE:
            if _wants(expand, name):
                value = self._expanded(item, name, _under(expand, name), space)
                if value is not None:
                    out[name] = value
                    continue
            if name in ("childTypes", "restrictions"):
                out[name] = {}
                continue
            expandable[name] = {
                "space": f"/rest/api/space/{space_key}",
                "history": f"/rest/api/content/{item.id}/history",
                "container": f"/rest/api/space/{space_key}",
            }.get(name, "")
        out["macroRenderedOutput"] = {}
        out["_expandable"] = expandable
        out["_links"] = links
        return out

    def _expanded(self, item: Item, name: str, inner: set[str], space: Item | None) -> object:
        data = item.data
        comment = item.kind in COMMENT_KINDS
        if name == "version":
            return self.version(item, data["version"])
        if name == "history":
            first = item.versions[0] if item.versions else data["version"]
            history: JSON = {
                "latest": True,
                "createdBy": self.user(str(data.get("authorId") or first["authorId"])),
                "createdDate": data.get("createdAt") or first["createdAt"],
            }
            if "lastUpdated" in inner:
                history["lastUpdated"] = self.version(item, data["version"])
            if len(item.versions) > 1 and "previousVersion" in inner:
                history["previousVersion"] = self.version(item, item.versions[-2])
            history["_expandable"] = {
                key: ""
                for key in ("lastUpdated", "previousVersion", "contributors", "nextVersion")
                if key not in inner
            }
            history["_links"] = {"self": f"{self.s.base}/rest/api/content/{item.id}/history"}
            return history
        if name == "ancestors":
            if comment:
                chain = []
                parent = data.get("parentCommentId")
                while parent and parent in self.s.items:
                    chain.append(str(parent))
                    parent = self.s.items[str(parent)].data.get("parentCommentId")
            else:
                chain = self.s.page_ancestors(item)
            return [self.content(self.s.items[i], set()) for i in reversed(chain)]
        if name == "container":
            if comment:
                root = self.s.container_of(item)
                return self.content(root, set()) if root is not None else None
            return self.space(space) if space is not None else None
        if name == "space":
            return self.space(space) if space is not None else None
        if name == "metadata" and "labels" in inner:
            labels = [self.s.label_defs[i] for i in item.labels]
            return {
                "labels": {
                    "results": [
                        {
                            "prefix": label["prefix"],
                            "name": label["name"],
                            "id": label["id"],
                            "label": label["name"],
                        }
                        for label in labels
                    ],
                    "start": 0,
                    "limit": 200,
                    "size": len(labels),
                    "_links": {"self": f"{self.s.base}/rest/api/content/{item.id}/label"},
                },
            }
        if name == "body" and inner & set(_BODY_FORMATS):
            storage = item.storage or ""
            body: JSON = {}
            for fmt in _BODY_FORMATS:
                if fmt in inner or any(p.startswith(fmt + ".") for p in inner):
                    body[fmt] = {
                        "value": storage if fmt == "storage" else render_view(storage),
                        "representation": fmt,
                        "embeddedContent": [],
                        "_expandable": {"content": f"/rest/api/content/{item.id}"},
                    }
            body["_expandable"] = {
                fmt: f"/rest/api/content/{item.id}?expand=body.{fmt}"
                for fmt in ("editor", "view", "export_view", "styled_view", "storage", "editor2")
                if fmt not in body
            }
            return body
        if name == "extensions" and comment:
            extensions: JSON = {"location": "inline" if item.kind == "inline" else "footer"}
            if item.kind == "inline":
                props = data.get("properties") or {}
                extensions["inlineProperties"] = {
                    "originalSelection": props.get("inlineOriginalSelection", ""),
                    "markerRef": props.get("inlineMarkerRef", ""),
                }
                extensions["resolution"] = {"status": data.get("resolutionStatus", "open")}
            return extensions
        return None
