"""Typed views of Confluence and Maton JSON (see views.py): fields are read, converted and checked
when asked for; fields no model names stay readable through `.json`, and are never refused."""

from __future__ import annotations

from bot.confluence.views import (
    View,
    anything,
    date_time,
    integer,
    nested,
    nested_or_empty,
    object_or_empty,
    optional_flag,
    optional_integer,
    optional_text,
    strings,
    text,
    text_or,
)

# Every model declares `__slots__ = ()`: a view is one small object whatever it names.


class Links(View):
    """`_links`. `base` is the answer's own, else the site's wiki base its owner was given."""

    __slots__ = ()
    webui = optional_text()
    editui = optional_text()
    tinyui = optional_text()
    download = optional_text()
    next = optional_text()

    @property
    def base(self) -> str | None:
        own = self._json.get("base")
        return own if isinstance(own, str) and own else self._base


class LinkedModel(View):
    """Anything with `_links.webui`. `web_url` is absolute: Slack shows it, so relative is a bug."""

    __slots__ = ()
    links = nested_or_empty(Links, key="_links")

    def with_base(self, base: str | None) -> None:
        """Remember the site's wiki base (https://SITE.atlassian.net/wiki) for the links that
        lack their own, unless the object had one."""
        if base and not self._base:
            self._base = base.rstrip("/")

    @property
    def web_url(self) -> str:
        links = self.links
        webui = links.webui
        if webui is None:
            raise ValueError(f"{type(self).__name__} has no webui link")
        if webui.startswith(("https://", "http://")):
            return webui
        if not links.base:
            raise ValueError(f"{type(self).__name__} has no site base for its webui link")
        return absolute_url(links.base, webui)


def absolute_url(wiki_base: str, webui: str) -> str:
    """`_links.base` (…/wiki) + relative webui. Tolerates a webui that already starts with /wiki."""
    base = wiki_base.rstrip("/")
    if base.endswith("/wiki") and webui.startswith("/wiki/"):
        base = base[: -len("/wiki")]
    return base + (webui if webui.startswith("/") else "/" + webui)


class Version(View):
    __slots__ = ()
    number = integer()
    message = optional_text()
    created_at = date_time()
    author_id = optional_text()
    minor_edit = optional_flag()


class BodyValue(View):
    __slots__ = ()
    value = text_or("")
    representation = optional_text()


class Body(View):
    __slots__ = ()
    storage = nested(BodyValue)
    atlas_doc_format = nested(BodyValue, key="atlas_doc_format")
    view = nested(BodyValue)


class Page(LinkedModel):
    __slots__ = ()
    id = text()
    status = optional_text()
    title = text_or("")
    space_id = optional_text()
    parent_id = optional_text()
    parent_type = optional_text()
    author_id = optional_text()
    owner_id = optional_text()
    created_at = date_time()
    version = nested(Version)
    body = nested(Body)

    @property
    def storage(self) -> str | None:
        return storage_value(self.body)


def storage_value(body: Body | None) -> str | None:
    storage = body.storage if body is not None else None
    return storage.value if storage is not None else None


class BlogPost(Page):
    __slots__ = ()


class ChildPage(LinkedModel):
    __slots__ = ()
    id = text()
    status = optional_text()
    title = text_or("")
    space_id = optional_text()
    child_position = optional_integer()


class SpaceDescription(View):
    __slots__ = ()
    plain = nested(BodyValue)
    view = nested(BodyValue)


class Space(LinkedModel):
    __slots__ = ()
    id = text()
    key = text()
    name = text_or("")
    type = optional_text()
    status = optional_text()
    author_id = optional_text()
    created_at = date_time()
    homepage_id = optional_text()
    description = nested(SpaceDescription)

    @property
    def blog_url(self) -> str:
        """Absolute URL of the space's blog."""
        base = self.links.base
        if not base:
            raise ValueError("Space has no site base")
        return absolute_url(base, f"/spaces/{self.key}/blog")


class Principal(View):
    __slots__ = ()
    type = text()
    id = optional_text()


class Operation(View):
    __slots__ = ()
    key = text()
    target_type = optional_text()


class SpacePermission(View):
    __slots__ = ()
    id = text()
    principal = nested(Principal)
    operation = nested(Operation)


class Label(View):
    __slots__ = ()
    id = text()
    name = text()
    prefix = optional_text()


class ContentProperty(View):
    __slots__ = ()
    id = text()
    key = text()
    value = anything()
    version = nested(Version)


class FooterComment(LinkedModel):
    __slots__ = ()
    id = text()
    status = optional_text()
    title = optional_text()
    page_id = optional_text()
    blog_post_id = optional_text(also=("blogpostId",))
    parent_comment_id = optional_text()
    version = nested(Version)
    body = nested(Body)


class InlineCommentProperties(View):
    __slots__ = ()
    inline_marker_ref = optional_text()
    inline_original_selection = optional_text()  # the highlighted text the comment hangs on


class InlineComment(FooterComment):
    __slots__ = ()
    resolution_status = optional_text()
    resolution_last_modifier_id = optional_text()
    resolution_last_modified_at = date_time()
    properties = nested(InlineCommentProperties)

    @property
    def selection(self) -> str | None:
        """The page text this comment highlights (None when Confluence does not say)."""
        properties = self.properties
        return properties.inline_original_selection if properties else None


class Attachment(LinkedModel):
    __slots__ = ()
    id = text()
    status = optional_text()
    title = text_or("")
    media_type = optional_text()
    file_size = optional_integer()
    file_id = optional_text()
    page_id = optional_text()
    blog_post_id = optional_text()
    comment = optional_text()
    download_link = optional_text()
    version = nested(Version)


class UploadedAttachment(LinkedModel):
    """v1 upload result (`POST /wiki/rest/api/content/{id}/child/attachment`)."""

    __slots__ = ()
    id = text()
    type = optional_text()
    status = optional_text()
    title = text_or("")
    extensions = object_or_empty()


class Task(View):
    __slots__ = ()
    id = text()
    local_id = optional_text()
    space_id = optional_text()
    page_id = optional_text()
    blog_post_id = optional_text()
    status = optional_text()
    body = nested(Body)
    created_by = optional_text()
    assigned_to = optional_text()
    completed_by = optional_text()
    created_at = date_time()
    updated_at = date_time()
    due_at = date_time()
    completed_at = date_time()


class CustomContent(LinkedModel):
    __slots__ = ()
    id = text()
    type = optional_text()
    status = optional_text()
    title = text_or("")
    space_id = optional_text()
    page_id = optional_text()
    blog_post_id = optional_text()
    version = nested(Version)
    body = nested(Body)


class User(View):
    __slots__ = ()
    account_id = text()
    account_type = optional_text()
    account_status = optional_text()
    display_name = optional_text()
    public_name = optional_text()
    email = optional_text()
    type = optional_text()
    time_zone = optional_text()  # IANA name; None when the user's privacy settings hide it

    @property
    def name(self) -> str:
        return self.display_name or self.public_name or self.account_id


class SystemInfo(View):
    """v1 ``settings/systemInfo``: the site's defaults (CQL reads dates in ``default_time_zone``
    for users whose own time zone is unset)."""

    __slots__ = ()
    cloud_id = text()
    commit_hash = optional_text()
    base_url = optional_text()
    edition = optional_text()
    site_title = optional_text()
    default_locale = optional_text()
    default_time_zone = optional_text()


class AccessibleResource(View):
    __slots__ = ()
    id = text()
    name = optional_text()
    url = optional_text()
    scopes = strings()


class MatonConnection(View):
    """Maton's connection API speaks snake_case."""

    __slots__ = ()
    connection_id = text(key="connection_id", also=("connectionId", "id"))
    status = optional_text()
    app = optional_text()
    url = optional_text()
    creation_time = date_time(key="creation_time")
    last_updated_time = date_time(key="last_updated_time")
    metadata = object_or_empty()

    @property
    def active(self) -> bool:
        return (self.status or "").upper() == "ACTIVE"
