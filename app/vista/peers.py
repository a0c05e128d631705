"""Peer benchmarks of VISTA: which companies a company is compared with, and where it stands among them.

The peer group is NAF section × size class × region. A group is used only when it holds at least
``K_FLOOR`` assessed companies; otherwise the next one in ``FALLBACK`` is tried (sector × size, sector,
region, the whole network), and the result says which was used — or that none reaches the floor, in which
case no peer figure is shown at all. No statistic is ever computed over fewer than ``K_FLOOR`` companies.

Percentiles use linear interpolation between closest ranks (numpy's default, "type 7" of Hyndman and
Fan): for sorted values x₀…xₙ₋₁ the q-quantile is x at position q·(n − 1). A company's percentile rank is
the share of peers below it plus half of those equal to it, as a percentage.

Pure functions: the rows come from :func:`app.vista.queries` or the caller, not from here.
"""

from __future__ import annotations

import bisect
import enum
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from app.accounts.departements import DEPARTEMENTS

K_FLOOR = 10

# NAF rév. 2 (INSEE): the section of each two-digit division.
_SECTION_RANGES = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip
_REGIONS = {d.code: d.region for d in DEPARTEMENTS}


def naf_section(naf_code: str | None) -> str | None:
    """The NAF section letter (A…U) of a NAF code such as ``10.71C``; None when it cannot be read."""
    digits = (naf_code or "").strip()[:2]
    if len(digits) != 2 or not digits.isdigit():
        return None
    division = int(digits)
    return next((letter for letter, low, high in _SECTION_RANGES if low <= division <= high), None)


def region_of(departement: str | None) -> str | None:
    """The region of a département code (``63`` → Auvergne-Rhône-Alpes); None when unknown."""
    return _REGIONS.get((departement or "").strip().upper())


class Group(enum.StrEnum):
    """The peer groups, most specific first: the order they are tried in."""

    SECTOR_SIZE_REGION = "sector_size_region"
    SECTOR_SIZE = "sector_size"
    SECTOR = "sector"
    REGION = "region"
    NETWORK = "network"
    NONE = "none"


FALLBACK = (Group.SECTOR_SIZE_REGION, Group.SECTOR_SIZE, Group.SECTOR, Group.REGION, Group.NETWORK)


@dataclass(frozen=True)
class Profile:
    """What a company is grouped by."""

    section: str | None
    size_class: str
    region: str | None


@dataclass(frozen=True)
class Peer:
    """An assessed company of the network: its profile and its scores (dimension → 0–100; None when the
    dimension has no score)."""

    company_id: int
    profile: Profile
    scores: Mapping[str, float | None]


def _matches(group: Group, mine: Profile, other: Profile) -> bool:
    if group is Group.NETWORK:
        return True
    if group is Group.REGION:
        return mine.region is not None and other.region == mine.region
    same_sector = mine.section is not None and other.section == mine.section
    if group is Group.SECTOR:
        return same_sector
    same_size = other.size_class == mine.size_class
    if group is Group.SECTOR_SIZE:
        return same_sector and same_size
    return same_sector and same_size and mine.region is not None and other.region == mine.region


def choose_group(mine: Profile, peers: Iterable[Peer]) -> tuple[Group, list[Peer]]:
    """The most specific group with at least ``K_FLOOR`` companies, and its members (the company itself
    counts among its peers, as in the DMA's benchmarks); ``(Group.NONE, [])`` when even the network has
    fewer."""
    everyone = list(peers)
    for group in FALLBACK:
        members = [p for p in everyone if _matches(group, mine, p.profile)]
        if len(members) >= K_FLOOR:
            return group, members
    return Group.NONE, []


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0 ≤ q ≤ 1) of ``values`` by linear interpolation (numpy's default)."""
    if not values:
        raise ValueError("no values")
    return _quantile_sorted(sorted(values), q)


def _quantile_sorted(ordered: Sequence[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentile_rank(value: float, values: Sequence[float]) -> float:
    """The share of ``values`` below ``value``, plus half of those equal to it, in % (0–100)."""
    if not values:
        raise ValueError("no values")
    below = sum(1 for v in values if v < value)
    equal = sum(1 for v in values if v == value)
    return 100.0 * (below + 0.5 * equal) / len(values)


@dataclass(frozen=True)
class Standing:
    """Where a company stands on one dimension among its peers (None: fewer than ``K_FLOOR`` peers have a
    score there, so nothing is shown)."""

    count: int
    median: float | None
    p25: float | None
    p75: float | None
    percentile: float | None


@dataclass(frozen=True)
class Benchmark:
    """The group used, its size, and the standing per dimension."""

    group: Group
    size: int
    standings: dict[str, Standing]


def benchmark(mine: Profile, scores: Mapping[str, float | None], peers: Iterable[Peer]) -> Benchmark:
    """The company's benchmark: the group chosen by :func:`choose_group`, then per dimension the median,
    P25, P75 and the company's percentile over the group's companies that have a score there — withheld
    when fewer than ``K_FLOOR`` do."""
    group, members = choose_group(mine, peers)
    dimensions = sorted({d for p in members for d in p.scores} | set(scores))
    standings = {}
    for dimension in dimensions:
        values = [s for p in members if (s := p.scores.get(dimension)) is not None]
        if len(values) < K_FLOOR:
            standings[dimension] = Standing(len(values), None, None, None, None)
            continue
        own = scores.get(dimension)
        standings[dimension] = Standing(
            len(values),
            quantile(values, 0.5),
            quantile(values, 0.25),
            quantile(values, 0.75),
            None if own is None else percentile_rank(own, values),
        )
    return Benchmark(group, len(members), standings)


def _group_key(group: Group, profile: Profile) -> tuple[str, ...] | None:
    """The key of the group of this kind that a company of this profile belongs to (None: none, as an
    unknown sector or region matches nobody)."""
    if group is Group.NETWORK:
        return ()
    if group is Group.REGION:
        return None if profile.region is None else (profile.region,)
    if profile.section is None:
        return None
    if group is Group.SECTOR:
        return (profile.section,)
    if group is Group.SECTOR_SIZE:
        return (profile.section, profile.size_class)
    return None if profile.region is None else (profile.section, profile.size_class, profile.region)


GroupKey = tuple[Group, tuple[str, ...]]


def _keys(profile: Profile) -> Iterator[GroupKey]:
    for group in FALLBACK:
        key = _group_key(group, profile)
        if key is not None:
            yield group, key


@dataclass(frozen=True)
class PeerIndex:
    """The network's peer groups, gathered once: each group's size and each dimension's sorted scores
    (as compact arrays), so that any company's :func:`benchmark` costs a few look-ups and bisections.

    :meth:`add` and :meth:`remove` change it in place for one company (a few bisections and array moves
    per group), so that a process holding it follows score changes without gathering it again."""

    sizes: dict[GroupKey, int]
    values: dict[GroupKey, dict[str, array[float]]]

    def add(self, peer: Peer) -> None:
        """Count a company in its groups (as :func:`index` would have)."""
        for where in _keys(peer.profile):
            self.sizes[where] = self.sizes.get(where, 0) + 1
            found = self.values.setdefault(where, {})
            for dimension, value in peer.scores.items():
                bucket = found.setdefault(dimension, array("d"))
                if value is not None:
                    bisect.insort(bucket, value)

    def remove(self, peer: Peer) -> None:
        """Take out a company counted with exactly these profile and scores."""
        for where in _keys(peer.profile):
            left = self.sizes.get(where, 0) - 1
            if left <= 0:
                self.sizes.pop(where, None)
                self.values.pop(where, None)
                continue
            self.sizes[where] = left
            found = self.values[where]
            for dimension, value in peer.scores.items():
                bucket = found.get(dimension)
                if value is None or bucket is None:
                    continue
                position = bisect.bisect_left(bucket, value)
                if position < len(bucket) and bucket[position] == value:
                    del bucket[position]

    def group_of(self, mine: Profile) -> tuple[Group, tuple[str, ...]] | None:
        """The most specific group of this profile with at least ``K_FLOOR`` companies (None: none)."""
        for group in FALLBACK:
            key = _group_key(group, mine)
            if key is not None and self.sizes.get((group, key), 0) >= K_FLOOR:
                return group, key
        return None

    def benchmark(self, mine: Profile, scores: Mapping[str, float | None]) -> Benchmark:
        """The same as :func:`benchmark` of these scores among the indexed companies."""
        where = self.group_of(mine)
        if where is None:
            return Benchmark(Group.NONE, 0, {d: Standing(0, None, None, None, None) for d in sorted(scores)})
        return Benchmark(where[0], self.sizes[where], _standings(self.values[where], scores))


def index(everyone: Iterable[Peer]) -> PeerIndex:
    """Gather the peer groups of ``everyone`` (n log n: each group's values sorted once)."""
    sizes: dict[GroupKey, int] = defaultdict(int)
    values: dict[GroupKey, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for peer in everyone:
        for where in _keys(peer.profile):
            sizes[where] += 1
            found = values[where]
            for dimension, value in peer.scores.items():
                bucket = found[dimension]  # a dimension nobody scored still gets a standing
                if value is not None:
                    bucket.append(value)
    return PeerIndex(
        dict(sizes),
        {where: {d: array("d", sorted(v)) for d, v in found.items()} for where, found in values.items()},
    )


def benchmark_all(everyone: Iterable[Peer]) -> dict[int, Benchmark]:
    """Every company's :func:`benchmark` among ``everyone`` at once (the same figures as calling it for
    each), through one :class:`PeerIndex`: the cost grows as n log n with the number of companies, not n²."""
    everyone = list(everyone)
    peers_index = index(everyone)
    return {p.company_id: peers_index.benchmark(p.profile, p.scores) for p in everyone}


def _standings(
    group_values: Mapping[str, list[float]], scores: Mapping[str, float | None]
) -> dict[str, Standing]:
    """A company's standing per dimension among its group's sorted values (as :func:`benchmark`)."""
    standings = {}
    for dimension in sorted(set(group_values) | set(scores)):
        values = group_values.get(dimension, [])
        if len(values) < K_FLOOR:
            standings[dimension] = Standing(len(values), None, None, None, None)
            continue
        own = scores.get(dimension)
        percentile = None
        if own is not None:
            below = bisect.bisect_left(values, own)
            equal = bisect.bisect_right(values, own) - below
            percentile = 100.0 * (below + 0.5 * equal) / len(values)
        standings[dimension] = Standing(
            len(values),
            _quantile_sorted(values, 0.5),
            _quantile_sorted(values, 0.25),
            _quantile_sorted(values, 0.75),
            percentile,
        )
    return standings
