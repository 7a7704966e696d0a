"""The project's shared reference specs (Slack and Confluence API documents, real-shaped payloads):
not part of this repository. They sit in `../shared/specs` beside the project's own checkout, or
wherever SHARED_DIR points; tests that need them skip, saying what is missing (see the README,
Development)."""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(os.environ.get("SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
SPECS = SHARED / "specs"
BLOCK_KIT_SCHEMA = SPECS / "slack" / "block-kit" / "slack-block-kit.schema.json"


def missing(what: str, path: Path) -> str:
    """The skip reason for a test that needs `what` at `path`."""
    return (
        f"needs {what} at {path}, which is missing: the shared reference specs are not part of "
        "this repository; set SHARED_DIR to a directory with specs/ (README: Development)"
    )
