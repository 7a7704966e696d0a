"""Confluence Cloud REST v1 handlers (``/wiki/rest/api``): current user, site settings, attachment
upload, CQL search (with ``expand``, as the calling identity sees it)."""

from __future__ import annotations

import base64
import functools
import time
from urllib.parse import urlencode

from starlette.responses import JSONResponse, Response

from tests.fakes.confluence_cql import CqlError, highlight, parse_cql
from tests.fakes.confluence_http import Call, HttpError, Router, multipart_parts
from tests.fakes.confluence_store import JSON, ConfluenceState, Item, parse_iso
from tests.fakes.confluence_v1_content import V1Shapes, parse_expand

_EXCERPTS = {"highlight", "indexed", "none", "highlight_unescaped", "indexed_unescaped"}
_USER_EXPANDS = {"operations", "personalSpace", "isExternalCollaborator"}


class V1Api:
    def __init__(self, state: ConfluenceState) -> None:
        self.s = state
        self.shapes = V1Shapes(state)

    async def current_user(self, call: Call) -> Response:
        call.q_list_enum("expand", _USER_EXPANDS)
        self.s.ensure_user(call.account_id)
        user = self.shapes.user(call.account_id)
        user["_links"] = {"base": self.s.base, "context": "/wiki", **user["_links"]}
        return JSONResponse(user)

    def _upload(self, call: Call, *, replace: bool) -> Response:
        if (call.headers.get("x-atlassian-token") or "").lower() != "nocheck":
            raise HttpError(403, "XSRF check failed")
        container = self.s.get(call.params["id"], "page", "blogpost", "custom")
        if (
            container is None
            or container.data.get("status") != "current"
            or not self.s.can_view(container, call.account_id)
        ):
            raise HttpError(404, f"No content with id {call.params['id']}")
        parts = multipart_parts(call.headers.get("content-type", ""), call.body)
        by_name = {p.get_param("name", header="content-disposition"): p for p in parts}
        files = [p for p in parts if p.get_param("name", header="content-disposition") == "file"]
        if not files:
            raise HttpError(400, "At least one attachment must be supplied in the 'file' field")
        # Required by the v1 OpenAPI (POST and PUT); "true": no notification, no activity entry.
        minor_part = by_name.get("minorEdit")
        if minor_part is None:
            raise HttpError(400, "The 'minorEdit' field is required")
        minor = minor_part.get_content().strip().lower() == "true"
        results: list[JSON] = []
        for part in files:
            filename = part.get_filename() or "file"
            exists = any(
                a.data["title"] == filename
                and container.id in (a.data["pageId"], a.data["blogPostId"])
                and a.data["status"] == "current"
                for a in self.s.by_kind.get("attachment", {}).values()
            )
            if exists and not replace:
                raise HttpError(
                    400,
                    "Cannot add a new attachment with same file name as an existing attachment: "
                    + filename,
                )
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            record = self.s.add_attachment(
                container.id,
                filename,
                data,
                part.get_content_type(),
                author_id=call.account_id,
                minor_edit=minor,
            )
            results.append(self._v1_attachment(record, container))
        return JSONResponse(
            {
                "results": results,
                "start": 0,
                "limit": len(results),
                "size": len(results),
                "_links": {"base": self.s.base, "context": "/wiki"},
            }
        )

    def _v1_attachment(self, record: JSON, container: Item) -> JSON:
        return {
            "id": record["id"],
            "type": "attachment",
            "status": "current",
            "title": record["title"],
            "version": {
                "number": record["version"]["number"],
                "when": record["version"]["createdAt"],
                "by": {"type": "known", "accountId": record["version"]["authorId"]},
            },
            "container": {
                "id": container.id,
                "type": container.kind,
                "status": "current",
                "title": container.data["title"],
            },
            "extensions": {
                "mediaType": record["mediaType"],
                "fileSize": record["fileSize"],
                "comment": "",
                "fileId": record["fileId"],
            },
            "_links": {
                "webui": record["webuiLink"],
                "download": record["downloadLink"],
                "self": f"{self.s.base}/rest/api/content/{record['id']}",
            },
        }

    async def create_attachment(self, call: Call) -> Response:
        return self._upload(call, replace=False)

    async def create_or_update_attachment(self, call: Call) -> Response:
        return self._upload(call, replace=True)

    async def search(self, call: Call) -> Response:
        started = time.perf_counter()
        cql = call.q("cql")
        if cql is None:
            raise HttpError(400, "CQL was not provided")
        who = call.account_id
        try:
            query = parse_cql(cql, now=self.s.now(), current_user=who, zone=self.s.time_zone(who))
        except CqlError as exc:
            raise HttpError(400, f"Could not parse cql : {cql} ({exc})") from exc
        try:
            limit = int(call.q("limit", "25") or "25")
            start = int(call.q("start", "0") or "0")
            cursor = call.q("cursor")
            if cursor:
                start = int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except ValueError as exc:
            raise HttpError(400, "Invalid limit, start or cursor") from exc
        if limit < 0 or start < 0:
            raise HttpError(400, "limit and start must not be negative")
        excerpt_mode = call.q_enum("excerpt", _EXCERPTS) or "highlight"
        expand = parse_expand(call.q_all("expand"), "content.")
        # "using expand=body.storage.value will return a maximum of 50 results" (Atlassian's
        # CQL guide); without a body the fake's ceiling is 250, like v2's lists.
        ceiling = 50 if any(p.startswith("body") for p in expand) else 250
        limit = min(limit or 25, ceiling)
        hits = [
            item
            for item in self.s.searchable()
            if self.s.can_view(item, who) and query.matches(self.s.search_doc(item))
        ]
        for field, desc in reversed(query.order or [("lastmodified", True)]):
            hits.sort(key=functools.partial(self._order_key, field=field), reverse=desc)
        chunk = hits[start : start + limit]
        results = [self._result(i, query.terms, excerpt_mode, expand) for i in chunk]
        links: JSON = {
            "base": self.s.base,
            "context": "/wiki",
            "self": f"{self.s.base}/rest/api/search?{urlencode({'cql': cql})}",
        }
        if start + limit < len(hits):
            links["next"] = self._page_link(call, cql, limit, start + limit, "next")
        if start > 0:
            links["prev"] = self._page_link(call, cql, limit, max(0, start - limit), "prev")
        return JSONResponse(
            {
                "results": results,
                "start": start,
                "limit": limit,
                "size": len(results),
                "totalSize": len(hits),
                "cqlQuery": cql,
                "searchDuration": int((time.perf_counter() - started) * 1000),
                "archivedResultCount": 0,
                "_links": links,
            }
        )

    @staticmethod
    def _page_link(call: Call, cql: str, limit: int, start: int, way: str) -> str:
        cursor = base64.urlsafe_b64encode(str(start).encode()).decode().rstrip("=")
        params = [("cql", cql), ("limit", str(limit)), ("start", str(start))]
        params += [(k, v) for k, v in call.query if k in ("expand", "excerpt")]
        params += [("cursor", cursor), (way, "true")]
        return "/rest/api/search?" + urlencode(params)

    @staticmethod
    def _order_key(item: Item, field: str) -> tuple[str, int]:
        # Ties (same millisecond) fall back to the id, so newer content still sorts as newer.
        if field == "lastmodified":
            return str(item.data["version"]["createdAt"]), item.number
        if field == "created":
            first = item.versions[0] if item.versions else item.data["version"]
            return str(item.data.get("createdAt") or first["createdAt"]), item.number
        if field == "title":
            return str(item.data["title"]).lower(), item.number
        return "", item.number

    def _result(
        self, item: Item, terms: list[str], excerpt_mode: str | None, expand: set[str]
    ) -> JSON:
        data = item.data
        space = self.s.space_of(item)
        assert space is not None  # searchable() keeps only content in live spaces
        modified = data["version"]["createdAt"]
        excerpt = "" if excerpt_mode == "none" else highlight(item.text, terms)
        if excerpt_mode in ("indexed", "indexed_unescaped"):
            excerpt = excerpt.replace("@@@hl@@@", "").replace("@@@endhl@@@", "")
        webui = data["_links"]["webui"]
        kind = "comment" if item.is_comment else item.kind
        result: JSON = {
            "content": self.shapes.content(item, expand),
            "title": data["title"],
            "excerpt": excerpt,
            "url": webui,
            "resultGlobalContainer": {
                "title": space.data["name"],
                "displayUrl": f"/spaces/{space.data['key']}",
            },
        }
        root = self.s.container_of(item) if item.is_comment else None
        if root is not None:
            result["resultParentContainer"] = {
                "title": root.data["title"],
                "displayUrl": root.data["_links"]["webui"],
            }
        result.update(
            {
                "breadcrumbs": [],
                "entityType": "content",
                "iconCssClass": f"aui-icon content-type-{kind}",
                "lastModified": modified,
                "friendlyLastModified": parse_iso(modified).strftime("%b %d, %Y"),
                "score": float(len(terms)),
            }
        )
        return result

    async def system_info(self, call: Call) -> Response:
        return JSONResponse(
            {
                "cloudId": self.s.cloud_id,
                "commitHash": "fake0000",
                "baseUrl": self.s.base,
                "edition": "standard",
                "siteTitle": "Confluence",
                "defaultLocale": "en_US",
                "defaultTimeZone": self.s.default_time_zone,
            }
        )

    def register(self, router: Router) -> None:
        router.add("GET", "/user/current", self.current_user)
        router.add("POST", "/content/{id}/child/attachment", self.create_attachment)
        router.add("PUT", "/content/{id}/child/attachment", self.create_or_update_attachment)
        router.add("GET", "/search", self.search)
        router.add("GET", "/settings/systemInfo", self.system_info)
