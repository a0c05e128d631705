"""VISTA beyond one company: a Cybersite's companies with their scores and their movement between waves
(did training move them?), with anonymised aggregates; and the network observatory for administrators:
adoption and use by NAF section, size class and département, the most common gaps, and for each gap
whether the catalogue has a course tagged for it.

No aggregate over fewer than ``K_FLOOR`` companies is ever given: such a cell is withheld (None) and says
how many companies it would have counted. A fixed number of queries whatever the number of companies.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Company
from app.courses import vista_tags
from app.courses.models import Course
from app.vista import queries, scores, scoring
from app.vista.models import DIMENSIONS, Answer, Assessment, CompanyScore, QuestionnaireItem, Status
from app.vista.peers import K_FLOOR, naf_section

GAP_BELOW = 50.0  # a dimension scored under this is a gap


@dataclass(frozen=True)
class Aggregate:
    """A figure over a group of companies: withheld (``value`` None) under ``K_FLOOR`` companies."""

    count: int
    value: float | None

    @classmethod
    def of(cls, values: Sequence[float], how: str = "mean") -> Aggregate:
        """The mean (or median) of ``values``, withheld under the floor."""
        if len(values) < K_FLOOR:
            return cls(len(values), None)
        value = statistics.fmean(values) if how == "mean" else statistics.median(values)
        return cls(len(values), value)


@dataclass(frozen=True)
class CompanyLine:
    """One company of a Cybersite: its latest score and its T0 → T1 movement."""

    company_id: int
    name: str
    waves: tuple[str, ...]
    overall: float | None
    level: scoring.Level | None
    t0: float | None
    t1: float | None

    @property
    def change(self) -> float | None:
        """T1 minus T0, when both waves were submitted."""
        return None if self.t0 is None or self.t1 is None else self.t1 - self.t0


@dataclass(frozen=True)
class SiteView:
    """A Cybersite's companies, and anonymised aggregates of those assessed."""

    companies: list[CompanyLine]
    medians: dict[str, Aggregate]  # per dimension, and "overall"
    movement: Aggregate  # mean T1 − T0 of the companies with both waves

    @property
    def assessed(self) -> int:
        """How many of its companies submitted at least one wave."""
        return sum(1 for c in self.companies if c.waves)


def _latest_scores(session: Session, company_filter: object | None) -> list[tuple[object, ...]]:
    query = select(
        CompanyScore.company_id,
        CompanyScore.dimension,
        CompanyScore.adoption,
        CompanyScore.use,
        CompanyScore.score,
        Company.naf_code,
        Company.size_class,
        Company.departement,
    ).join(Company, Company.id == CompanyScore.company_id)
    if company_filter is not None:
        query = query.where(company_filter)  # type: ignore[arg-type]
    return list(session.execute(query).all())


def _wave_scores(session: Session, company_ids: Iterable[int]) -> tuple[dict[int, tuple[str, ...]], dict]:
    """Each company's submitted waves, and the overall score of its T0 and T1 as of their submission."""
    refs = scores.submitted(session, company_ids)
    waves = {cid: tuple(sorted(r.wave for r in found if r.wave)) for cid, found in refs.items()}
    chosen = [r for found in refs.values() for r in found if r.wave in ("T0", "T1")]
    scored = scores.score_assessments(session, chosen, as_of_submission=frozenset(r.id for r in chosen))
    by_wave: dict[tuple[int, str], float | None] = {}
    for s in scored.values():
        by_wave[(s.assessment.company_id, s.assessment.wave or "")] = s.result.overall
    return waves, by_wave


def site_view(session: Session, cybersite_id: int) -> SiteView:
    """The companies of a Cybersite (active ones), their scores and movement, and the aggregates."""
    companies = session.execute(
        select(Company.id, Company.legal_name)
        .where(Company.cybersite_id == cybersite_id, Company.active.is_(True))
        .order_by(Company.legal_name, Company.id)
    ).all()
    ids = [c.id for c in companies]
    latest = _latest_scores(session, Company.cybersite_id == cybersite_id) if ids else []
    overall = {row[0]: row[4] for row in latest if row[1] is None}
    waves, by_wave = _wave_scores(session, ids) if ids else ({}, {})
    lines = [
        CompanyLine(
            c.id,
            c.legal_name,
            waves.get(c.id, ()),
            overall.get(c.id),
            scoring.level_of(overall.get(c.id)),
            by_wave.get((c.id, "T0")),
            by_wave.get((c.id, "T1")),
        )
        for c in companies
    ]
    per_dimension: dict[str, list[float]] = defaultdict(list)
    for _company_id, dimension, _a, _u, score, *_ in latest:
        if score is not None:
            per_dimension[dimension or "overall"].append(score)
    medians = {key: Aggregate.of(per_dimension.get(key, []), "median") for key in (*DIMENSIONS, "overall")}
    changes = [line.change for line in lines if line.change is not None]
    return SiteView(lines, medians, Aggregate.of(changes))


# The network observatory ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """Adoption and use of one dimension in one group of companies."""

    adoption: Aggregate
    use: Aggregate


@dataclass(frozen=True)
class GroupLine:
    """A group of companies (a sector, a size class, a département) and its cells per dimension."""

    key: str
    companies: int
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Gap:
    """A common gap: a dimension, or an adoption item, where many companies score low; and the courses of
    the catalogue tagged for its dimension."""

    dimension: str
    item_code: str | None
    text: str
    share: Aggregate  # share of assessed companies with the gap (0–1)
    courses: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        """Whether the catalogue has a course tagged for this gap's dimension."""
        return bool(self.courses)


@dataclass(frozen=True)
class Observatory:
    """The network's figures, by group, and its gaps (most common first)."""

    assessed: int
    by_section: list[GroupLine]
    by_size: list[GroupLine]
    by_departement: list[GroupLine]
    gaps: list[Gap]
    computed_at: datetime | None


def _groups(rows: Sequence[tuple[object, ...]], key_of: int) -> list[GroupLine]:
    adoption: dict[tuple[str, str], list[float]] = defaultdict(list)
    use: dict[tuple[str, str], list[float]] = defaultdict(list)
    members: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        company_id, dimension, a, u = row[0], row[1], row[2], row[3]
        key = row[key_of]
        if dimension is None or key is None:
            continue
        members[str(key)].add(int(company_id))  # type: ignore[call-overload]
        if a is not None:
            adoption[(str(key), str(dimension))].append(float(a))  # type: ignore[arg-type]
        if u is not None:
            use[(str(key), str(dimension))].append(float(u))  # type: ignore[arg-type]
    return [
        GroupLine(
            key,
            len(members[key]),
            {d: Cell(Aggregate.of(adoption[(key, d)]), Aggregate.of(use[(key, d)])) for d in DIMENSIONS},
        )
        for key in sorted(members)
    ]


def _catalogue(session: Session) -> dict[str, list[str]]:
    """The titles of the published courses tagged with each dimension (two queries)."""
    courses = session.execute(
        select(Course.course_key, Course.title).where(Course.published_tree_id.is_not(None))
    ).all()
    tags = queries.course_tags(session, [c.course_key for c in courses])
    found: dict[str, list[str]] = defaultdict(list)
    for key, title in sorted(courses, key=lambda c: c.title):
        for dimension in tags.get(key, {}):
            found[dimension].append(title)
    return found


def _item_gaps(session: Session, language: str) -> list[Gap]:
    """Adoption items the companies' latest waves most often answer low (value under 0.5), one query."""
    newest: dict[int, int] = {}
    rows = session.execute(
        select(
            Assessment.company_id,
            Assessment.id,
            QuestionnaireItem.code,
            QuestionnaireItem.dimension,
            QuestionnaireItem.kind,
            QuestionnaireItem.negative,
            QuestionnaireItem.text_fr,
            QuestionnaireItem.text_en,
            Answer.value,
            Answer.not_relevant,
        )
        .join(Answer, Answer.assessment_id == Assessment.id)
        .join(QuestionnaireItem, QuestionnaireItem.id == Answer.item_id)
        .where(
            Assessment.status == Status.SUBMITTED.value,
            QuestionnaireItem.lens == "A",
            QuestionnaireItem.dimension.is_not(None),
        )
        .order_by(Assessment.company_id, Assessment.submitted_at.desc(), Assessment.id.desc())
    ).all()
    low: dict[tuple[str, str], list[bool]] = defaultdict(list)
    texts: dict[tuple[str, str], str] = {}
    for (
        company_id,
        assessment_id,
        code,
        dimension,
        kind,
        negative,
        text_fr,
        text_en,
        value,
        not_relevant,
    ) in rows:
        if newest.setdefault(company_id, assessment_id) != assessment_id or not_relevant:
            continue
        normalised = scoring.normalise(kind, value, negative)
        if normalised is None:
            continue
        low[(dimension, code)].append(normalised < 0.5)
        texts[(dimension, code)] = text_en if language == "en" else text_fr
    gaps = []
    for (dimension, code), flags in low.items():
        share = Aggregate.of([1.0 if f else 0.0 for f in flags])
        if share.value is not None:
            gaps.append(Gap(dimension, code, texts[(dimension, code)], share))
    return gaps


def observatory(session: Session, language: str = "fr", top: int = 10) -> Observatory:
    """The network's figures by sector, size class and département, and its most common gaps."""
    rows = _latest_scores(session, None)
    sectioned = [(*row[:5], naf_section(row[5]), row[6], row[7]) for row in rows]  # type: ignore[arg-type]
    assessed = len({row[0] for row in rows})
    catalogue = _catalogue(session)
    dimension_gaps = []
    for dimension in DIMENSIONS:
        flags = [
            1.0 if row[4] < GAP_BELOW else 0.0 for row in rows if row[1] == dimension and row[4] is not None
        ]
        share = Aggregate.of(flags)
        dimension_gaps.append(
            Gap(dimension, None, str(vista_tags.DIMENSIONS[dimension]), share, catalogue.get(dimension, []))
        )
    items = [
        Gap(g.dimension, g.item_code, g.text, g.share, catalogue.get(g.dimension, []))
        for g in _item_gaps(session, language)
    ]
    ranked = (
        sorted(
            [g for g in dimension_gaps if g.share.value is not None],
            key=lambda g: (-(g.share.value or 0.0), g.dimension),
        )
        + sorted(items, key=lambda g: (-(g.share.value or 0.0), g.dimension, g.item_code or ""))[:top]
    )
    computed = session.scalar(
        select(CompanyScore.computed_at).order_by(CompanyScore.computed_at.desc()).limit(1)
    )
    return Observatory(
        assessed,
        _groups(sectioned, 5),
        _groups(sectioned, 6),
        _groups(sectioned, 7),
        ranked,
        computed.replace(tzinfo=UTC) if computed is not None and computed.tzinfo is None else computed,
    )
