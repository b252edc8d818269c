"""Counts in a window (``incidents.rate``): the per-minute limits of reports and public page builds."""

import pytest
from django.core.cache import cache

from incidents import rate


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_counts_one_by_one_per_key():
    assert [rate.count_one("a", seconds=60) for _ in range(3)] == [1, 2, 3]
    assert rate.count_one("b", seconds=60) == 1


def test_a_window_that_ended_starts_again_at_one():
    assert rate.count_one("a", seconds=60) == 1
    cache.delete("a")  # as when its time is up
    assert rate.count_one("a", seconds=60) == 1


def test_expired_between_add_and_incr(monkeypatch):
    cache.set("a", 5)
    real_incr = cache.incr

    def expired(key, *args, **kwargs):
        cache.delete(key)
        return real_incr(key, *args, **kwargs)

    monkeypatch.setattr(cache, "incr", expired)
    assert rate.count_one("a", seconds=60) == 1
