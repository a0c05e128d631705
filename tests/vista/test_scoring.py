"""The VISTA scoring rules (app.vista.scoring): the worked example of docs/vista.md, and hand-computed
cases for every item kind, "not relevant", a missing lens, insufficient data, capped coverage, negative
items and configurable weights."""

from __future__ import annotations

import pytest

from app.vista.scoring import (
    ItemAnswer,
    Level,
    UseFigures,
    Weights,
    level_of,
    normalise,
    score,
    score_dimension,
    use_score,
)


def tick(value, dimension="D3", **kw):
    return ItemAnswer(dimension, "A", "tick", value, **kw)


def agree(value, lens="I", dimension="D3", **kw):
    return ItemAnswer(dimension, lens, "agree", value, **kw)


def test_worked_example_of_the_document():
    answers = [tick(1), tick(1), tick(1), tick(0), agree(3, lens="U"), agree(4), agree(3)]
    use = UseFigures(completers=8, mastery=0.85, recency=0.75)
    d3 = score_dimension("D3", answers, use, headcount=20)
    assert d3.adoption == pytest.approx(75)
    assert d3.coverage == pytest.approx(0.4)
    assert d3.use_training == pytest.approx(60.5)
    assert d3.proficiency == pytest.approx(50)
    assert d3.use == pytest.approx(58.4)
    assert d3.impact == pytest.approx(62.5)
    assert d3.score == pytest.approx(67.52)
    assert d3.level == Level.MODERATELY_ADVANCED
    assert d3.missing_lenses == ()
    result = score(["D3"], answers, {"D3": use}, 20)
    assert result.overall == pytest.approx(67.52)
    assert result.level == Level.MODERATELY_ADVANCED
    assert result.dma == pytest.approx(75)


@pytest.mark.parametrize(
    ("kind", "raw", "negative", "expected"),
    [
        ("tick", 1, False, 1.0),
        ("tick", 0, False, 0.0),
        ("tick", 0, True, 1.0),
        ("invest", 2, False, 1.0),
        ("invest", 1, False, 0.5),
        ("invest", 0, False, 0.0),
        ("scale", 0, False, 0.0),
        ("scale", 3, False, 0.6),
        ("scale", 5, False, 1.0),
        ("scale", 4, True, 0.2),
        ("triple", 0, False, 0.0),
        ("triple", 1, False, 0.5),
        ("triple", 2, False, 1.0),
        ("agree", 1, False, 0.0),
        ("agree", 2, False, 0.25),
        ("agree", 5, False, 1.0),
        ("agree", 5, True, 0.0),
        ("figure", 12, False, None),
        ("scale", 6, False, None),
        ("agree", 0, False, None),
        ("triple", 3, False, None),
        ("invest", 1.5, False, None),
        ("tick", None, False, None),
        ("unknown", 1, False, None),
    ],
)
def test_every_item_kind_normalises(kind, raw, negative, expected):
    found = normalise(kind, raw, negative)
    assert found == (None if expected is None else pytest.approx(expected))


def test_not_relevant_leaves_numerator_and_denominator():
    # 10 scored items; 3 not relevant (30 %: not more than 30 %); of the 7 left, 4 ticked of 7 weighted.
    answers = [tick(1)] * 4 + [tick(0)] * 3 + [tick(1, not_relevant=True)] * 3
    d = score_dimension("D3", answers, None, headcount=None)
    assert not d.insufficient
    assert d.adoption == pytest.approx(100 * 4 / 7)


def test_more_than_30_percent_not_relevant_is_insufficient_data():
    answers = [tick(1)] * 6 + [tick(1, not_relevant=True)] * 4  # 40 %
    d = score_dimension("D3", answers, UseFigures(5, 1.0, 1.0), headcount=5)
    assert d.insufficient
    assert d.score is None and d.adoption is None and d.level is None
    # Figures do not count among the dimension's items.
    figures = [ItemAnswer("D3", "I", "figure", 3.0)] * 10
    assert score_dimension("D3", answers + figures, None, None).insufficient
    result = score(["D3", "D4"], [*answers, tick(1, dimension="D4")], {}, None)
    assert result.overall == pytest.approx(100)  # D4 only: the insufficient one is left out
    assert result.dma == pytest.approx(100)


def test_missing_lens_renormalises_weights():
    # No headcount, no self-rating: U missing. A = 50, I = 100 → (0.5·50 + 0.2·100) / 0.7.
    d = score_dimension("D2", [tick(1, "D2"), tick(0, "D2"), agree(5, dimension="D2")], None, None)
    assert d.use is None
    assert d.missing_lenses == ("U",)
    assert d.score == pytest.approx((0.5 * 50 + 0.2 * 100) / 0.7)
    # Only impact: the score is the impact.
    only = score_dimension("D2", [agree(4, dimension="D2")], None, None)
    assert only.missing_lenses == ("A", "U")
    assert only.score == pytest.approx(75)
    nothing = score_dimension("D2", [], None, None)
    assert nothing.score is None and nothing.missing_lenses == ("A", "U", "I")


def test_coverage_is_capped_and_counted_on_declared_headcount():
    assert use_score(UseFigures(50, 1.0, 1.0), 40) == (pytest.approx(100), 1.0)
    # 2 of 40 declared staff trained, perfectly and recently: coverage 0.05, not 1.
    assert use_score(UseFigures(2, 1.0, 1.0), 40)[0] == pytest.approx(100 * (0.025 + 0.3 + 0.2))
    assert use_score(UseFigures(0, None, None), 40) == (0.0, 0.0)
    assert use_score(UseFigures(3, 1.0, 1.0), None) == (None, None)
    assert use_score(UseFigures(3, 1.0, 1.0), 0) == (None, None)


def test_use_without_self_rating_is_training_only_and_self_rating_alone_counts():
    d = score_dimension("D3", [tick(1)], UseFigures(10, 0.5, 0.5), headcount=10)
    assert d.proficiency is None
    assert d.use == pytest.approx(100 * (0.5 + 0.15 + 0.1))
    p = score_dimension("D3", [tick(1), agree(5, lens="U")], None, headcount=None)
    assert p.use == pytest.approx(100)


def test_negative_items_and_item_weights():
    # An incident item agreed fully, marked negative, counts 0; weights 3 and 1: 100·(3·1 + 1·0)/4.
    answers = [
        ItemAnswer("D4", "A", "scale", 5, weight=3.0),
        ItemAnswer("D4", "A", "tick", 1, weight=1.0, negative=True),
    ]
    assert score_dimension("D4", answers, None, None).adoption == pytest.approx(75)


def test_configurable_lens_weights():
    answers = [tick(1), agree(1)]  # A = 100, I = 0
    d = score_dimension("D3", answers, UseFigures(0), headcount=10, weights=Weights(1, 1, 2))
    assert d.use == 0
    assert d.score == pytest.approx(100 / 4)
    zero_use = score_dimension("D3", answers, UseFigures(0), headcount=10, weights=Weights(1, 0, 1))
    assert zero_use.score == pytest.approx(50)
    assert zero_use.missing_lenses == ("U",)


def test_pulse_values_join_the_impact_mean():
    d = score_dimension("D5", [agree(5, dimension="D5")], None, None, pulse=[0.0, 0.5])
    assert d.impact == pytest.approx(100 * 1.5 / 3)
    result = score(["D5"], [], {}, None, pulse={"D5": [0.25]})
    assert result.dimensions["D5"].impact == pytest.approx(25)


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (0, Level.BASIC),
        (25, Level.BASIC),
        (25.01, Level.AVERAGE),
        (50, Level.AVERAGE),
        (50.5, Level.MODERATELY_ADVANCED),
        (75, Level.MODERATELY_ADVANCED),
        (75.2, Level.ADVANCED),
        (100, Level.ADVANCED),
        (None, None),
    ],
)
def test_levels(value, level):
    assert level_of(value) == level


def test_overall_is_mean_of_dimension_scores_and_dma_mean_of_adoption():
    answers = [tick(1, "D1"), tick(0, "D2"), agree(5, dimension="D3")]
    result = score(["D1", "D2", "D3", "D4"], answers, {}, None)
    assert result.dimensions["D4"].score is None
    assert result.overall == pytest.approx((100 + 0 + 100) / 3)
    assert result.dma == pytest.approx(50)
    assert result.level == Level.MODERATELY_ADVANCED
