"""Typed views of v1 CQL search hits (`GET /wiki/rest/api/search`) and the v1 content they carry."""

from __future__ import annotations

from bot.confluence.models import Body, LinkedModel, absolute_url, storage_value
from bot.confluence.views import (
    View,
    date_time,
    flag_or,
    integer,
    nested,
    nested_list,
    optional_flag,
    optional_integer,
    optional_object,
    optional_text,
    text,
    text_or,
)


class ContentUser(View):
    """A v1 ``User`` (in versions and history)."""

    __slots__ = ()
    account_id = optional_text()
    type = optional_text()
    display_name = optional_text()
    public_name = optional_text()

    @property
    def name(self) -> str:
        return self.display_name or self.public_name or self.account_id or "Unknown user"


class ContentVersion(View):
    """A v1 ``Version`` (search ``expand=content.version``)."""

    __slots__ = ()
    number = integer()
    minor_edit = flag_or(False)
    message = optional_text()
    when = date_time()
    by = nested(ContentUser)


class ContentHistory(View):
    """A v1 ``ContentHistory`` (search ``expand=content.history[.lastUpdated]``)."""

    __slots__ = ()
    latest = optional_flag()
    created_by = nested(ContentUser)
    created_date = date_time()
    last_updated = nested(ContentVersion)


class ContentSpace(View):
    """A v1 ``Space`` summary (search ``expand=content.space``)."""

    __slots__ = ()
    id = optional_integer()
    key = text()
    name = optional_text()
    type = optional_text()
    status = optional_text()


class SearchContent(LinkedModel):
    """The ``content`` of a v1 search hit; the optional parts arrive when ``expand`` asks for them
    (``content.version``, ``content.history``, ``content.ancestors``, ``content.container``,
    ``content.space``, ``content.body.storage``, ``content.metadata.labels``, ``content.extensions``)."""

    __slots__ = ()
    id = optional_text()
    type = optional_text()
    status = optional_text()
    title = optional_text()
    version = nested(ContentVersion)
    history = nested(ContentHistory)
    ancestors = nested_list(lambda: SearchContent)
    # A page's or blog post's space, a comment's page or blog post (v1 ``Container``).
    container = optional_object()
    space = nested(ContentSpace)
    body = nested(Body)
    metadata = optional_object()
    extensions = optional_object()

    @property
    def storage(self) -> str | None:
        return storage_value(self.body)

    @property
    def label_names(self) -> list[str]:
        labels = (self.metadata or {}).get("labels")
        results = labels.get("results") if isinstance(labels, dict) else None
        return [str(x["name"]) for x in results or [] if isinstance(x, dict) and "name" in x]


class Container(View):
    __slots__ = ()
    title = optional_text()
    display_url = optional_text()


class SearchResult(LinkedModel):
    """A v1 CQL search hit. `excerpt` and `title` may carry @@@hl@@@ markers; see bot.confluence.cql."""

    __slots__ = ()
    content = nested(SearchContent)
    space = optional_object()
    title = text_or("")
    excerpt = text_or("")
    url = optional_text()
    result_global_container = nested(Container)
    last_modified = date_time()
    friendly_last_modified = optional_text()
    entity_type = optional_text()

    @property
    def content_type(self) -> str | None:
        content = self.content
        return content.type if content else None

    @property
    def space_name(self) -> str | None:
        container = self.result_global_container
        return container.title if container else None

    @property
    def web_url(self) -> str:
        content = self.content
        if content is not None and content.links.webui:
            return content.web_url
        links = self.links
        if self.url and links.base:
            return absolute_url(links.base, self.url)
        raise ValueError("search result has no link")
