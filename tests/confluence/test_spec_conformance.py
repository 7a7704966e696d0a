"""Every request the client can make agrees with Atlassian's OpenAPI documents, and the fake refuses
what they refuse.

The per-test check runs in conftest (`_conforms_to_openapi`) after every test that used the fake. Here
a tour calls every public method of the client once (a test fails when a method is added without a
tour stop), and for each request it made:
  * the request meets every rule of its documented operation (tests.confluence.openapi), and the
    values the method's `Literal` parameters allow are values the operation allows;
  * for each required field or enumerated value the request uses, the same request with that rule
    broken is refused by the fake with 400 and the error shape of the API called.
Skipped, saying so, when ../shared/specs (or SHARED_DIR) is absent.
"""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import httpx
import pytest

from bot.confluence import ConfluenceClient
from bot.confluence.resources.base import Resource
from bot.confluence.resources.properties import PropertiesAPI
from tests import shared_specs
from tests.confluence import openapi, refusals
from tests.confluence.conftest import FakeClock, gateway_client, spec_mismatches
from tests.fakes.confluence_fake import FakeConfluence, RecordedRequest

pytestmark = pytest.mark.skipif(
    not openapi.available(),
    reason=shared_specs.missing("the Confluence OpenAPI documents", openapi.SPECS),
)

After = Callable[[str, list[RecordedRequest]], Awaitable[None]]


def test_spec_check_catches_unknown_paths(fake: FakeConfluence) -> None:
    fake.requests.append(_request("GET", "/wiki/api/v2/not-a-thing"))
    fake.requests.append(_request("PATCH", "/wiki/api/v2/pages/1"))
    assert spec_mismatches(fake) == ["GET /wiki/api/v2/not-a-thing", "PATCH /wiki/api/v2/pages/1"]
    fake.requests.clear()


def test_spec_check_catches_missing_fields_and_values_it_does_not_allow(
    fake: FakeConfluence,
) -> None:
    upload = httpx.Request(
        "PUT", "http://x/wiki/rest/api/content/1/child/attachment", files={"file": b"data"}
    )
    fake.requests += [
        _request("GET", "/wiki/rest/api/search", query={"limit": ["5"]}),
        _request("POST", "/wiki/api/v2/pages", json={"title": "t", "status": "published"}),
        _request("GET", "/wiki/api/v2/pages", query={"status": ["current,gone"], "limt": ["5"]}),
        _request("GET", "/wiki/api/v2/spaces/1/pages", query={"space-id": ["ENG"]}),
        _request("GET", "/wiki/api/v2/blogposts", query={"id": ["1,x"], "limit": ["500"]}),
        _request("GET", "/wiki/api/v2/pages/1", query={"body-format": ["html"]}),
        _request("PUT", "/wiki/api/v2/pages/1", json={"id": "1", "version": {"number": 2}}),
        _request(
            "PUT",
            upload.url.path,
            headers={"content-type": upload.headers["content-type"]},
            body=upload.read(),
        ),
    ]
    assert spec_mismatches(fake) == [
        "GET /wiki/rest/api/search: query cql is required",
        "POST /wiki/api/v2/pages: json spaceId is required",
        "POST /wiki/api/v2/pages: json status must be one of current, draft",
        "GET /wiki/api/v2/pages: query limt is not a parameter of GET /wiki/api/v2/pages",
        "GET /wiki/api/v2/pages: query status must be one of current, archived, deleted, trashed",
        "GET /wiki/api/v2/spaces/1/pages: query space-id is not a parameter of "
        "GET /wiki/api/v2/spaces/{id}/pages",
        "GET /wiki/api/v2/blogposts: query id must be an integer",
        "GET /wiki/api/v2/blogposts: query limit must be an integer >= 1 <= 250",
        "GET /wiki/api/v2/pages/1: query body-format must be one of storage, atlas_doc_format, "
        "view, export_view, anonymous_export_view, styled_view, editor",
        "PUT /wiki/api/v2/pages/1: json status is required",
        "PUT /wiki/api/v2/pages/1: json title is required",
        "PUT /wiki/api/v2/pages/1: json body is required",
        "PUT /wiki/rest/api/content/1/child/attachment: form minorEdit is required",
    ]
    fake.requests.clear()


def test_answer_check_catches_undeclared_fields() -> None:
    comments = "/wiki/api/v2/pages/1/footer-comments"
    listed = {"results": [{"id": "2", "pageId": "1", "parentCommentId": None}], "_links": {}}
    assert openapi.undeclared("GET", comments, 200, listed) == [
        "results[0].parentCommentId is not declared"
    ]
    version = {"results": [{"number": 2, "page": {"id": "1", "author": "x"}}]}
    assert openapi.undeclared("GET", "/wiki/api/v2/pages/1/versions", 200, version) == [
        "results[0].page.author is not declared"
    ]
    hit = {"results": [{"content": {"id": "1", "_links": {"anything": "goes"}}, "bogus": 1}]}
    assert openapi.undeclared("GET", "/wiki/rest/api/search", 200, hit) == [
        "results[0].bogus is not declared"
    ]
    assert openapi.undeclared("GET", "/wiki/api/v2/nothing", 200, {}) == [openapi.NO_OPERATION]


async def test_every_client_request_meets_the_spec(fake: FakeConfluence, clock: FakeClock) -> None:
    problems: list[str] = []
    fake.record_answers = True

    async def check(name: str, requests: list[RecordedRequest]) -> None:
        wiki = [r for r in requests if _is_confluence(r)]
        for req in wiki:
            problems.extend(f"{name}: {req.method} {req.path}: {p}" for p in openapi.problems(req))
            # The fake's answers carry only fields the documented response schema declares.
            if req.answer and req.status is not None and req.status < 400:
                answer = json.loads(req.answer)
                found = openapi.undeclared(req.method, req.path, req.status, answer)
                problems.extend(f"{name}: {req.method} {req.path} answered: {p}" for p in found)
        problems.extend(f"{name}: {p}" for p in _literal_problems(name, wiki))

    toured = await _tour(fake, clock, check)
    assert not problems, "\n".join(problems)
    missing = _client_methods() - toured
    assert not missing, f"add these client methods to the tour: {sorted(missing)}"


async def test_the_fake_refuses_what_the_spec_refuses(
    fake: FakeConfluence, clock: FakeClock
) -> None:
    accepted: list[str] = []
    tried = 0

    async def break_each_rule(name: str, requests: list[RecordedRequest]) -> None:
        nonlocal tried
        async with httpx.AsyncClient(transport=fake.transport()) as http:
            sent, refused_not = await refusals.break_each_rule(http, requests, name=name)
        tried += sent
        accepted.extend(refused_not)

    await _tour(fake, clock, break_each_rule)
    fake.requests.clear()  # the broken ones break the spec on purpose
    assert not accepted, "\n".join(accepted)
    assert tried >= 60, tried  # 63 today: required fields and enumerated values the client uses


# -- the tour -------------------------------------------------------------------------------------
async def _tour(fake: FakeConfluence, clock: FakeClock, after: After) -> set[str]:
    """Call every public client method once (properties on each owner); return their names."""
    fake.add_user("u-alice", "Alice Doe", "alice@example.com")
    eng = fake.add_space("ENG", "Engineering")
    fake.add_connection("c-shared", account_id="u-alice")
    done: set[str] = set()

    async with gateway_client(fake, clock) as c:

        async def stop(name: str, call: Awaitable[Any]) -> Any:
            start = len(fake.requests)
            result = await call
            await after(name, fake.requests[start:])
            done.add(name)
            return result

        space_id = eng["id"]
        page = await stop(
            "pages.create", c.pages.create(space_id=space_id, title="Runbook", body="<p>r</p>")
        )
        child = await c.pages.create(
            space_id=space_id, title="Deploys", body="<p>d</p>", parent_id=page.id
        )
        blog = await stop(
            "blogposts.create",
            c.blogposts.create(space_id=space_id, title="Release", body="<p>b</p>"),
        )
        fake.add_label(page.id, "howto")
        fake.add_label(blog.id, "news")
        fake.add_label(space_id, "team")
        task = fake.add_task(page.id, "<p>do it</p>")
        inline = fake.add_inline_comment(page.id, "<p>inline</p>")
        fake.add_inline_comment(body="<p>a reply</p>", parent_comment_id=inline["id"])
        fake.add_custom_content("ac:app:thing", "Custom", "ENG")

        pages, blogs, spaces = c.pages, c.blogposts, c.spaces
        for name, call in [
            (
                "pages.list",
                pages.list(
                    space_id=space_id,
                    title="Runbook",
                    status=["current", "archived"],
                    body_format="storage",
                    sort="-modified-date",
                    limit=5,
                ).page(),
            ),
            ("pages.get", pages.get(page.id, body_format="view")),
            ("pages.update", pages.update(page.id, title="Runbook", body="<p>2</p>", version=2)),
            ("pages.update_body", pages.update_body(page.id, "<p>3</p>", message="again")),
            ("pages.children", pages.children(page.id, limit=5).page()),
            ("pages.labels", pages.labels(page.id, limit=5).page()),
            ("pages.versions", pages.versions(page.id, limit=5).page()),
            ("pages.attachments", pages.attachments(page.id, limit=5).page()),
            (
                "pages.footer_comments",
                pages.footer_comments(page.id, body_format="storage", limit=5).page(),
            ),
            (
                "pages.inline_comments",
                pages.inline_comments(page.id, body_format="storage", limit=5).page(),
            ),
            (
                "blogposts.list",
                blogs.list(
                    space_id=space_id,
                    title="Release",
                    status="current",
                    body_format="storage",
                    sort="-created-date",
                    limit=5,
                ).page(),
            ),
            ("blogposts.get", blogs.get(blog.id, body_format="storage")),
            (
                "blogposts.update",
                blogs.update(blog.id, title="Release", body="<p>2</p>", version=2),
            ),
            ("blogposts.update_body", blogs.update_body(blog.id, "<p>3</p>")),
            ("blogposts.labels", blogs.labels(blog.id, limit=5).page()),
            ("blogposts.versions", blogs.versions(blog.id, limit=5).page()),
            (
                "blogposts.footer_comments",
                blogs.footer_comments(blog.id, body_format="storage", limit=5).page(),
            ),
            (
                "spaces.list",
                spaces.list(
                    keys=["ENG"], ids=[space_id], type="global", status="current", limit=5
                ).page(),
            ),
            ("spaces.get", spaces.get(space_id)),
            ("spaces.by_keys", spaces.by_keys(["ENG", "OPS"])),
            (
                "pages.in_space",
                pages.in_space(
                    space_id, status="current", body_format="storage", sort="title", limit=5
                ).page(),
            ),
            (
                "blogposts.in_space",
                blogs.in_space(
                    space_id, status="current", body_format="storage", sort="id", limit=5
                ).page(),
            ),
            ("spaces.permissions", spaces.permissions(space_id, limit=5).page()),
            ("spaces.labels", spaces.labels(space_id, limit=5).page()),
            (
                "tasks.list",
                c.tasks.list(
                    status="incomplete",
                    space_id=space_id,
                    page_id=page.id,
                    blogpost_id=blog.id,
                    assigned_to="u-alice",
                    created_by="u-alice",
                    due_at_from=datetime(2024, 1, 1, tzinfo=UTC),
                    due_at_to=datetime(2030, 1, 1, tzinfo=UTC),
                    created_at_from=datetime(2024, 1, 1, tzinfo=UTC),
                    created_at_to=datetime(2030, 1, 1, tzinfo=UTC),
                    include_blank_tasks=False,
                    body_format="storage",
                    limit=5,
                ).page(),
            ),
            ("tasks.get", c.tasks.get(task["id"], body_format="storage")),
            ("tasks.update", c.tasks.update(task["id"], "complete")),
            ("labels.list", c.labels.list(prefix="global", limit=5).page()),
            (
                "custom_content.list",
                c.custom_content.list(
                    "ac:app:thing", space_id=space_id, body_format="storage", limit=5
                ).page(),
            ),
            (
                "inline_comments.list",
                c.inline_comments.list(body_format="storage", sort="-created-date", limit=5).page(),
            ),
            ("inline_comments.get", c.inline_comments.get(inline["id"], body_format="view")),
            (
                "inline_comments.children",
                c.inline_comments.children(
                    inline["id"], body_format="storage", sort="created-date", limit=5
                ).page(),
            ),
            (
                "blogposts.inline_comments",
                blogs.inline_comments(blog.id, body_format="storage", limit=5).page(),
            ),
            ("users.current", c.users.current()),
            ("users.bulk", c.users.bulk(["u-alice", "u-nobody"])),
            ("settings.system_info", c.settings.system_info()),
            (
                "search.cql",
                c.search.cql(
                    'type = page AND text ~ "runbook"',
                    limit=5,
                    expand=["content.version", "content.history", "content.body.storage"],
                ).page(),
            ),
            ("search.page", c.search.page('title = "Runbook"', limit=5, expand=["content.space"])),
        ]:
            await stop(name, call)

        uploaded = await stop(
            "attachments.upload",
            c.attachments.upload(
                page.id, "a.txt", b"hello", media_type="text/plain", minor_edit=True
            ),
        )
        await stop("attachments.list", c.attachments.list(media_type="text/plain", limit=5).page())
        await stop("attachments.get", c.attachments.get(uploaded.id))

        comments = c.footer_comments
        comment = await stop("footer_comments.create", comments.create("<p>c</p>", page_id=page.id))
        await comments.create("<p>on a blog post</p>", blogpost_id=blog.id)
        await comments.create("<p>a reply</p>", parent_comment_id=comment.id)
        await stop(
            "footer_comments.list",
            comments.list(body_format="storage", sort="-created-date", limit=5).page(),
        )
        await stop("footer_comments.get", comments.get(comment.id, body_format="storage"))
        await stop("footer_comments.update", comments.update(comment.id, "<p>c2</p>", version=2))
        await stop(
            "footer_comments.children",
            comments.children(comment.id, body_format="storage", limit=5).page(),
        )
        await stop("footer_comments.delete", comments.delete(comment.id))

        for owner, props in [
            ("pages", pages.properties(page.id)),
            ("blogposts", blogs.properties(blog.id)),
            ("spaces", spaces.properties(space_id)),
        ]:
            prop = await stop(f"{owner}.properties.create", props.create("k", {"v": 1}))
            await stop(f"{owner}.properties.list", props.list(key="k", limit=5).page())
            await stop(f"{owner}.properties.get", props.get(prop.id))
            await stop(f"{owner}.properties.find", props.find("k"))
            await stop(f"{owner}.properties.update", props.update(prop.id, "k", 2, version=2))
            await stop(f"{owner}.properties.upsert", props.upsert("k", 3))
            await stop(f"{owner}.properties.delete", props.delete(prop.id))

        connection = await stop("connections.create", c.connections.create())
        await stop("connections.list", c.connections.list(status="PENDING"))
        await stop("connections.get", c.connections.get(connection.connection_id))
        await stop("connections.delete", c.connections.delete(connection.connection_id))

        await stop("pages.delete", pages.delete(child.id))
        await stop("blogposts.delete", blogs.delete(blog.id, purge=False))
    return done


def _client_methods() -> set[str]:
    """`group.method` for every public method of the client's resource groups; methods that hand
    out a PropertiesAPI expand to `group.properties.<method>`."""
    names: set[str] = set()
    for group, resource in vars(_bound()).items():
        if not isinstance(resource, Resource):
            continue
        for method, function in _public(type(resource)):
            if typing.get_type_hints(function).get("return") is PropertiesAPI:
                names |= {f"{group}.{method}.{m}" for m, _ in _public(PropertiesAPI)}
            else:
                names.add(f"{group}.{method}")
    return names


def _public(cls: type) -> Iterator[tuple[str, Any]]:
    for name, function in inspect.getmembers(cls, inspect.isfunction):
        if not name.startswith("_"):
            yield name, function


def _literal_problems(name: str, requests: list[RecordedRequest]) -> list[str]:
    """Values a method's Literal parameters allow that the operations it called do not."""
    group, *rest = name.split(".")
    cls: type = PropertiesAPI if len(rest) == 2 else type(getattr(_bound(), group))
    hints = typing.get_type_hints(getattr(cls, rest[-1]))
    bound = _type_arguments(cls)
    found: list[str] = []
    for param, hint in hints.items():
        allowed = _literal_values(hint, bound)
        if param == "return" or not allowed:
            continue
        query = param.replace("_", "-")
        for req in requests:
            op = openapi.operation_for(req.method, req.path)
            if op is None or query not in op.parameters:
                continue  # unknown operations are reported apart; or not a parameter of this call
            rules = [r for r in op.rule("query", query) if r.enum]
            documented = set(rules[0].enum) if rules else set()
            extra = sorted(allowed - documented)
            if extra:
                found.append(f"{param} allows {extra}, which {op} does not")
    return found


def _literal_values(hint: Any, bound: dict[Any, Any]) -> set[str]:
    """The values a parameter's Literal types allow, type variables read as the class binds them
    (pages and blog posts share methods typed by their own sort orders and statuses)."""
    hint = bound.get(hint, hint) if isinstance(hint, TypeVar) else hint
    if typing.get_origin(hint) is Literal:
        return {str(v) for v in typing.get_args(hint)}
    return {v for arg in typing.get_args(hint) for v in _literal_values(arg, bound)}


def _type_arguments(cls: type) -> dict[Any, Any]:
    """Type variable -> the type `cls` binds it to, through its generic bases."""
    bound: dict[Any, Any] = {}
    for klass in cls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            origin = typing.get_origin(base)
            params = getattr(origin, "__parameters__", ())
            bound.update(zip(params, typing.get_args(base), strict=False))
    return bound


def _bound() -> ConfluenceClient:
    """A client's resource groups without an HTTP core (enough to read their methods)."""
    client = object.__new__(ConfluenceClient)
    client._http = None  # type: ignore[assignment]
    client._bind(None)
    return client


# -- requests ----------------------------------------------------------------------------------------
def _request(
    method: str,
    path: str,
    *,
    query: dict[str, list[str]] | None = None,
    json: object = None,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> RecordedRequest:
    if json is not None:
        body = _json_bytes(json)
        headers = {"content-type": "application/json", **(headers or {})}
    return RecordedRequest(method, path, query or {}, headers or {}, body)


def _json_bytes(value: object) -> bytes:
    return json.dumps(value).encode()


def _is_confluence(req: RecordedRequest) -> bool:
    return openapi.GATEWAY_PREFIX.sub("", req.path).startswith("/wiki/")
