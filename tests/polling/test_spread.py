"""slot, due and stretched_interval: stable, even, every key once per interval."""

from __future__ import annotations

import pytest

from bot.polling import due, slot, stretched_interval

KEYS = [f"personal:T1:U{n:04d}" for n in range(1000)]


def test_slot_is_stable_and_inside_the_interval() -> None:
    assert slot("personal:T1:U1", 60) == slot("personal:T1:U1", 60)
    assert slot("personal:T1:U1", 60) != slot("personal:T1:U2", 60)
    offsets = [slot(key, 60) for key in KEYS]
    assert all(0 <= offset < 60 for offset in offsets)
    # Evenly spread: every tenth of the interval holds roughly a tenth of the keys.
    buckets = [0] * 10
    for offset in offsets:
        buckets[int(offset // 6)] += 1
    assert min(buckets) > 60 and max(buckets) < 140


def test_each_key_is_due_once_per_interval_over_consecutive_ticks() -> None:
    interval = 60.0
    seen: dict[str, int] = {}
    start = 1_764_698_400.0 + 17.3  # any epoch second, not aligned to the interval
    previous = start
    for step in range(1, 13):  # 12 ticks of 5 s: one whole interval
        now = start + step * 5.0
        for key in due(KEYS, previous, now, interval):
            seen[key] = seen.get(key, 0) + 1
        previous = now
    assert seen == dict.fromkeys(KEYS, 1)


def test_due_wraps_at_the_interval_end() -> None:
    interval = 60.0
    key = next(k for k in KEYS if slot(k, interval) < 1.0)
    base = 6000.0  # a multiple of the interval: the key is due just after it
    assert key in due([key], base - 2.0, base + 2.0, interval)
    assert due([key], base + 2.0, base + 30.0, interval) == []


def test_a_long_gap_makes_every_key_due_and_no_time_none() -> None:
    assert due(KEYS, 100.0, 160.0, 60.0) == KEYS
    assert due(KEYS, 100.0, 100.0, 60.0) == []
    assert due(KEYS, 100.0, 90.0, 60.0) == []


def test_stretched_interval() -> None:
    # 1,000 users, 3 requests each, 8 requests/s for the background: 375 s.
    assert stretched_interval(1000, 3, 8, 60) == 375.0
    assert stretched_interval(10, 3, 8, 60) == 60.0
    assert stretched_interval(0, 3, 8, 60) == 60.0


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        slot("k", 0)
    with pytest.raises(ValueError):
        due(KEYS, 0, 1, 0)
    with pytest.raises(ValueError):
        stretched_interval(1, 1, 0, 60)
