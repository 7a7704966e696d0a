"""Attachments: v2 to read, v1 to upload (v2 has no upload)."""

from __future__ import annotations

from bot.confluence.models import Attachment, UploadedAttachment
from bot.confluence.paging import Pager
from bot.confluence.resources.base import V1, V2, Resource


class AttachmentsAPI(Resource):
    def list(self, *, media_type: str | None = None, limit: int | None = None) -> Pager[Attachment]:
        return self._list(
            Attachment, f"{V2}/attachments", {"mediaType": media_type, "limit": limit}
        )

    async def get(self, attachment_id: str) -> Attachment:
        return await self._get(Attachment, f"{V2}/attachments/{attachment_id}")

    async def upload(
        self,
        page_id: str,
        filename: str,
        data: bytes,
        *,
        minor_edit: bool,
        media_type: str = "application/octet-stream",
        comment: str | None = None,
    ) -> UploadedAttachment:
        """Attach a file to a page, or add a version if the page has one of that name.

        PUT is v1's create-or-update (POST refuses an existing filename with 400). Confluence refuses
        multipart uploads without `X-Atlassian-Token: nocheck` (XSRF check). `minor_edit` is the
        required `minorEdit` field: True means no notification email and no activity-stream entry
        for this file; callers choose, as Atlassian's spec gives it no default.
        """
        files: dict[str, tuple[str | None, bytes | str, str] | tuple[str, bytes, str]] = {
            "file": (filename, data, media_type),
            "minorEdit": (None, "true" if minor_edit else "false", "text/plain"),
        }
        if comment:
            files["comment"] = (None, comment, "text/plain")
        payload = await self._json(
            "PUT",
            f"{V1}/content/{page_id}/child/attachment",
            files=files,
            headers={"X-Atlassian-Token": "nocheck"},
        )
        results = payload.get("results") if isinstance(payload, dict) else None
        item = results[0] if isinstance(results, list) and results else payload
        return await self._parse(UploadedAttachment, item | {"_links": _links(item, payload)})


def _links(item: object, payload: object) -> dict[str, object]:
    links: dict[str, object] = {}
    if isinstance(item, dict) and isinstance(item.get("_links"), dict):
        links.update(item["_links"])
    if isinstance(payload, dict) and isinstance(payload.get("_links"), dict):
        base = payload["_links"].get("base")
        if base and "base" not in links:
            links["base"] = base
    return links
