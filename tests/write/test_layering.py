"""bot.write stays below Slack: besides its own modules it imports bot.convert, bot.confluence
and bot.store only (and never slack_bolt or slack_sdk), so the Slack side can change freely."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.write

ALLOWED = ("bot.write", "bot.convert", "bot.confluence", "bot.store")


def _imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


def test_bot_write_imports_only_what_lies_below_it() -> None:
    package = Path(bot.write.__file__).parent
    wrong = {
        f"{path.relative_to(package.parent.parent)}: {name}"
        for path in sorted(package.rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in {"slack_bolt", "slack_sdk"}
        or (name.split(".")[0] == "bot" and not name.startswith(ALLOWED))
    }
    assert wrong == set()
