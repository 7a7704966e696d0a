"""Typed, read-only views over decoded JSON: what the client's models are made of.

A model is a `View` subclass whose attributes are `Field`s. A field reads its key from the JSON
object when it is asked for, converts it (a date-time, a nested view) and checks its type then:
building a view costs one small object whatever the JSON holds, so a listing pays only for what
its caller reads (most read two or three fields of a dozen). Validated pydantic models of a
listing took about four times `json.loads`'s time on the same bytes, over half of it the garbage
collector walking the many small objects they are made of (bench/client_paging.py).

A value of the wrong type raises `MalformedAnswer` (a ValueError: a bug or an API change, not
one of Confluence's failures) when it is read; a missing or null field is its default, or
`MalformedAnswer` when the field is required. `model_validate` reads every field at once, for an
answer about one object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Generic, Self, TypeVar, overload

from bot.confluence.errors import MalformedAnswer

T = TypeVar("T")
V = TypeVar("V", bound="View")

Json = Mapping[str, Any]


class View:
    """One JSON object from Confluence. `_base` is the site's wiki base, for relative links."""

    __slots__ = ("_base", "_json")
    _fields: ClassVar[dict[str, Field[Any]]] = {}

    def __init__(self, json: Json, base: str | None = None) -> None:
        self._json = json
        self._base = base

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__slots__" not in vars(cls):  # else every view would carry a __dict__
            raise TypeError(f"{cls.__name__} must declare __slots__ = ()")
        fields: dict[str, Field[Any]] = {}
        for klass in reversed(cls.__mro__):
            fields.update((k, v) for k, v in vars(klass).items() if isinstance(v, Field))
        cls._fields = fields

    @classmethod
    def model_validate(cls, data: object, base: str | None = None) -> Self:
        """A view of `data`, every field read and checked now (nested views too)."""
        if not isinstance(data, Mapping):
            raise MalformedAnswer(f"{cls.__name__} is not a JSON object: {_shown(data)}")
        view = cls(data, base)
        view.check()
        return view

    def check(self) -> None:
        """Read every field: raises MalformedAnswer for the first one that is malformed."""
        for name in self._fields:
            value = getattr(self, name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, View):
                    item.check()

    @property
    def json(self) -> Json:
        """The object as Confluence sent it (fields this model does not name included)."""
        return self._json

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, View) or type(other) is not type(self):
            return NotImplemented
        return self._json == other._json and self._base == other._base

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._json)!r})"


class Field(Generic[T]):
    """A typed attribute of a View, read from `key` (the attribute's camelCase name unless
    given), else from the other `keys` (the attribute's own name among them)."""

    __slots__ = ("convert", "default", "key", "keys", "name", "owner")

    def __init__(
        self,
        convert: Callable[[View, Any], T],
        default: Callable[[View], T],
        key: str | None = None,
        also: tuple[str, ...] = (),
    ) -> None:
        self.convert = convert
        self.default = default
        self.key = key or ""
        self.keys = also
        self.name = self.owner = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner, self.name = owner.__name__, name
        self.key = self.key or _camel(name)
        self.keys = tuple(k for k in dict.fromkeys((*self.keys, name)) if k != self.key)

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(self, obj: View, owner: type | None = None) -> T: ...

    def __get__(self, obj: View | None, owner: type | None = None) -> T | Self:
        if obj is None:
            return self
        json = obj._json
        value = json.get(self.key)
        if value is None:
            for key in self.keys:
                value = json.get(key)
                if value is not None:
                    break
            else:
                return self.default(obj)
        return self.convert(obj, value)

    def malformed(self, value: object, wanted: str) -> MalformedAnswer:
        return MalformedAnswer(f"{self.owner}.{self.name} is {_shown(value)}, not {wanted}")


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# -- field kinds ---------------------------------------------------------------------------------
# Each returns a Field; `key` overrides the JSON key, `also` names other keys to try.

Maker = Callable[[Field[Any]], Callable[..., Any]]


def _build(
    convert: Maker, default: Maker, key: str | None, also: tuple[str, ...] = ()
) -> Field[Any]:
    """A Field whose converter and default are made knowing the field (for their messages)."""
    field: Field[Any] = Field(_nothing, _nothing, key, also)
    field.convert = convert(field)
    field.default = default(field)
    return field


def _nothing(*args: Any) -> None:
    return None


def _none(field: Field[Any]) -> Callable[[View], None]:
    return _nothing


def _required(field: Field[Any]) -> Callable[[View], Any]:
    def default(obj: View) -> Any:
        raise MalformedAnswer(f"{field.owner}.{field.name} is missing ({field.key!r} absent)")

    return default


def _constant(value: object) -> Maker:
    return lambda field: lambda obj: value


def _kind(kind: type, wanted: str) -> Maker:
    def make(field: Field[Any]) -> Callable[[View, Any], Any]:
        def convert(obj: View, value: Any) -> Any:
            if type(value) is kind:
                return value
            raise field.malformed(value, wanted)

        return convert

    return make


def _datetime(field: Field[Any]) -> Callable[[View, Any], datetime]:
    def convert(obj: View, value: Any) -> datetime:
        if type(value) is str:
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        raise field.malformed(value, "an ISO 8601 date-time")

    return convert


def _nested(cls: type[View]) -> Maker:
    def make(field: Field[Any]) -> Callable[[View, Any], View]:
        def convert(obj: View, value: Any) -> View:
            if type(value) is dict:
                return cls(value, obj._base)
            raise field.malformed(value, "an object")

        return convert

    return make


def _nested_list(kind: Callable[[], type[View]]) -> Maker:
    def make(field: Field[Any]) -> Callable[[View, Any], list[View]]:
        def convert(obj: View, value: Any) -> list[View]:
            if type(value) is list and all(type(item) is dict for item in value):
                cls = kind()
                return [cls(item, obj._base) for item in value]
            raise field.malformed(value, "a list of objects")

        return convert

    return make


def _strings(field: Field[Any]) -> Callable[[View, Any], list[str]]:
    def convert(obj: View, value: Any) -> list[str]:
        if type(value) is list and all(type(item) is str for item in value):
            return list(value)
        raise field.malformed(value, "a list of strings")

    return convert


_text = _kind(str, "a string")


def text(*, key: str | None = None, also: tuple[str, ...] = ()) -> Field[str]:
    """A required string."""
    return _build(_text, _required, key, also)


def text_or(default: str, *, key: str | None = None) -> Field[str]:
    return _build(_text, _constant(default), key)


def optional_text(*, key: str | None = None, also: tuple[str, ...] = ()) -> Field[str | None]:
    return _build(_text, _none, key, also)


def integer(*, key: str | None = None) -> Field[int]:
    """A required integer."""
    return _build(_kind(int, "an integer"), _required, key)


def optional_integer(*, key: str | None = None) -> Field[int | None]:
    return _build(_kind(int, "an integer"), _none, key)


def flag_or(default: bool, *, key: str | None = None) -> Field[bool]:
    return _build(_kind(bool, "true or false"), _constant(default), key)


def optional_flag(*, key: str | None = None) -> Field[bool | None]:
    return _build(_kind(bool, "true or false"), _none, key)


def date_time(*, key: str | None = None) -> Field[datetime | None]:
    """An ISO 8601 date-time ("2024-05-06T10:00:00.000Z"), parsed each time it is read."""
    return _build(_datetime, _none, key)


def nested(cls: type[V], *, key: str | None = None) -> Field[V | None]:
    """A JSON object, seen as `cls` (with the parent's base)."""
    return _build(_nested(cls), _none, key)


def nested_or_empty(cls: type[V], *, key: str | None = None) -> Field[V]:
    """A JSON object seen as `cls`; an empty one when absent."""
    empty = lambda field: lambda obj: cls({}, obj._base)  # noqa: E731
    return _build(_nested(cls), empty, key)


def nested_list(kind: Callable[[], type[V]], *, key: str | None = None) -> Field[list[V] | None]:
    """A JSON array of objects, each seen as `kind()` (a function: the class may be the one
    being defined)."""
    return _build(_nested_list(kind), _none, key)


def optional_object(*, key: str | None = None) -> Field[dict[str, Any] | None]:
    """A JSON object handed out as it came (callers pick what they know from it)."""
    return _build(_kind(dict, "an object"), _none, key)


def object_or_empty(*, key: str | None = None) -> Field[dict[str, Any]]:
    return _build(_kind(dict, "an object"), lambda field: lambda obj: {}, key)


def strings(*, key: str | None = None) -> Field[list[str]]:
    """A JSON array of strings; an empty list when absent."""
    return _build(_strings, lambda field: lambda obj: [], key)


def anything(*, key: str | None = None) -> Field[Any]:
    """Any JSON value, as it came (None when absent)."""
    return _build(lambda field: lambda obj, value: value, _none, key)
