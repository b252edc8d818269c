"""Counts in a time window, kept in the cache (Redis in production, so every app process shares them)."""

from django.core.cache import cache


def count_one(key, *, seconds):
    """Add one to the count under ``key``, kept ``seconds`` from its first; the count after it.

    One round trip to the cache for the first of a window (``add``), two for the others.
    """
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: this one is the first of a new window
        cache.add(key, 1, timeout=seconds)
        return 1
