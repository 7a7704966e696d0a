"""The help text is written once: the slash answer, App Home and the README show the same list,
and it names every subcommand the router knows and every shortcut the manifest declares."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack import help_text
from bot.slack.router import SUBCOMMANDS

REPO = Path(__file__).resolve().parents[2]
START = "<!-- commands:"
END = "<!-- /commands -->"


def _readme_list() -> list[str]:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(START))
    return lines[start + 1 : lines.index(END, start)]


def test_the_readme_lists_what_help_says() -> None:
    assert _readme_list() == help_text.readme_lines()


def test_every_subcommand_and_shortcut_is_explained() -> None:
    commands = [*help_text.COMMANDS, help_text.HELP]
    explained = {usage.split()[0] for command in commands for usage in command.usages}
    assert {word.split("|")[0] for word in explained} == SUBCOMMANDS
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))
    shortcuts = {s["name"] for s in manifest["features"]["shortcuts"]}
    assert shortcuts == {g.how.split("*")[1] for g in help_text.GESTURES if g.how.startswith("*")}
