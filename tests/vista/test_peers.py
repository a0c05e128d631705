"""Peer groups and standings, hand-computed: every fall-back step, the k ≥ 10 floor, quantiles."""

from __future__ import annotations

import random

import pytest

from app.vista.peers import (
    Group,
    Peer,
    Profile,
    benchmark,
    benchmark_all,
    choose_group,
    naf_section,
    percentile_rank,
    quantile,
    region_of,
)

BAKERY = Profile("C", "micro", "Auvergne-Rhône-Alpes")


def _peers(n: int, profile: Profile, start: int = 0, score: float | None = 50.0) -> list[Peer]:
    return [Peer(start + i, profile, {"D1": score if score is None else score + i}) for i in range(n)]


@pytest.mark.parametrize(
    ("code", "section"),
    [("10.71C", "C"), ("47.11B", "G"), ("96.02A", "S"), ("01.11Z", "A"), ("35.11Z", "D"), ("99.00Z", "U"),
     ("04.00Z", None), ("", None), (None, None), ("AB.12", None)],
)  # fmt: skip
def test_naf_sections(code, section):
    assert naf_section(code) == section


def test_regions_of_departements():
    assert (
        region_of("63") == "Auvergne-Rhône-Alpes" and region_of("2a") == "Corse" and region_of("00") is None
    )


def test_the_most_specific_group_with_ten_companies_is_used():
    peers = _peers(10, BAKERY) + _peers(30, Profile("G", "small", "Bretagne"), start=100)
    group, members = choose_group(BAKERY, peers)
    assert group is Group.SECTOR_SIZE_REGION and len(members) == 10


@pytest.mark.parametrize(
    ("others", "expected", "size"),
    [
        # 9 alike are too few: same sector and size elsewhere make it 12.
        ([(9, BAKERY), (3, Profile("C", "micro", "Bretagne"))], Group.SECTOR_SIZE, 12),
        # Sector only: small manufacturers count, shops do not.
        ([(5, BAKERY), (5, Profile("C", "small", "Bretagne")), (20, Profile("G", "micro", "Bretagne"))],
         Group.SECTOR, 10),
        # Region: the Auvergne shops and hairdressers.
        ([(3, BAKERY), (8, Profile("G", "micro", "Auvergne-Rhône-Alpes")),
          (4, Profile("S", "small", "Corse"))], Group.REGION, 11),
        # The network: 10 in all, nothing closer.
        ([(2, BAKERY), (8, Profile("G", "small", "Bretagne"))], Group.NETWORK, 10),
        # Nine in the whole network: no group at all.
        ([(9, Profile("G", "small", "Bretagne"))], Group.NONE, 0),
    ],
)  # fmt: skip
def test_every_fallback_step(others, expected, size):
    peers, start = [], 0
    for count, profile in others:
        peers += _peers(count, profile, start)
        start += count
    group, members = choose_group(BAKERY, peers)
    assert (group, len(members)) == (expected, size)


def test_an_unknown_sector_or_region_never_matches_by_accident():
    unknown = Profile(None, "micro", None)
    peers = _peers(12, Profile(None, "micro", None))
    assert choose_group(unknown, peers)[0] is Group.NETWORK


def test_quantiles_interpolate_linearly():
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert quantile(values, 0.5) == 55.0
    assert quantile(values, 0.25) == pytest.approx(32.5)  # position 2.25: 30 + 0.25 × 10
    assert quantile(values, 0.75) == pytest.approx(77.5)
    assert quantile([7.0], 0.5) == 7.0
    with pytest.raises(ValueError):
        quantile([], 0.5)


def test_percentile_rank_counts_ties_half():
    assert percentile_rank(50, [10, 50, 50, 90]) == 50.0  # 1 below + half of 2 equal, of 4
    assert percentile_rank(100, [10, 20]) == 100.0 and percentile_rank(0, [10, 20]) == 0.0


def test_benchmark_withholds_dimensions_scored_by_fewer_than_ten():
    peers = [Peer(i, BAKERY, {"D1": 10.0 * (i + 1), "D2": 50.0 if i < 9 else None}) for i in range(12)]
    result = benchmark(BAKERY, {"D1": 45.0, "D2": 50.0}, peers)
    assert result.group is Group.SECTOR_SIZE_REGION and result.size == 12
    d1 = result.standings["D1"]
    # D1 values 10…120: median at position 5.5 → 65; P25 at 2.75 → 37.5; P75 at 8.25 → 92.5.
    assert (d1.count, d1.median, d1.p25, d1.p75) == (12, 65.0, 37.5, 92.5)
    assert d1.percentile == pytest.approx(100 * 4 / 12)  # 10, 20, 30, 40 below 45
    d2 = result.standings["D2"]
    assert d2.count == 9 and d2.median is None and d2.percentile is None


def test_no_group_means_no_figure_at_all():
    result = benchmark(BAKERY, {"D1": 50.0}, _peers(9, BAKERY))
    assert result.group is Group.NONE and result.size == 0
    assert all(s.median is None for s in result.standings.values())


def _network(rng, count: int) -> list[Peer]:
    profiles = [
        BAKERY,
        Profile("C", "small", "Auvergne-Rhône-Alpes"),
        Profile("C", "micro", "Bretagne"),
        Profile("G", "micro", "Bretagne"),
        Profile(None, "micro", "Bretagne"),
        Profile("F", "medium", None),
    ]
    return [
        Peer(
            n,
            profiles[rng.randrange(len(profiles))],
            # Ties (whole numbers), dimensions without a score, a dimension only some companies have.
            {
                "D1": float(rng.randrange(0, 100, 5)),
                "D2": None if rng.random() < 0.3 else rng.uniform(0, 100),
                **({"D3": float(rng.randrange(3))} if rng.random() < 0.5 else {}),
            },
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [0, 5, 9, 10, 40, 300])
def test_every_company_benchmarked_at_once_as_one_by_one(count):
    everyone = _network(random.Random(count), count)
    found = benchmark_all(everyone)
    assert set(found) == {p.company_id for p in everyone}
    for peer in everyone:
        assert found[peer.company_id] == benchmark(peer.profile, peer.scores, everyone), peer
    if count >= 40:  # the fall-backs were all exercised
        assert len({b.group for b in found.values()}) >= 3
    if 0 < count < 10:
        assert {b.group for b in found.values()} == {Group.NONE}
