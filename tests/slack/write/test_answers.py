"""What users are told about their writes."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.confluence import Page
from bot.slack.write.answers import saved
from bot.write import SaveResult


def _page() -> Page:
    return Page.model_validate(
        {
            "id": "42",
            "status": "current",
            "title": "Deploy <plan>",
            "spaceId": "9",
            "createdAt": datetime(2024, 5, 6, tzinfo=UTC).isoformat(),
            "_links": {"webui": "/spaces/ENG/pages/42", "base": "https://acme.atlassian.net/wiki"},
        }
    )


def test_a_save_is_told_with_the_page_and_the_files_left_out() -> None:
    first = saved(SaveResult(_page(), created=True, skipped=[]))
    assert first.startswith(":white_check_mark: Saved <https://acme.atlassian.net/wiki/spaces/")
    assert "Deploy &lt;plan&gt;" in first
    again = saved(SaveResult(_page(), created=False, skipped=["a.png (too big)", "b (gone)"]))
    assert again.startswith(":white_check_mark: Updated ")
    assert again.endswith(" Not attached: a.png (too big); b (gone).")


def test_a_resumed_save_says_it_was_interrupted() -> None:
    text = saved(SaveResult(_page(), created=True, skipped=[]), resumed=True)
    assert "interrupted when the app stopped; it is finished now" in text
