"""Settings for the whole suite."""

from __future__ import annotations

from hypothesis import settings

# Property tests run Hypothesis' default 100 examples each (failures found are replayed from
# .hypothesis/ until fixed); `pytest --hypothesis-profile=thorough` searches ten times as far.
settings.register_profile("thorough", max_examples=1000)
