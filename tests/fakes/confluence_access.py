"""Who may see what on the fake site: space view permission and page view restrictions.

Confluence answers every read with the caller's permissions: lists and CQL search leave out what the
caller cannot see, and a single item they cannot see is a 404 (the v2 OpenAPI: "Returned if the
calling user does not have permission to view the requested page or the page was not found").
Two mechanisms are modelled:
  * a space's view permission: open to every account unless restricted to some, minus accounts whose
    access was revoked (``restrict_space``, ``revoke_space_access``, ``grant_space_access``);
  * view restrictions on a page or blog post, inherited by its descendants and by everything hanging
    off it (comments, attachments, tasks) (``restrict_content``).
A deleted space takes all its content with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Access:
    space_viewers: dict[str, set[str]] = field(default_factory=dict)  # space id -> only these
    space_revoked: dict[str, set[str]] = field(default_factory=dict)  # space id -> not these
    content_viewers: dict[str, set[str]] = field(default_factory=dict)  # content id -> only these

    def restrict_space(self, space_id: str, accounts: Iterable[str]) -> None:
        self.space_viewers[space_id] = set(accounts)

    def revoke(self, space_id: str, account: str) -> None:
        self.space_revoked.setdefault(space_id, set()).add(account)

    def grant(self, space_id: str, account: str) -> None:
        self.space_revoked.get(space_id, set()).discard(account)
        viewers = self.space_viewers.get(space_id)
        if viewers is not None:
            viewers.add(account)

    def restrict_content(self, content_id: str, accounts: Iterable[str] | None) -> None:
        if accounts is None:
            self.content_viewers.pop(content_id, None)
        else:
            self.content_viewers[content_id] = set(accounts)

    def space_visible(self, space_id: str, account: str) -> bool:
        viewers = self.space_viewers.get(space_id)
        if viewers is not None and account not in viewers:
            return False
        return account not in self.space_revoked.get(space_id, set())

    def chain_visible(self, chain: Iterable[str], account: str) -> bool:
        """Whether no content in ``chain`` (an item, its container, their ancestors) shuts ``account`` out."""
        for content_id in chain:
            viewers = self.content_viewers.get(content_id)
            if viewers is not None and account not in viewers:
                return False
        return True
