"""The import graph of `bot/` points one way, down the layers the README's "How it works" lists,
with no circle. Read from the source (every import statement, including those inside functions and
under TYPE_CHECKING), so nothing is imported to check it."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"

# Top to bottom. A package or module imports only from layers below its own: packages sharing a
# layer (features; the two adapters' helpers; the leaves) do not import one another.
LAYERS = [
    {"bot.__main__"},
    {"bot.cli"},
    {"bot.bootstrap"},
    {"bot.slack"},
    {"bot.write", "bot.digest", "bot.personal", "bot.notify"},
    {"bot.confluence", "bot.convert"},
    {"bot.startup"},
    {"bot.config"},  # validates DATABASE_URL with the store's URL rules
    {"bot.store"},
    {"bot.delivery", "bot.polling"},
    {"bot.metrics", "bot.background", "bot.logs", "bot.scheduling", "bot"},
]


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in BOT.rglob("*.py"):
        parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _package(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _known(name: str) -> str | None:
    """The module a dotted name refers to (a module, or the package/module holding the name)."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


@cache
def targets_of(name: str) -> tuple[str, ...]:
    """Every dotted name the module imports (relative imports resolved), in or outside `bot`."""
    path = modules()[name]
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(name, path).split(".")
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            found += [f"{base}.{alias.name}" for alias in node.names]
    return tuple(found)


@cache
def imports_of(name: str) -> frozenset[str]:
    """The modules of `bot` this one imports."""
    found: set[str] = set()
    for target in targets_of(name):
        if target.split(".")[0] == "bot" and (known := _known(target)) and known != name:
            found.add(known)
    return frozenset(found)


def libraries_of(name: str) -> frozenset[str]:
    """The top-level packages outside `bot` this module imports."""
    return frozenset(t.split(".")[0] for t in targets_of(name)) - {"bot", "__future__"}


def _area(name: str) -> str:
    return ".".join(name.split(".")[:2])


def test_only_the_cli_imports_the_composition_root() -> None:
    importers = sorted(
        m for m in modules() if any(_area(i) == "bot.bootstrap" for i in imports_of(m))
    )
    assert importers == ["bot.cli"]


def test_nothing_imports_slack_but_the_root_and_the_cli() -> None:
    outside = {
        m: sorted(i for i in imports_of(m) if _area(i) == "bot.slack")
        for m in modules()
        if _area(m) not in ("bot.slack", "bot.bootstrap", "bot.cli")
    }
    assert {m: found for m, found in outside.items() if found} == {}


# Slack's libraries and the HTTP client slack_sdk's async clients run on.
SLACK_LIBRARIES = {"slack_bolt", "slack_sdk", "aiohttp"}
# The composition root builds the Bolt app and its clients, so it may name their types.
ROOT = ("bot.__main__", "bot.cli", "bot.bootstrap")


def test_only_the_slack_side_imports_slack_libraries() -> None:
    """Features, delivery, the Confluence client, conversion and the store stay below Slack: they
    never import slack_bolt, slack_sdk or aiohttp (bot.slack adapts them to Slack)."""
    outside = {
        m: sorted(libraries_of(m) & SLACK_LIBRARIES)
        for m in modules()
        if _area(m) != "bot.slack" and _area(m) not in ROOT
    }
    assert {m: found for m, found in outside.items() if found} == {}
    assert any(_area(m) == "bot.write" for m in outside)  # the features are among those read


def _layer(area: str) -> int:
    return next(n for n, layer in enumerate(LAYERS) if area in layer)


def test_every_package_has_its_place_in_the_layers() -> None:
    placed = set().union(*LAYERS)
    assert sorted({_area(m) for m in modules()} - placed) == []


def test_imports_point_down_the_layers() -> None:
    wrong = {}
    for name in modules():
        area = _area(name)
        up = sorted(
            i for i in imports_of(name) if _area(i) != area and _layer(_area(i)) <= _layer(area)
        )
        if up:
            wrong[name] = up
    assert wrong == {}


def test_no_circles() -> None:
    """Tarjan's strongly connected components over modules: every component is one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for target in imports_of(name):
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in sorted(modules()):
        if name not in index:
            visit(name)
    assert circles == []


def test_the_reader_sees_function_level_imports() -> None:
    # Guards the tests above: the App Home circle of old was made of imports inside functions.
    assert "bot.bootstrap" in imports_of("bot.cli")  # imported inside main()
    assert "bot.store" in imports_of("bot.startup")  # under TYPE_CHECKING
    assert "bot.slack.blocks" in imports_of("bot.slack.home")  # `from bot.slack import blocks`
    assert "slack_sdk" in libraries_of("bot.slack.home")
    assert "aiohttp" in libraries_of("bot.slack.delivery")
