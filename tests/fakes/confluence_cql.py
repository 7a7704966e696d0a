"""A small real CQL parser/evaluator covering what the app sends to ``/wiki/rest/api/search``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.fakes.confluence_storage import words


class CqlError(ValueError):
    """The query cannot be parsed (answered as 400 ``Could not parse cql : ...``)."""


@dataclass(frozen=True)
class SearchDoc:
    """What a CQL clause can look at for one piece of content."""

    id: str
    type: str
    space_key: str
    title: str
    text: str
    created: datetime
    modified: datetime
    parent_id: str | None = None
    ancestors: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    creator: str = ""
    title_words: frozenset[str] = field(default_factory=frozenset)
    all_words: frozenset[str] = field(default_factory=frozenset)


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<badstr>["'])
      | (?P<op>!~|!=|>=|<=|=|~|>|<)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z0-9_.\-:/@+*]+)
    )""",
    re.VERBOSE,
)
_EQ_OPS = {"=", "!=", "in", "not in"}
_DATE_OPS = {"=", "!=", ">", ">=", "<", "<="}
_FIELDS: dict[str, set[str]] = {
    "type": _EQ_OPS,
    "space": _EQ_OPS,
    "space.key": _EQ_OPS,
    "id": _EQ_OPS,
    "content": _EQ_OPS,
    "parent": _EQ_OPS,
    "ancestor": _EQ_OPS,
    "label": _EQ_OPS,
    "creator": _EQ_OPS,
    "title": _EQ_OPS | {"~", "!~"},
    "text": {"~", "!~"},
    "lastmodified": _DATE_OPS,
    "created": _DATE_OPS,
}
_ORDER_FIELDS = {"lastmodified", "created", "title", "id"}
_DURATION = re.compile(r"([+-]?)(\d+)([yMwdhm])")


@dataclass(frozen=True)
class Tok:
    kind: str  # str | op | punct | word | end
    value: str
    pos: int


@dataclass(frozen=True)
class Value:
    text: str
    is_date: bool = False  # produced by a date function such as now("-7d")
    date: datetime | None = None


Matcher = Callable[[SearchDoc], bool]


@dataclass
class Query:
    matches: Matcher
    order: list[tuple[str, bool]]  # (field, descending)
    terms: list[str]  # words from text~/title~ clauses, for highlighting


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def tokenize(cql: str) -> list[Tok]:
    tokens: list[Tok] = []
    pos = 0
    while pos < len(cql):
        if not cql[pos:].strip():
            break
        m = _TOKEN.match(cql, pos)
        if m is None:
            raise CqlError(f"unexpected character at position {pos}: {cql[pos : pos + 10]!r}")
        kind = m.lastgroup or ""
        if kind == "badstr":
            raise CqlError(f"unterminated string literal at position {m.start(kind)}")
        raw = m.group(kind)
        tokens.append(Tok(kind, _unescape(raw) if kind == "str" else raw, m.start(kind)))
        pos = m.end()
    tokens.append(Tok("end", "", len(cql)))
    return tokens


def parse_date(text: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise CqlError(f"invalid date {text!r}; expected 'yyyy-MM-dd HH:mm' or 'yyyy-MM-dd'")


def _shift(base: datetime, spec: str) -> datetime:
    spec = spec.replace(" ", "")
    if not spec:
        return base
    if _DURATION.sub("", spec):
        raise CqlError(f"invalid duration {spec!r}")
    for sign, amount, unit in _DURATION.findall(spec):
        n = int(amount) * (-1 if sign == "-" else 1)
        days = {"y": 365 * n, "M": 30 * n, "w": 7 * n, "d": n}.get(unit, 0)
        base += timedelta(days=days, hours=n if unit == "h" else 0, minutes=n if unit == "m" else 0)
    return base


class _Parser:
    def __init__(self, cql: str, now: datetime, current_user: str) -> None:
        self.toks = tokenize(cql)
        self.i = 0
        self.now = now
        self.current_user = current_user
        self.terms: list[str] = []

    def peek(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def is_kw(self, *words_: str) -> bool:
        tok = self.peek()
        return tok.kind == "word" and tok.value.lower() in words_

    def expect_punct(self, value: str) -> None:
        tok = self.take()
        if tok.kind != "punct" or tok.value != value:
            raise CqlError(f"expected '{value}' at position {tok.pos}")

    def parse(self) -> Query:
        matcher: Matcher = lambda doc: True  # noqa: E731
        if self.peek().kind != "end" and not self.is_kw("order"):
            matcher = self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.is_kw("order"):
            self.take()
            if not self.is_kw("by"):
                raise CqlError(f"expected 'by' at position {self.peek().pos}")
            self.take()
            while True:
                tok = self.take()
                if tok.kind != "word" or tok.value.lower() not in _ORDER_FIELDS:
                    raise CqlError(f"cannot order by {tok.value!r}")
                desc = False
                if self.is_kw("asc", "desc"):
                    desc = self.take().value.lower() == "desc"
                order.append((tok.value.lower(), desc))
                if self.peek().kind == "punct" and self.peek().value == ",":
                    self.take()
                    continue
                break
        if self.peek().kind != "end":
            raise CqlError(f"unexpected {self.peek().value!r} at position {self.peek().pos}")
        return Query(matcher, order, self.terms)

    def or_expr(self) -> Matcher:
        parts = [self.and_expr()]
        while self.is_kw("or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda doc: any(p(doc) for p in parts))

    def and_expr(self) -> Matcher:
        parts = [self.unary()]
        while self.is_kw("and"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda doc: all(p(doc) for p in parts))

    def unary(self) -> Matcher:
        if self.is_kw("not"):
            self.take()
            inner = self.unary()
            return lambda doc: not inner(doc)
        tok = self.peek()
        if tok.kind == "punct" and tok.value == "(":
            self.take()
            inner = self.or_expr()
            self.expect_punct(")")
            return inner
        return self.clause()

    def clause(self) -> Matcher:
        tok = self.take()
        if tok.kind != "word":
            what = "end of query" if tok.kind == "end" else repr(tok.value)
            raise CqlError(f"expected a field but found {what} at position {tok.pos}")
        name = tok.value.lower()
        if name not in _FIELDS:
            raise CqlError(f"field {tok.value!r} is not supported")
        op_tok = self.take()
        if op_tok.kind == "op":
            op = op_tok.value
        elif op_tok.kind == "word" and op_tok.value.lower() == "in":
            op = "in"
        elif op_tok.kind == "word" and op_tok.value.lower() == "not" and self.is_kw("in"):
            self.take()
            op = "not in"
        else:
            raise CqlError(f"expected an operator after {tok.value!r} at position {op_tok.pos}")
        if op not in _FIELDS[name]:
            raise CqlError(f"operator {op!r} is not supported for field {tok.value!r}")
        if op in ("in", "not in"):
            self.expect_punct("(")
            values = [self.value()]
            while self.peek().kind == "punct" and self.peek().value == ",":
                self.take()
                values.append(self.value())
            self.expect_punct(")")
        else:
            values = [self.value()]
        return self.build(name, op, values)

    def value(self) -> Value:
        tok = self.take()
        if tok.kind == "str":
            return Value(tok.value)
        if tok.kind != "word":
            what = "end of query" if tok.kind == "end" else repr(tok.value)
            raise CqlError(f"expected a value but found {what} at position {tok.pos}")
        if self.peek().kind == "punct" and self.peek().value == "(":
            return self.function(tok)
        return Value(tok.value)

    def function(self, name_tok: Tok) -> Value:
        self.take()  # (
        args: list[str] = []
        while not (self.peek().kind == "punct" and self.peek().value == ")"):
            arg = self.take()
            if arg.kind not in ("str", "word"):
                raise CqlError(f"bad argument to {name_tok.value}() at position {arg.pos}")
            args.append(arg.value)
            if self.peek().kind == "punct" and self.peek().value == ",":
                self.take()
        self.expect_punct(")")
        name = name_tok.value.lower()
        offset = args[0] if args else ""
        if name == "now":
            return Value("", True, _shift(self.now, offset))
        if name == "startofday":
            day = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
            return Value("", True, _shift(day, offset))
        if name == "startofweek":
            day = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
            return Value("", True, _shift(day - timedelta(days=day.weekday()), offset))
        if name == "currentuser":
            return Value(self.current_user)
        raise CqlError(f"unknown function {name_tok.value}()")

    def build(self, name: str, op: str, values: list[Value]) -> Matcher:
        if name in ("lastmodified", "created"):
            return self.date_clause(name, op, values[0])
        if name in ("text", "title") and op in ("~", "!~"):
            terms = [t.lower() for t in re.findall(r"[\w*]+", values[0].text)]
            if op == "~":
                self.terms.extend(t.rstrip("*") for t in terms if t.rstrip("*"))
            key = "all_words" if name == "text" else "title_words"

            def contains(doc: SearchDoc) -> bool:
                have: frozenset[str] = getattr(doc, key)
                return bool(terms) and all(_has_term(have, t) for t in terms)

            return contains if op == "~" else (lambda doc: not contains(doc))
        wanted = {v.text.lower() for v in values}
        getter = _EQ_GETTERS[name]
        positive = op in ("=", "in")
        return lambda doc: bool(getter(doc) & wanted) == positive

    def date_clause(self, name: str, op: str, value: Value) -> Matcher:
        when = value.date if value.is_date and value.date else parse_date(value.text)
        whole_day = not value.is_date and ":" not in value.text
        attr = "modified" if name == "lastmodified" else "created"
        grain = timedelta(days=1) if whole_day else timedelta(minutes=1)

        def check(doc: SearchDoc) -> bool:
            at: datetime = getattr(doc, attr)
            if op in ("=", "!="):
                inside = when <= at < when + grain
                return inside if op == "=" else not inside
            if op == ">":
                return at >= when + grain if not value.is_date else at > when
            if op == ">=":
                return at >= when
            if op == "<":
                return at < when
            return at < when + grain if not value.is_date else at <= when

        return check


def _has_term(have: frozenset[str], term: str) -> bool:
    if term.endswith("*"):
        prefix = term.rstrip("*")
        return any(w.startswith(prefix) for w in have)
    return term in have


_EQ_GETTERS: dict[str, Callable[[SearchDoc], set[str]]] = {
    "type": lambda d: {d.type},
    "space": lambda d: {d.space_key.lower()},
    "space.key": lambda d: {d.space_key.lower()},
    "id": lambda d: {d.id},
    "content": lambda d: {d.id},
    "parent": lambda d: {d.parent_id} if d.parent_id else set(),
    "ancestor": lambda d: set(d.ancestors),
    "label": lambda d: {label.lower() for label in d.labels},
    "creator": lambda d: {d.creator.lower()},
    "title": lambda d: {d.title.lower()},
}


def parse_cql(cql: str, *, now: datetime | None = None, current_user: str = "") -> Query:
    if not cql.strip():
        raise CqlError("the query is empty")
    return _Parser(cql, now or datetime.now(UTC), current_user).parse()


def make_doc(
    *,
    id: str,
    type: str,
    space_key: str,
    title: str,
    text: str,
    created: datetime,
    modified: datetime,
    **extra: object,
) -> SearchDoc:
    return SearchDoc(
        id=id,
        type=type,
        space_key=space_key,
        title=title,
        text=text,
        created=created,
        modified=modified,
        title_words=frozenset(words(title)),
        all_words=frozenset(words(title) | words(text)),
        **extra,  # type: ignore[arg-type]
    )


def highlight(text: str, terms: list[str], *, width: int = 200) -> str:
    """An excerpt of ``text`` around the first hit, hits wrapped in ``@@@hl@@@ ... @@@endhl@@@``."""
    if not terms:
        return text[:width]
    pattern = re.compile(
        r"\b(?:"
        + "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))
        + r")\w*",
        re.IGNORECASE,
    )
    first = pattern.search(text)
    start = max(0, first.start() - 60) if first else 0
    window = text[start : start + width]
    return pattern.sub(lambda m: f"@@@hl@@@{m.group(0)}@@@endhl@@@", window)
