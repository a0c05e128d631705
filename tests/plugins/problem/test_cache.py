"""The caches of read problems and cleaned HTML: bounded by size, least recently used first out, and
never keeping a failure."""

from __future__ import annotations

import pytest

from plugins.problem.cache import BoundedCache


def test_the_least_recently_used_values_go_first_when_the_size_is_reached():
    cache: BoundedCache[int] = BoundedCache(max_chars=10)
    made: list[str] = []

    def make(key: str) -> int:
        made.append(key)
        return len(key)

    for key in ("aaaa", "bbbb", "aaaa", "cccc"):  # "bbbb" is the least recently used when "cccc" comes
        assert cache.get(key, lambda key=key: make(key)) == 4
    assert made == ["aaaa", "bbbb", "cccc"] and len(cache) == 2
    cache.get("aaaa", lambda: make("aaaa"))
    cache.get("bbbb", lambda: make("bbbb"))
    assert made == ["aaaa", "bbbb", "cccc", "bbbb"]


def test_values_too_big_to_keep_are_made_each_time():
    cache: BoundedCache[str] = BoundedCache(max_chars=3)
    assert cache.get("long key", lambda: "v") == "v" and len(cache) == 0


def test_failures_are_not_kept():
    cache: BoundedCache[int] = BoundedCache(max_chars=100)
    with pytest.raises(ValueError):
        cache.get("k", lambda: int("x"))
    assert cache.get("k", lambda: 1) == 1
