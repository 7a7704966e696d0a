"""Typed views of Confluence and Maton JSON. Unknown fields are kept (extra="allow"), never refused.

Size note: a flat catalogue of small declarative models, one per response shape, read one at a
time; splitting it by resource would only scatter the shared bases (Model, LinkedModel)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Model(BaseModel):
    model_config = ConfigDict(
        extra="allow", populate_by_name=True, alias_generator=to_camel, frozen=False
    )


class Links(Model):
    webui: str | None = None
    editui: str | None = None
    tinyui: str | None = None
    download: str | None = None
    base: str | None = None
    next: str | None = None


class LinkedModel(Model):
    """Anything with `_links.webui`. `web_url` is absolute: Slack shows it, so relative is a bug."""

    links: Links = Field(default_factory=Links, alias="_links")

    def with_base(self, base: str | None) -> None:
        """Remember the site's wiki base (https://SITE.atlassian.net/wiki) unless the object had one."""
        if base and not self.links.base:
            self.links.base = base.rstrip("/")

    @property
    def web_url(self) -> str:
        webui = self.links.webui
        if webui is None:
            raise ValueError(f"{type(self).__name__} has no webui link")
        if webui.startswith(("https://", "http://")):
            return webui
        if not self.links.base:
            raise ValueError(f"{type(self).__name__} has no site base for its webui link")
        return absolute_url(self.links.base, webui)


def absolute_url(wiki_base: str, webui: str) -> str:
    """`_links.base` (…/wiki) + relative webui. Tolerates a webui that already starts with /wiki."""
    base = wiki_base.rstrip("/")
    if base.endswith("/wiki") and webui.startswith("/wiki/"):
        base = base[: -len("/wiki")]
    return base + (webui if webui.startswith("/") else "/" + webui)


class Version(Model):
    number: int
    message: str | None = None
    created_at: datetime | None = None
    author_id: str | None = None
    minor_edit: bool | None = None


class BodyValue(Model):
    value: str = ""
    representation: str | None = None


class Body(Model):
    storage: BodyValue | None = None
    atlas_doc_format: BodyValue | None = None
    view: BodyValue | None = None


class Page(LinkedModel):
    id: str
    status: str | None = None
    title: str = ""
    space_id: str | None = None
    parent_id: str | None = None
    parent_type: str | None = None
    author_id: str | None = None
    owner_id: str | None = None
    created_at: datetime | None = None
    version: Version | None = None
    body: Body | None = None

    @property
    def storage(self) -> str | None:
        return self.body.storage.value if self.body and self.body.storage else None


class BlogPost(Page):
    pass


class ChildPage(LinkedModel):
    id: str
    status: str | None = None
    title: str = ""
    space_id: str | None = None
    child_position: int | None = None


class SpaceDescription(Model):
    plain: BodyValue | None = None
    view: BodyValue | None = None


class Space(LinkedModel):
    id: str
    key: str
    name: str = ""
    type: str | None = None
    status: str | None = None
    author_id: str | None = None
    created_at: datetime | None = None
    homepage_id: str | None = None
    description: SpaceDescription | None = None

    @property
    def blog_url(self) -> str:
        """Absolute URL of the space's blog."""
        base = self.links.base
        if not base:
            raise ValueError("Space has no site base")
        return absolute_url(base, f"/spaces/{self.key}/blog")


class Principal(Model):
    type: str
    id: str | None = None


class Operation(Model):
    key: str
    target_type: str | None = None


class SpacePermission(Model):
    id: str
    principal: Principal | None = None
    operation: Operation | None = None


class Label(Model):
    id: str
    name: str
    prefix: str | None = None


class ContentProperty(Model):
    id: str
    key: str
    value: Any = None
    version: Version | None = None


class FooterComment(LinkedModel):
    id: str
    status: str | None = None
    title: str | None = None
    page_id: str | None = None
    blog_post_id: str | None = Field(
        default=None, validation_alias=AliasChoices("blogPostId", "blogpostId", "blog_post_id")
    )
    parent_comment_id: str | None = None
    version: Version | None = None
    body: Body | None = None


class InlineCommentProperties(Model):
    inline_marker_ref: str | None = None
    inline_original_selection: str | None = None  # the highlighted text the comment hangs on


class InlineComment(FooterComment):
    resolution_status: str | None = None
    resolution_last_modifier_id: str | None = None
    resolution_last_modified_at: datetime | None = None
    properties: InlineCommentProperties | None = None

    @property
    def selection(self) -> str | None:
        """The page text this comment highlights (None when Confluence does not say)."""
        return self.properties.inline_original_selection if self.properties else None


class Attachment(LinkedModel):
    id: str
    status: str | None = None
    title: str = ""
    media_type: str | None = None
    file_size: int | None = None
    file_id: str | None = None
    page_id: str | None = None
    blog_post_id: str | None = None
    comment: str | None = None
    download_link: str | None = None
    version: Version | None = None


class UploadedAttachment(LinkedModel):
    """v1 upload result (`POST /wiki/rest/api/content/{id}/child/attachment`)."""

    id: str
    type: str | None = None
    status: str | None = None
    title: str = ""
    extensions: dict[str, Any] = Field(default_factory=dict)


class Task(Model):
    id: str
    local_id: str | None = None
    space_id: str | None = None
    page_id: str | None = None
    blog_post_id: str | None = None
    status: str | None = None
    body: Body | None = None
    created_by: str | None = None
    assigned_to: str | None = None
    completed_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    due_at: datetime | None = None
    completed_at: datetime | None = None


class CustomContent(LinkedModel):
    id: str
    type: str | None = None
    status: str | None = None
    title: str = ""
    space_id: str | None = None
    page_id: str | None = None
    blog_post_id: str | None = None
    version: Version | None = None
    body: Body | None = None


class User(Model):
    account_id: str
    account_type: str | None = None
    account_status: str | None = None
    display_name: str | None = None
    public_name: str | None = None
    email: str | None = None
    type: str | None = None
    time_zone: str | None = None  # IANA name; None when the user's privacy settings hide it

    @property
    def name(self) -> str:
        return self.display_name or self.public_name or self.account_id


class ContentUser(Model):
    """A v1 ``User`` (in versions and history)."""

    account_id: str | None = None
    type: str | None = None
    display_name: str | None = None
    public_name: str | None = None

    @property
    def name(self) -> str:
        return self.display_name or self.public_name or self.account_id or "Unknown user"


class ContentVersion(Model):
    """A v1 ``Version`` (search ``expand=content.version``)."""

    number: int
    minor_edit: bool = False
    message: str | None = None
    when: datetime | None = None
    by: ContentUser | None = None


class ContentHistory(Model):
    """A v1 ``ContentHistory`` (search ``expand=content.history[.lastUpdated]``)."""

    latest: bool | None = None
    created_by: ContentUser | None = None
    created_date: datetime | None = None
    last_updated: ContentVersion | None = None


class ContentSpace(Model):
    """A v1 ``Space`` summary (search ``expand=content.space``)."""

    id: int | None = None
    key: str
    name: str | None = None
    type: str | None = None
    status: str | None = None


class SearchContent(LinkedModel):
    """The ``content`` of a v1 search hit; the optional parts arrive when ``expand`` asks for them
    (``content.version``, ``content.history``, ``content.ancestors``, ``content.container``,
    ``content.space``, ``content.body.storage``, ``content.metadata.labels``, ``content.extensions``)."""

    id: str | None = None
    type: str | None = None
    status: str | None = None
    title: str | None = None
    version: ContentVersion | None = None
    history: ContentHistory | None = None
    ancestors: list[SearchContent] | None = None
    # A page's or blog post's space, a comment's page or blog post (v1 ``Container``).
    container: dict[str, Any] | None = None
    space: ContentSpace | None = None
    body: Body | None = None
    metadata: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None

    @property
    def storage(self) -> str | None:
        return self.body.storage.value if self.body and self.body.storage else None

    @property
    def label_names(self) -> list[str]:
        labels = (self.metadata or {}).get("labels")
        results = labels.get("results") if isinstance(labels, dict) else None
        return [str(x["name"]) for x in results or [] if isinstance(x, dict) and "name" in x]


class Container(Model):
    title: str | None = None
    display_url: str | None = None


class SearchResult(LinkedModel):
    """A v1 CQL search hit. `excerpt` and `title` may carry @@@hl@@@ markers; see bot.confluence.cql."""

    content: SearchContent | None = None
    space: dict[str, Any] | None = None
    title: str = ""
    excerpt: str = ""
    url: str | None = None
    result_global_container: Container | None = None
    last_modified: datetime | None = None
    friendly_last_modified: str | None = None
    entity_type: str | None = None

    def with_base(self, base: str | None) -> None:
        super().with_base(base)
        if self.content is not None:
            self.content.with_base(base)

    @property
    def content_type(self) -> str | None:
        return self.content.type if self.content else None

    @property
    def space_name(self) -> str | None:
        return self.result_global_container.title if self.result_global_container else None

    @property
    def web_url(self) -> str:
        if self.content is not None and self.content.links.webui:
            return self.content.web_url
        if self.url and self.links.base:
            return absolute_url(self.links.base, self.url)
        raise ValueError("search result has no link")


class SystemInfo(Model):
    """v1 ``settings/systemInfo``: the site's defaults (CQL reads dates in ``default_time_zone``
    for users whose own time zone is unset)."""

    cloud_id: str
    commit_hash: str | None = None
    base_url: str | None = None
    edition: str | None = None
    site_title: str | None = None
    default_locale: str | None = None
    default_time_zone: str | None = None


class AccessibleResource(Model):
    id: str
    name: str | None = None
    url: str | None = None
    scopes: list[str] = Field(default_factory=list)


class MatonConnection(Model):
    connection_id: str = Field(validation_alias=AliasChoices("connection_id", "connectionId", "id"))
    status: str | None = None
    app: str | None = None
    url: str | None = None
    creation_time: datetime | None = None
    last_updated_time: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def active(self) -> bool:
        return (self.status or "").upper() == "ACTIVE"
