"""Every module and function in `bot/` stays small enough to read whole: no module over
MODULE_LINES lines and no function over FUNCTION_LINES, unless its docstring (the module's, or
the function's) has a paragraph starting "Size note:" that says why. Read from the source with
ast, beside the import-direction check in tests/test_layering.py; nothing is imported."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"

MODULE_LINES = 400
FUNCTION_LINES = 60
NOTE = "Size note:"

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _noted(docstring: str | None) -> bool:
    return any(p.strip().startswith(NOTE) for p in (docstring or "").split("\n\n"))


def _functions(tree: ast.Module) -> Iterator[Function]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _length(function: Function) -> int:
    """From the `def` line to the last line of the body (decorators not counted)."""
    assert function.end_lineno is not None
    return function.end_lineno - function.lineno + 1


def _sources() -> Iterator[tuple[str, str, ast.Module]]:
    for path in sorted(BOT.rglob("*.py")):
        source = path.read_text()
        yield str(path.relative_to(BOT.parent)), source, ast.parse(source, str(path))


def test_no_module_over_the_limit_without_a_note() -> None:
    long = {
        name: len(source.splitlines())
        for name, source, tree in _sources()
        if len(source.splitlines()) > MODULE_LINES and not _noted(ast.get_docstring(tree))
    }
    assert long == {}


def test_no_function_over_the_limit_without_a_note() -> None:
    long = {
        f"{name}:{function.lineno} {function.name}": _length(function)
        for name, _, tree in _sources()
        for function in _functions(tree)
        if _length(function) > FUNCTION_LINES and not _noted(ast.get_docstring(function))
    }
    assert long == {}


def test_the_reader_measures_nested_functions_and_reads_notes() -> None:
    # Guards the tests above: a long inner function counts, and only a paragraph that starts
    # with the note's words is a note.
    body = "\n".join(f"        x{i} = {i}" for i in range(FUNCTION_LINES))
    tree = ast.parse(f"def outer():\n    def inner():\n{body}\n")
    assert {f.name: _length(f) for f in _functions(tree)} == {
        "outer": FUNCTION_LINES + 2,
        "inner": FUNCTION_LINES + 1,
    }
    assert _noted("Does things.\n\nSize note: frozen history.")
    assert _noted("Size note: frozen history.")
    assert not _noted("Does things. Size note: said in passing.")
    assert not _noted(None)
