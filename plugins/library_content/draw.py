"""The draw of a randomised content block: which children a learner gets, kept from one draw to the next.

Open edX's rule (``LibraryContentBlock.make_selection``): the children drawn before and still present are
kept; those gone are dropped; when more are kept than the block now shows, some are dropped at random;
when fewer, replacements are drawn at random among the children not drawn yet. Never more than there are.

A draw is a list of ``[block_type, block_id]`` pairs, as Open edX stores it in the ``selected`` field.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

Pair = tuple[str, str]

#: ``max_count`` saying "every child"
ALL = -1
DEFAULT_COUNT = 1

# Learners must not be able to predict their draw: the system's source of randomness.
_random = random.SystemRandom()


def shown_count(max_count: int, children: int) -> int:
    """How many children a block with this ``max_count`` shows out of ``children``: all of them for -1
    or a count above their number, else the count (a count that is not a positive number shows one)."""
    if max_count == ALL:
        return children
    if max_count < 1:
        return min(DEFAULT_COUNT, children)
    return min(max_count, children)


def as_pairs(stored: object) -> list[Pair]:
    """A stored draw as pairs (anything else in it is dropped: it can only come from a broken write)."""
    pairs = []
    for item in stored if isinstance(stored, list | tuple) else ():
        if isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(v, str) for v in item):
            pairs.append((item[0], item[1]))
    return pairs


def redraw(previous: Iterable[Pair], children: Sequence[Pair], count: int) -> list[Pair]:
    """The draw after ``previous``, given the children there are now and how many to show.

    Kept and new children are listed in the children's order (the course order the author gave).
    """
    present = set(children)
    kept = list(dict.fromkeys(p for p in previous if p in present))
    if len(kept) > count:
        kept = _random.sample(kept, count)
    missing = count - len(kept)
    if missing > 0:
        pool = [c for c in children if c not in set(kept)]
        kept += _random.sample(pool, min(missing, len(pool)))
    chosen = set(kept)
    return [c for c in children if c in chosen]
