"""A small real CQL parser/evaluator for ``/wiki/rest/api/search``, after Atlassian's "Advanced
searching using CQL" (fields, operators, functions) for Confluence Cloud.

Grammar accepted (keywords and field names case-insensitive)::

    query    := [or_expr] [ORDER BY field [ASC|DESC] {, field [ASC|DESC]}]
    or_expr  := and_expr {OR and_expr}
    and_expr := unary {AND unary}
    unary    := NOT unary | "(" or_expr ")" | clause
    clause   := field op value | field [NOT] IN "(" value {, value} ")"
    value    := "string" | 'string' | word | function "(" [arg {, arg}] ")"

Fields and their operators (as documented): ``type``, ``space`` (``space.key``), ``id``/``content``,
``parent``, ``ancestor``, ``label``, ``creator``, ``contributor``, ``mention``, ``watcher``: ``= != IN
NOT IN``; ``title``: those and ``~ !~``; ``text``: ``~ !~``; ``created``, ``lastmodified``: ``= != > >= <
<=``. Functions: ``currentUser()`` on the user fields; ``now()``, ``startOfDay()``, ``endOfDay()``,
``startOfWeek()``, ``endOfWeek()``, ``startOfMonth()``, ``endOfMonth()``, ``startOfYear()``,
``endOfYear()`` on the date fields, each with an optional increment ``"(+/-)nn(y|M|w|d|h|m)"``.
Refused as Confluence refuses them (400 "Could not parse cql"): unknown fields, an operator or
function a field does not support, an unknown content type, a malformed date, and a negative
expression as the first clause ("Currently a negative expression cannot be the first clause").

Dates: literals ``"yyyy-MM-dd HH:mm"``, ``"yyyy/MM/dd HH:mm"``, ``"yyyy-MM-dd"``, ``"yyyy/MM/dd"`` and
the start/end functions are read in the calling user's time zone ("Search results will be relative
to your configured time zone (which is by default the Confluence server's time zone)"). The index
keeps ``created``/``lastmodified`` to the minute: a change at 10:04:30 is indexed as 10:04, so
``lastmodified >= now("-1m")`` at 10:05:10 misses it (pollers must overlap their windows).

Comments are content too: they are in their page's space, have their page (and its ancestors, and
parent comments) as ancestors ("page: descendant is page, comment, attachment" in the v1 content
API), their page or parent comment as parent, and only their own labels, @mentions and authors.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.fakes.confluence_storage import words


class CqlError(ValueError):
    """The query cannot be parsed (answered as 400 ``Could not parse cql : ...``)."""


@dataclass(frozen=True)
class SearchDoc:
    """What a CQL clause can look at for one piece of content."""

    id: str
    type: str  # page | blogpost | comment
    space_key: str
    title: str
    text: str
    created: datetime  # to the minute, UTC
    modified: datetime  # to the minute, UTC
    parent_id: str | None = None
    ancestors: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    creator: str = ""
    contributors: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    watchers: tuple[str, ...] = ()
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
_EQ_OPS = frozenset({"=", "!=", "in", "not in"})
_DATE_OPS = frozenset({"=", "!=", ">", ">=", "<", "<="})
_NEGATIVE_OPS = frozenset({"!=", "not in", "!~"})
# field -> (kind, operators)
_FIELDS: dict[str, tuple[str, frozenset[str]]] = {
    "type": ("type", _EQ_OPS),
    "space": ("space", _EQ_OPS),
    "space.key": ("space", _EQ_OPS),
    "id": ("content", _EQ_OPS),
    "content": ("content", _EQ_OPS),
    "parent": ("content", _EQ_OPS),
    "ancestor": ("content", _EQ_OPS),
    "label": ("string", _EQ_OPS),
    "creator": ("user", _EQ_OPS),
    "contributor": ("user", _EQ_OPS),
    "mention": ("user", _EQ_OPS),
    "watcher": ("user", _EQ_OPS),
    "title": ("text", _EQ_OPS | {"~", "!~"}),
    "text": ("text", frozenset({"~", "!~"})),
    "lastmodified": ("date", _DATE_OPS),
    "created": ("date", _DATE_OPS),
}
_TYPES = frozenset(
    {"page", "blogpost", "comment", "attachment", "whiteboard", "database", "embed", "folder"}
)
_DATE_FUNCTIONS = frozenset(
    {
        "now",
        "startofday",
        "endofday",
        "startofweek",
        "endofweek",
        "startofmonth",
        "endofmonth",
        "startofyear",
        "endofyear",
    }
)
_ORDER_FIELDS = {"lastmodified", "created", "title", "id"}
_INCREMENT = re.compile(r"([+-]?)(\d+)([yMwdhm])")
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


@dataclass(frozen=True)
class Tok:
    kind: str  # str | op | punct | word | end
    value: str
    pos: int


@dataclass(frozen=True)
class Value:
    text: str
    date: datetime | None = None  # set for a date function such as now("-7d")
    function: str = ""  # the function's name, lower case ("" for a literal)


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


def parse_date(text: str, zone: ZoneInfo | None = None) -> datetime:
    """A date literal, read in ``zone`` (UTC when none is given)."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=zone or UTC)
        except ValueError:
            continue
    raise CqlError(
        f"invalid date {text!r}; use 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', "
        "'yyyy/MM/dd' or 'yyyy-MM-dd'"
    )


def _add_months(when: datetime, months: int) -> datetime:
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def _shift(base: datetime, spec: str) -> datetime:
    """``base`` moved by an increment such as ``-1d`` or ``+2w`` (wall-clock time of its zone)."""
    spec = spec.replace(" ", "")
    if not spec:
        return base
    if _INCREMENT.sub("", spec):
        raise CqlError(f"invalid increment {spec!r}; expected (+/-)nn(y|M|w|d|h|m)")
    for sign, amount, unit in _INCREMENT.findall(spec):
        n = int(amount) * (-1 if sign == "-" else 1)
        if unit == "y":
            base = _add_months(base, 12 * n)
        elif unit == "M":
            base = _add_months(base, n)
        else:
            step = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1)}
            base += step.get(unit, timedelta(minutes=1)) * n
    return base


def _period_start(name: str, local: datetime) -> datetime:
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if name.endswith("week"):
        return day - timedelta(days=day.weekday())  # weeks start on Monday
    if name.endswith("month"):
        return day.replace(day=1)
    if name.endswith("year"):
        return day.replace(month=1, day=1)
    return day


def _period_end(name: str, start: datetime) -> datetime:
    if name.endswith("week"):
        following = start + timedelta(weeks=1)
    elif name.endswith("month"):
        following = _add_months(start, 1)
    elif name.endswith("year"):
        following = _add_months(start, 12)
    else:
        following = start + timedelta(days=1)
    return following - timedelta(milliseconds=1)


def date_function(name: str, increment: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The instant a date function stands for, for a caller in ``zone`` at ``now``."""
    if name == "now":
        return _shift(now, increment).astimezone(UTC)
    local = now.astimezone(zone)
    start = _shift(_period_start(name, local), increment)
    if name.startswith("end"):
        # The end of the period the shifted start falls in (endOfMonth("+1M"): end of next month).
        return _period_end(name, _period_start(name, start)).astimezone(UTC)
    return start.astimezone(UTC)


class _Parser:
    def __init__(self, cql: str, now: datetime, current_user: str, zone: ZoneInfo) -> None:
        self.toks = tokenize(cql)
        self.i = 0
        self.now = now
        self.current_user = current_user
        self.zone = zone
        self.terms: list[str] = []
        self.seen_clause = False

    def peek(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def is_kw(self, *words_: str) -> bool:
        tok = self.peek()
        return tok.kind == "word" and tok.value.lower() in words_

    def is_punct(self, value: str) -> bool:
        tok = self.peek()
        return tok.kind == "punct" and tok.value == value

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
                if self.is_punct(","):
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
            tok = self.take()
            if not self.seen_clause:
                raise CqlError(
                    f"a negative expression cannot be the first clause (NOT at position {tok.pos})"
                )
            inner = self.unary()
            return lambda doc: not inner(doc)
        if self.is_punct("("):
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
        kind, operators = _FIELDS[name]
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
        if op not in operators:
            raise CqlError(f"operator {op!r} is not supported for field {tok.value!r}")
        if op in _NEGATIVE_OPS and not self.seen_clause:
            raise CqlError(
                f"a negative expression cannot be the first clause ({tok.value} {op} at "
                f"position {tok.pos})"
            )
        if op in ("in", "not in"):
            self.expect_punct("(")
            values = [self.value(name, kind)]
            while self.is_punct(","):
                self.take()
                values.append(self.value(name, kind))
            self.expect_punct(")")
        else:
            values = [self.value(name, kind)]
        self.seen_clause = True
        return self.build(name, kind, op, values)

    def value(self, field_name: str, kind: str) -> Value:
        tok = self.take()
        if tok.kind == "str":
            return Value(tok.value)
        if tok.kind != "word":
            what = "end of query" if tok.kind == "end" else repr(tok.value)
            raise CqlError(f"expected a value but found {what} at position {tok.pos}")
        if self.is_punct("("):
            return self.function(tok, field_name, kind)
        return Value(tok.value)

    def function(self, name_tok: Tok, field_name: str, kind: str) -> Value:
        self.take()  # (
        args: list[str] = []
        while not self.is_punct(")"):
            arg = self.take()
            if arg.kind not in ("str", "word"):
                raise CqlError(f"bad argument to {name_tok.value}() at position {arg.pos}")
            args.append(arg.value)
            if self.is_punct(","):
                self.take()
        self.expect_punct(")")
        name = name_tok.value.lower()
        if name == "currentuser" and kind == "user":
            if args:
                raise CqlError("currentUser() takes no arguments")
            return Value(self.current_user, function=name)
        if name in _DATE_FUNCTIONS and kind == "date":
            if len(args) > 1:
                raise CqlError(f"{name_tok.value}() takes at most one increment")
            when = date_function(name, args[0] if args else "", self.now, self.zone)
            return Value("", when, name)
        if name == "currentuser" or name in _DATE_FUNCTIONS:
            raise CqlError(f"function {name_tok.value}() is not supported for field {field_name!r}")
        raise CqlError(f"unknown function {name_tok.value}()")

    def build(self, name: str, kind: str, op: str, values: list[Value]) -> Matcher:
        if kind == "date":
            return self.date_clause(name, op, values[0])
        if kind == "text" and op in ("~", "!~"):
            terms = [t.lower() for t in re.findall(r"[\w*]+", values[0].text)]
            if op == "~":
                self.terms.extend(t.rstrip("*") for t in terms if t.rstrip("*"))
            key = "all_words" if name == "text" else "title_words"

            def contains(doc: SearchDoc) -> bool:
                have: frozenset[str] = getattr(doc, key)
                return bool(terms) and all(_has_term(have, t) for t in terms)

            return contains if op == "~" else (lambda doc: not contains(doc))
        if kind == "type":
            for v in values:
                if v.text.lower() not in _TYPES:
                    raise CqlError(f"unknown content type {v.text!r}")
        wanted = {v.text.lower() for v in values}
        getter = _EQ_GETTERS[name]
        positive = op in ("=", "in")
        return lambda doc: bool(getter(doc) & wanted) == positive

    def date_clause(self, name: str, op: str, value: Value) -> Matcher:
        attr = "modified" if name == "lastmodified" else "created"
        if value.date is not None:
            when = value.date
            minute = when.replace(second=0, microsecond=0)
            lower, upper = {
                "=": (minute, minute + timedelta(minutes=1)),
                ">": (when + timedelta(microseconds=1), None),
                ">=": (when, None),
                "<": (None, when),
                "<=": (None, when + timedelta(microseconds=1)),
            }.get(op, (minute, minute + timedelta(minutes=1)))
        else:
            start = parse_date(value.text, self.zone)
            grain = timedelta(minutes=1) if ":" in value.text else timedelta(days=1)
            # A literal names a whole minute (or day): "> 10:00" is from 10:01 on.
            end = (start + grain).astimezone(UTC)
            start = start.astimezone(UTC)
            lower, upper = {
                "=": (start, end),
                ">": (end, None),
                ">=": (start, None),
                "<": (None, start),
                "<=": (None, end),
            }.get(op, (start, end))
        negate = op == "!="

        def check(doc: SearchDoc) -> bool:
            at: datetime = getattr(doc, attr)
            inside = (lower is None or at >= lower) and (upper is None or at < upper)
            return inside != negate

        return check


def _has_term(have: frozenset[str], term: str) -> bool:
    if term.endswith("*"):
        prefix = term.rstrip("*")
        return any(w.startswith(prefix) for w in have)
    return term in have


def _lower(values: tuple[str, ...]) -> set[str]:
    return {v.lower() for v in values}


_EQ_GETTERS: dict[str, Callable[[SearchDoc], set[str]]] = {
    "type": lambda d: {d.type},
    "space": lambda d: {d.space_key.lower()},
    "space.key": lambda d: {d.space_key.lower()},
    "id": lambda d: {d.id},
    "content": lambda d: {d.id},
    "parent": lambda d: {d.parent_id} if d.parent_id else set(),
    "ancestor": lambda d: set(d.ancestors),
    "label": lambda d: _lower(d.labels),
    "creator": lambda d: {d.creator.lower()},
    "contributor": lambda d: _lower(d.contributors),
    "mention": lambda d: _lower(d.mentions),
    "watcher": lambda d: _lower(d.watchers),
    "title": lambda d: {d.title.lower()},
}


def parse_cql(
    cql: str,
    *,
    now: datetime | None = None,
    current_user: str = "",
    zone: ZoneInfo | str = "UTC",
) -> Query:
    """Parse ``cql`` for a caller ``current_user`` whose time zone is ``zone``, at ``now``."""
    if not cql.strip():
        raise CqlError("the query is empty")
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return _Parser(cql, now or datetime.now(UTC), current_user, tz).parse()


def to_the_minute(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(second=0, microsecond=0)


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
        created=to_the_minute(created),
        modified=to_the_minute(modified),
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
