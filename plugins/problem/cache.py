"""A small least-recently-used cache bounded by the size of what it keeps, shared by a worker's threads.

Problems are read and their HTML sanitised far more often than they change, and a text always gives the
same result; but a course archive may hold problems of any size, so the caches are bounded in characters
rather than in entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """Values made from text keys, kept while their keys total at most ``max_chars`` characters."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._values: OrderedDict[str, V] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key: str, make: Callable[[], V]) -> V:
        """The value of ``key``, made (outside the lock) and kept when it is not there yet.

        Exceptions from ``make`` are not kept: the next call tries again.
        """
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        if len(key) > self.max_chars:
            return value  # too big to keep: made again when asked again
        with self._lock:
            if key not in self._values:
                self._values[key] = value
                self._chars += len(key)
            while self._chars > self.max_chars:
                old, _value = self._values.popitem(last=False)
                self._chars -= len(old)
        return value

    def __len__(self) -> int:
        return len(self._values)
