"""The files of a thread: which ones a save copies, and what the page says about each."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.convert import FileOutcome

_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")


class FileSkipped(Exception):
    """Why a file was not copied; `str(exc)` is shown on the page next to its name."""


@dataclass(frozen=True)
class SlackFile:
    id: str
    name: str
    mimetype: str
    size: int | None
    url: str | None
    external: bool = False

    @classmethod
    def from_message_file(cls, file: Mapping[str, Any]) -> SlackFile:
        size = file.get("size")
        return cls(
            id=str(file.get("id") or ""),
            name=str(file.get("name") or file.get("title") or file.get("id") or "file"),
            mimetype=str(file.get("mimetype") or "application/octet-stream"),
            size=size if isinstance(size, int) else None,
            url=file.get("url_private_download") or file.get("url_private"),
            external=bool(file.get("is_external")),
        )

    @property
    def is_image(self) -> bool:
        return self.mimetype.startswith("image/")

    @property
    def attachment_name(self) -> str:
        """Stable and unique per Slack file, so re-saves replace rather than duplicate."""
        clean = _UNSAFE.sub("_", self.name).strip() or "file"
        return f"{self.id}-{clean}"


def files_in(messages: Sequence[Mapping[str, Any]]) -> list[SlackFile]:
    """Every hosted file in these messages, once each."""
    seen: dict[str, SlackFile] = {}
    for message in messages:
        for file in message.get("files") or []:
            if isinstance(file, Mapping) and file.get("id") and file.get("mode") != "tombstone":
                found = SlackFile.from_message_file(file)
                seen.setdefault(found.id, found)
    return list(seen.values())


def outcomes(
    files: Sequence[SlackFile], already: set[str], fetched: Mapping[str, bytes | FileSkipped]
) -> dict[str, FileOutcome]:
    """What the page says about each file: attached (now or by an earlier save), or why not."""
    said: dict[str, FileOutcome] = {}
    for file in files:
        got = fetched.get(file.id)
        if file.attachment_name in already or isinstance(got, bytes):
            said[file.id] = FileOutcome(file.name, file.attachment_name, file.is_image)
        else:
            said[file.id] = FileOutcome(file.name, error=str(got or "not downloaded"))
    return said
