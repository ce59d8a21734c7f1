"""Fixtures for the click path: a clean miss counter for every test."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_miss_counters():
    """The miss rate limit counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()
