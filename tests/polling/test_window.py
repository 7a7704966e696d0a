"""next_window: an overlap behind the watermark, a catch-up limit, no watermark, clock skew."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.polling import CATCH_UP, OVERLAP, Window, next_window

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def test_window_starts_an_overlap_behind_the_watermark() -> None:
    watermark = NOW - timedelta(minutes=1)
    assert next_window(watermark, NOW) == Window(since=watermark - OVERLAP, until=NOW)
    assert timedelta(minutes=2) == OVERLAP


def test_no_watermark_starts_now() -> None:
    assert next_window(None, NOW) == Window(since=NOW - OVERLAP, until=NOW)
    assert next_window(None, NOW, overlap=timedelta(0)) == Window(since=NOW, until=NOW)


def test_a_watermark_past_the_catch_up_limit_is_skipped_and_said() -> None:
    old = NOW - timedelta(days=3)
    window = next_window(old, NOW)
    assert window.since == NOW - CATCH_UP
    assert window.until == NOW
    assert window.skipped_from == old - OVERLAP
    # Just inside the limit: replayed in full, nothing skipped (the overlap is clipped).
    inside = NOW - CATCH_UP + timedelta(minutes=1)
    assert next_window(inside, NOW) == Window(since=NOW - CATCH_UP, until=NOW)


def test_catch_up_and_overlap_are_settable() -> None:
    window = next_window(
        NOW - timedelta(hours=3), NOW, overlap=timedelta(minutes=5), catch_up=timedelta(hours=2)
    )
    assert window.since == NOW - timedelta(hours=2)
    assert window.skipped_from == NOW - timedelta(hours=3, minutes=5)


def test_a_watermark_in_the_future_reads_as_now() -> None:
    window = next_window(NOW + timedelta(minutes=10), NOW)
    assert window == Window(since=NOW - OVERLAP, until=NOW)


def test_naive_times_and_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        next_window(None, NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        next_window(NOW.replace(tzinfo=None), NOW)
    with pytest.raises(ValueError):
        next_window(None, NOW, catch_up=timedelta(0))
    with pytest.raises(ValueError):
        next_window(None, NOW, overlap=timedelta(seconds=-1))
