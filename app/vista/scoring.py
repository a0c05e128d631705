"""VISTA scoring (docs/vista.md, "Scoring"): answers and training figures in, scores 0–100 out. Pure: no
database, no Flask; :mod:`app.vista.scores` feeds it and stores what it returns.

Raw answers, as stored in ``vista_answer.value`` (one float per item), read per item kind:

- ``tick``: 1 ticked, 0 not → 1 / 0;
- ``invest``: 2 already invested, 1 plan to invest, 0 neither → 1 / 0.5 / 0;
- ``scale``: 0 not used … 5 operational → s / 5;
- ``triple``: 0 No, 1 Partly, 2 Yes → 0 / 0.5 / 1;
- ``agree``: 1 strongly disagree … 5 strongly agree → (v − 1) / 4;
- ``figure``: a raw figure, shown with its change, never scored.

An item marked negative counts 1 − x. An item answered "not relevant" leaves numerator and denominator;
an unanswered item too (the answering pages require the required ones).

Choices the document leaves open, made here:

- "More than 30 % of a dimension's items not relevant" counts over the dimension's *scored* items of every
  lens (adoption, self-rated use, impact; figures excluded), because the rule is about the dimension, not
  one lens. Such a dimension gets no score at all (no lens values either): "insufficient data".
- U_d needs the declared headcount (coverage is counted on it); with none, U_d has no data. Mastery and
  recency with no completion at all are 0 (nobody trained: nothing to show), not missing.
- U*_d = 0.8 U_d + 0.2 P_d when both exist; U_d alone when nobody answered the self-rated items; P_d alone
  when only they exist.
- I_d is the mean of the normalised impact items and of any extra pulse values in [0, 1] given for the
  dimension, all counted alike.
- M_d weights the lenses that have data, re-normalised; the lenses missing are returned.
- Levels for non-integer scores: ≤ 25 basic, ≤ 50 average, ≤ 75 moderately advanced, above advanced.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

NOT_RELEVANT_LIMIT = 0.30
INVEST = {2.0: 1.0, 1.0: 0.5, 0.0: 0.0}
TRIPLE = {2.0: 1.0, 1.0: 0.5, 0.0: 0.0}


class Level(enum.StrEnum):
    """The four DMA levels a score falls in."""

    BASIC = "basic"
    AVERAGE = "average"
    MODERATELY_ADVANCED = "moderately advanced"
    ADVANCED = "advanced"


def level_of(score: float | None) -> Level | None:
    """The level of a score 0–100: ≤ 25 basic, ≤ 50 average, ≤ 75 moderately advanced, above advanced."""
    if score is None:
        return None
    if score <= 25:
        return Level.BASIC
    if score <= 50:
        return Level.AVERAGE
    if score <= 75:
        return Level.MODERATELY_ADVANCED
    return Level.ADVANCED


@dataclass(frozen=True)
class ItemAnswer:
    """One item of the questionnaire with the company's answer (``value`` None: not answered)."""

    dimension: str | None
    lens: str  # "A", "U" or "I"
    kind: str  # an ItemKind value
    value: float | None
    not_relevant: bool = False
    weight: float = 1.0
    negative: bool = False


@dataclass(frozen=True)
class UseFigures:
    """What training says of one dimension: staff who completed a tagged course, their mean passed grade
    (0–1, None: no passed graded course) and the share of their completions in the last 12 months."""

    completers: int = 0
    mastery: float | None = None
    recency: float | None = None


@dataclass(frozen=True)
class Weights:
    """The weights of the lenses in a dimension score (re-normalised over the lenses with data)."""

    adoption: float = 0.5
    use: float = 0.3
    impact: float = 0.2


@dataclass(frozen=True)
class DimensionScore:
    """One dimension's result: lens scores, its score and level, and what was missing."""

    dimension: str
    adoption: float | None = None
    use_training: float | None = None  # U_d, from training only
    proficiency: float | None = None  # P_d, self-rated
    use: float | None = None  # U*_d
    impact: float | None = None
    score: float | None = None
    level: Level | None = None
    insufficient: bool = False
    missing_lenses: tuple[str, ...] = ()
    coverage: float | None = None


@dataclass(frozen=True)
class Result:
    """Every dimension's result, the overall score and level, and the DMA-comparable score."""

    dimensions: dict[str, DimensionScore]
    overall: float | None
    level: Level | None
    dma: float | None
    weights: Weights = field(default_factory=Weights)


def normalise(kind: str, value: float | None, negative: bool = False) -> float | None:
    """An answer as a value in [0, 1] (None: a figure, no answer, or a value the kind does not know)."""
    if value is None or kind == "figure":
        return None
    if kind == "tick":
        x = 1.0 if value >= 1 else 0.0 if value == 0 else None
    elif kind == "invest":
        x = INVEST.get(float(value))
    elif kind == "triple":
        x = TRIPLE.get(float(value))
    elif kind == "scale":
        x = value / 5 if 0 <= value <= 5 else None
    elif kind == "agree":
        x = (value - 1) / 4 if 1 <= value <= 5 else None
    else:
        x = None
    if x is None:
        return None
    return 1.0 - x if negative else x


def _weighted(pairs: Iterable[tuple[float, float]]) -> float | None:
    pairs = list(pairs)
    total = sum(w for w, _ in pairs)
    return 100 * sum(w * x for w, x in pairs) / total if total > 0 else None


def use_score(figures: UseFigures | None, headcount: int | None) -> tuple[float | None, float | None]:
    """U_d (0–100) and the coverage it used; (None, None) without a declared headcount."""
    if not headcount or headcount <= 0:
        return None, None
    figures = figures or UseFigures()
    coverage = min(1.0, figures.completers / headcount)
    mastery = figures.mastery or 0.0
    recency = figures.recency or 0.0
    return 100 * (0.5 * coverage + 0.3 * mastery + 0.2 * recency), coverage


def _combine(lenses: dict[str, float | None], weights: Weights) -> tuple[float | None, tuple[str, ...]]:
    weight = {"A": weights.adoption, "U": weights.use, "I": weights.impact}
    present = {k: v for k, v in lenses.items() if v is not None and weight[k] > 0}
    missing = tuple(k for k in ("A", "U", "I") if k not in present)
    total = sum(weight[k] for k in present)
    if not present or total <= 0:
        return None, missing
    return sum(weight[k] * v for k, v in present.items()) / total, missing


def score_dimension(
    dimension: str,
    answers: Sequence[ItemAnswer],
    use: UseFigures | None,
    headcount: int | None,
    *,
    pulse: Sequence[float] = (),
    weights: Weights | None = None,
) -> DimensionScore:
    """One dimension's scores from its items' answers, its training figures and optional pulse values."""
    weights = weights or Weights()
    scored = [a for a in answers if a.kind != "figure"]
    not_relevant = sum(1 for a in scored if a.not_relevant)
    if scored and not_relevant / len(scored) > NOT_RELEVANT_LIMIT:
        return DimensionScore(dimension, insufficient=True, missing_lenses=("A", "U", "I"))
    values: dict[str, list[tuple[float, float]]] = {"A": [], "U": [], "I": []}
    for a in scored:
        x = None if a.not_relevant else normalise(a.kind, a.value, a.negative)
        if x is not None and a.lens in values:
            values[a.lens].append((a.weight, x))
    adoption = _weighted(values["A"])
    proficiency = _weighted(values["U"])
    training, coverage = use_score(use, headcount)
    if training is not None and proficiency is not None:
        use_star: float | None = 0.8 * training + 0.2 * proficiency
    else:
        use_star = training if training is not None else proficiency
    impacts = [x for _, x in values["I"]] + [min(1.0, max(0.0, float(p))) for p in pulse]
    impact = 100 * sum(impacts) / len(impacts) if impacts else None
    score, missing = _combine({"A": adoption, "U": use_star, "I": impact}, weights)
    return DimensionScore(
        dimension,
        adoption=adoption,
        use_training=training,
        proficiency=proficiency,
        use=use_star,
        impact=impact,
        score=score,
        level=level_of(score),
        missing_lenses=missing,
        coverage=coverage,
    )


def score(
    dimensions: Sequence[str],
    answers: Sequence[ItemAnswer],
    use: Mapping[str, UseFigures],
    headcount: int | None,
    *,
    pulse: Mapping[str, Sequence[float]] | None = None,
    weights: Weights | None = None,
) -> Result:
    """Every dimension's scores, the overall M (mean of the dimension scores that exist) and the
    DMA-comparable score (mean of the adoption scores that exist)."""
    weights = weights or Weights()
    pulse = pulse or {}
    results = {
        d: score_dimension(
            d,
            [a for a in answers if a.dimension == d],
            use.get(d),
            headcount,
            pulse=pulse.get(d, ()),
            weights=weights,
        )
        for d in dimensions
    }
    totals = [r.score for r in results.values() if r.score is not None]
    adoptions = [r.adoption for r in results.values() if r.adoption is not None]
    overall = sum(totals) / len(totals) if totals else None
    dma = sum(adoptions) / len(adoptions) if adoptions else None
    return Result(results, overall, level_of(overall), dma, weights)
