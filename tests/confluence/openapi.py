"""Atlassian's Confluence OpenAPI documents as checks on requests.

`operation_for(method, path)` finds the documented operation a request is for; its `rules` are what
the spec requires of a request: required query/header parameters, required JSON body fields (at any
depth, through `$ref` and `allOf`), required multipart fields, and the allowed values (`enum`),
integer type and bounds of parameters. `problems(request)` lists the rules a request breaks;
`violations(request)` gives, per rule the request uses, the request breaking exactly that rule (to
show a fake refuses it).

The documents are read from ../shared/specs (or SHARED_DIR); they are never copied into the repo.
`oneOf`/`anyOf` alternatives are not walked: which one a body means is not knowable statically
(Atlassian's body alternatives are not even mutually exclusive).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal
from urllib.parse import urlsplit

from tests.fakes.confluence_fake import RecordedRequest as Request
from tests.fakes.confluence_http import form_fields
from tests.shared_specs import SPECS as SHARED_SPECS

SPECS = SHARED_SPECS / "confluence"
V2_SPEC = SPECS / "confluence-cloud-rest-v2.openapi.json"
V1_SPEC = SPECS / "confluence-cloud-rest-v1.openapi.primelib-2024-02.json"
GATEWAY_PREFIX = re.compile(r"^/confluence/ex/confluence/[^/]+(?=/wiki/)")
BAD_VALUE = "not-a-documented-value"
NO_OPERATION = "no such operation in the OpenAPI documents"

Where = Literal["query", "header", "json", "form"]


@dataclass(frozen=True)
class Rule:
    where: Where
    path: tuple[str, ...]  # ("cql",) for a parameter; ("version", "number") in a JSON body
    required: bool = False
    enum: tuple[str, ...] = ()
    integer: bool = False
    minimum: float | None = None
    maximum: float | None = None
    many: bool = False  # an array parameter: repeated, or comma-separated

    def __str__(self) -> str:
        name = ".".join(self.path)
        if self.required:
            return f"{self.where} {name} is required"
        if self.enum:
            return f"{self.where} {name} must be one of {', '.join(self.enum)}"
        low = "" if self.minimum is None else f" >= {self.minimum:g}"
        high = "" if self.maximum is None else f" <= {self.maximum:g}"
        return f"{self.where} {name} must be an integer{low}{high}"


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # /wiki/api/v2/pages/{id}
    pattern: re.Pattern[str]
    rules: tuple[Rule, ...]
    parameters: frozenset[str]  # documented query parameter names
    body_required: bool

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    def rule(self, where: Where, name: str) -> list[Rule]:
        return [r for r in self.rules if r.where == where and r.path == (name,)]


def available() -> bool:
    return V1_SPEC.exists() and V2_SPEC.exists()


@cache
def operations() -> tuple[Operation, ...]:
    """Every documented operation, most specific path first (literal segments beat parameters)."""
    found: list[Operation] = []
    for file, prefix in ((V2_SPEC, "/wiki/api/v2"), (V1_SPEC, "")):
        spec = json.loads(file.read_text())
        for template, item in spec["paths"].items():
            for method, op in item.items():
                if method in {"get", "post", "put", "delete", "patch"}:
                    found.append(_operation(spec, prefix + template, method.upper(), op, item))
    found.sort(key=lambda o: o.template.count("{"))
    return tuple(found)


def operation_for(method: str, path: str) -> Operation | None:
    path = GATEWAY_PREFIX.sub("", urlsplit(path).path)
    for op in operations():
        if op.method == method and op.pattern.match(path):
            return op
    return None


# -- reading the documents ----------------------------------------------------------------------
def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def _operation(spec: dict[str, Any], template: str, method: str, op: Any, item: Any) -> Operation:
    rules: list[Rule] = []
    names: set[str] = set()
    for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
        param = _resolve(spec, raw)
        where = param["in"]
        if where not in ("query", "header"):
            continue
        name = param["name"].lower() if where == "header" else param["name"]
        if where == "query":
            names.add(name)
        schema = _resolve(spec, param.get("schema", {}))
        many = schema.get("type") == "array"
        value = _resolve(spec, schema.get("items", {})) if many else schema
        if param.get("required"):
            rules.append(Rule(where, (name,), required=True))
        if value.get("enum"):
            rules.append(Rule(where, (name,), enum=tuple(map(str, value["enum"])), many=many))
        if value.get("type") == "integer":
            low, high = value.get("minimum"), value.get("maximum")
            rules.append(Rule(where, (name,), integer=True, minimum=low, maximum=high, many=many))
    body = _resolve(spec, op.get("requestBody", {}))
    for content_type, media in (body.get("content") or {}).items():
        schema = media.get("schema", {})
        if content_type == "application/json":
            _walk(spec, schema, (), rules, ())
        elif content_type == "multipart/form-data":
            for name in _resolve(spec, schema).get("required", []):
                rules.append(Rule("form", (name,), required=True))
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
    return Operation(
        method,
        template,
        re.compile(f"^{pattern}/?$"),
        tuple(dict.fromkeys(rules)),
        frozenset(names),
        bool(body.get("required")),
    )


def _walk(
    spec: dict[str, Any],
    node: Any,
    at: tuple[str, ...],
    rules: list[Rule],
    refs: tuple[str, ...],
) -> None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    if ref in refs:
        return  # a recursive schema: its rules were already taken at the outer level
    schema = _resolve(spec, node)
    if not isinstance(schema, dict):
        return
    seen = (*refs, ref) if ref else refs
    for part in schema.get("allOf", []):
        _walk(spec, part, at, rules, seen)
    if schema.get("enum") and at:
        rules.append(Rule("json", at, enum=tuple(map(str, schema["enum"]))))
    for name in schema.get("required", []):
        rules.append(Rule("json", (*at, name), required=True))
    for name, sub in (schema.get("properties") or {}).items():
        _walk(spec, sub, (*at, name), rules, seen)


# -- checking requests ----------------------------------------------------------------------------
def mismatches(requests: Iterable[Request]) -> list[str]:
    """`METHOD /path: problem` for each Confluence request that is no documented operation, or
    breaks one of its rules (Maton's own API and attachment downloads are not Atlassian's REST)."""
    bad = []
    for req in requests:
        path = GATEWAY_PREFIX.sub("", urlsplit(req.path).path)
        if not path.startswith("/wiki/") or path.startswith("/wiki/download/"):
            continue
        for problem in problems(req):
            unknown = problem == NO_OPERATION
            bad.append(f"{req.method} {path}" + ("" if unknown else f": {problem}"))
    return bad


def problems(request: Request) -> list[str]:
    """What `request` does that its documented operation refuses (unknown operation included)."""
    op = operation_for(request.method, request.path)
    if op is None:
        return [NO_OPERATION]
    found = [
        f"query {name} is not a parameter of {op}"
        for name in request.query
        if name not in op.parameters
    ]
    if op.body_required and not request.body:
        found.append(f"{op} requires a body")
    body = _body(request)
    for rule in op.rules:
        if not _satisfied(rule, request, body):
            found.append(str(rule))
    return found


def _body(request: Request) -> Any:
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json") and request.body:
        return json.loads(request.body)
    if kind.startswith("multipart/form-data"):
        return set(form_fields(kind, request.body))
    return None


def _values(rule: Rule, request: Request) -> list[str] | None:
    """The request's values for a parameter rule (None: absent)."""
    name = rule.path[0]
    if rule.where == "header":
        value = request.headers.get(name)
        return None if value is None else [value]
    raw = request.query.get(name)
    if raw is None:
        return None
    if not rule.many:
        return list(raw)
    return [v for item in raw for v in item.split(",")]


def _satisfied(rule: Rule, request: Request, body: Any) -> bool:
    if rule.where == "form":
        return not rule.required or (isinstance(body, set) and rule.path[0] in body)
    if rule.where == "json":
        parent = _get(body, rule.path[:-1])
        if not isinstance(parent, dict):
            return True  # the enclosing object is absent: nothing to require of it
        if rule.required:
            return rule.path[-1] in parent
        value = parent.get(rule.path[-1])
        return value is None or str(value) in rule.enum
    values = _values(rule, request)
    if rule.required:
        return values is not None
    if values is None:
        return True
    if rule.enum:
        return all(v in rule.enum for v in values)
    return all(_integer_within(v, rule) for v in values)


def _integer_within(value: str, rule: Rule) -> bool:
    try:
        number = int(value)
    except ValueError:
        return False
    low_ok = rule.minimum is None or number >= rule.minimum
    return low_ok and (rule.maximum is None or number <= rule.maximum)


def _get(body: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


# -- breaking one rule ------------------------------------------------------------------------------
def violations(request: Request) -> Iterator[tuple[Rule, Request]]:
    """For each required field or enum the request uses, the request with that rule broken."""
    op = operation_for(request.method, request.path)
    if op is None:
        return
    body = _body(request)
    for rule in op.rules:
        broken = violate(request, rule, body)
        if broken is not None:
            yield rule, broken


def violate(request: Request, rule: Rule, body: Any) -> Request | None:
    """`request` breaking `rule`, or None when the request does not use what the rule is about."""
    if not (rule.required or rule.enum):
        return None
    name = rule.path[-1]
    if rule.where == "query":
        if name not in request.query:
            return None
        query = dict(request.query)
        if rule.required:
            del query[name]
        else:
            query[name] = [BAD_VALUE]
        return replace(request, query=query)
    if rule.where == "form":
        if not isinstance(body, set) or name not in body:
            return None
        kind = request.headers.get("content-type", "")
        return replace(request, body=_without_part(kind, request.body, name))
    if rule.where == "json":
        parent = _get(body, rule.path[:-1])
        if not isinstance(parent, dict) or name not in parent:
            return None
        changed = json.loads(json.dumps(body))
        target = _get(changed, rule.path[:-1])
        if rule.required:
            del target[name]
        else:
            target[name] = BAD_VALUE
        return replace(request, body=json.dumps(changed).encode())
    return None  # required headers: none of the operations the client uses has one


# -- multipart: dropping one field ------------------------------------------------------------------
_NAME = re.compile(rb'name="([^"]*)"')


def _boundary(content_type: str) -> bytes:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    return match.group(1).encode() if match else b""


def _segments(content_type: str, body: bytes) -> list[bytes]:
    boundary = _boundary(content_type)
    return body.split(b"--" + boundary) if boundary else []


def _without_part(content_type: str, body: bytes, name: str) -> bytes:
    boundary = b"--" + _boundary(content_type)
    kept = [
        s
        for s in _segments(content_type, body)
        if (m := _NAME.search(s.split(b"\r\n\r\n", 1)[0])) is None or m.group(1).decode() != name
    ]
    return boundary.join(kept)


# -- answers: only documented fields ----------------------------------------------------------------
@cache
def _spec(file: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((SPECS / file).read_text())
    return spec


def _raw(op: Operation) -> tuple[dict[str, Any], dict[str, Any]]:
    """The spec document and the operation object an Operation was read from."""
    if op.template.startswith("/wiki/api/v2"):
        spec, template = _spec(V2_SPEC.name), op.template.removeprefix("/wiki/api/v2")
    else:
        spec, template = _spec(V1_SPEC.name), op.template
    return spec, spec["paths"][template][op.method.lower()]


def undeclared(method: str, path: str, status: int, body: Any) -> list[str]:
    """Fields of a JSON answer its operation's documented response schema does not declare
    (`results[].parentCommentId`), walking objects through `$ref` and `allOf`; objects that allow
    additional properties, and `oneOf`/`anyOf` alternatives, are not checked."""
    op = operation_for(method, path)
    if op is None:
        return [NO_OPERATION]
    spec, raw = _raw(op)
    response = _resolve(spec, raw.get("responses", {}).get(str(status), {}))
    media = (response.get("content") or {}).get("application/json")
    if media is None:
        return [] if body is None else [f"{op} documents no JSON answer for {status}"]
    found: list[str] = []
    _check_fields(spec, [media.get("schema", {})], body, "", found, 0)
    return found


def _flatten(spec: dict[str, Any], schemas: list[Any], depth: int = 0) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for node in schemas:
        schema = _resolve(spec, node)
        if not isinstance(schema, dict) or depth > 20:
            continue
        out.append(schema)
        out.extend(_flatten(spec, schema.get("allOf", []), depth + 1))
    return out


def _check_fields(
    spec: dict[str, Any], schemas: list[Any], value: Any, at: str, found: list[str], depth: int
) -> None:
    flat = _flatten(spec, schemas)
    if not flat or depth > 12 or any("oneOf" in s or "anyOf" in s for s in flat):
        return
    if isinstance(value, list):
        items = [s["items"] for s in flat if "items" in s]
        for index, element in enumerate(value):
            _check_fields(spec, items, element, f"{at}[{index}]", found, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if any(s.get("additionalProperties") not in (None, False) for s in flat):
        return
    declared: dict[str, list[Any]] = {}
    for schema in flat:
        for name, sub in (schema.get("properties") or {}).items():
            declared.setdefault(name, []).append(sub)
    if not declared:
        return  # a free-form object
    for key, element in value.items():
        where = f"{at}.{key}" if at else key
        if key not in declared:
            found.append(f"{where} is not declared")
        else:
            _check_fields(spec, declared[key], element, where, found, depth + 1)
