"""What a fresh clone needs: SQLite's side files ignored, the tests that need the shared
reference specs (absent from a user's clone) skipping with a reason that says what is missing,
and a README whose map of the tree names files that exist."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Test modules that read ../shared/specs (what a clone of this repository alone lacks).
NEEDS_SHARED = [
    "tests/convert/test_excerpt.py::test_shared_samples",
    "tests/convert/test_shared_payloads.py",
    "tests/confluence/test_spec_conformance.py",
    "tests/fakes/test_slack_fake.py",
    "tests/fakes/test_confluence_fake.py::test_page_fields_are_declared_by_the_v2_spec",
    "tests/digest/test_compose.py",
    "tests/test_manifest.py",
    "tests/slack/test_http_hardening.py::test_real_slack_payloads_have_the_shape_the_door_expects",
]


@pytest.mark.parametrize(
    "path", ["confluence-bot.db", "confluence-bot.db-wal", "confluence-bot.db-shm", "x/bot.db-wal"]
)
def test_sqlite_files_are_ignored(path: str) -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of this repository")
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", path], cwd=REPO, check=False
    )
    assert result.returncode == 0, f"{path} is not ignored by .gitignore"


def test_without_the_shared_specs_tests_skip_saying_what_is_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["SHARED_DIR"] = str(tmp_path / "no-shared-here")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-rs",
            "-p",
            "no:cacheprovider",
            *NEEDS_SHARED,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skips) >= 5, result.stdout[-3000:]
    for line in skips:
        assert re.search(r"needs .+ at .*no-shared-here.*, which is missing", line), line
        assert "SHARED_DIR" in line and "README" in line, line


def _tree_paths(block: str) -> list[Path]:
    """The paths a README tree names: `name/` opens a folder for the lines indented under it,
    `a.py, b.py` names two files; descriptions (the right-hand column) are skipped."""
    paths: list[Path] = []
    folders: list[str] = []
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        if not line.strip() or indent >= 20:  # blank, or a description carried onto a new line
            continue
        names = re.split(r"\s{2,}", line.strip())[0]
        folders = folders[: indent // 2]
        paths += [Path(*folders, name) for name in names.split(", ")]
        if names.endswith("/"):
            folders.append(names)
    return paths


def test_how_it_works_names_only_paths_that_exist() -> None:
    section = (REPO / "README.md").read_text().split("## How it works", 1)[1]
    paths = _tree_paths(section.split("```", 2)[1])
    assert Path("bot/slack/listeners/") in paths and Path("bot/background.py") in paths
    assert [str(path) for path in paths if not (REPO / path).exists()] == []
