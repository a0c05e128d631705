"""The data of a company's VISTA report (docs/vista.md, "What the company sees"): the latest submitted
wave's scores with their change since the previous wave, per dimension A / U / I and M with the notes
"insufficient data" and "lens missing", the raw figures with their change, the weights of the score, and
the training summary (cohorts; staff enrolled, completed, passed per course), and per dimension its three
largest gaps (the answered items furthest from their best answer, weighted; never a "not relevant" one)
and the catalogue's courses tagged with it, with the company's open training requests; the trend of every
submitted wave, each scored as of its submission.

The same data feeds the page and the JSON. A fixed number of queries whatever the number of answers,
staff or courses. The latest wave is scored with today's training (as stored in ``vista_company_score``);
the previous one as of its submission (its answers and the training done by then).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.accounts.models import Company
from app.cohorts.models import Cohort, CohortCompany
from app.core.database import read_columns
from app.courses import vista_tags
from app.progress.queries import staff as staff_queries
from app.vista import queries, scores, scoring
from app.vista.models import TrainingRequest

# How many gaps a dimension card shows (docs/vista.md: the three largest).
GAPS_SHOWN = 3


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


@dataclass(frozen=True)
class Gap:
    """An answered item of a dimension short of its best answer: ``achieved`` in [0, 1] (its normalised
    value) and ``shortfall`` = weight · (1 − achieved), what ranks it."""

    code: str
    text: str
    lens: str
    achieved: float
    shortfall: float


@dataclass(frozen=True)
class Recommendation:
    """A published course tagged with a dimension, how many of the company's staff completed it, and when
    the company asked its Cybersite to enrol its staff (None: no open request)."""

    course_id: int
    course_key: str
    title: str
    weight: float
    open_enrolment: bool
    completed: int = 0
    requested_at: datetime | None = None


@dataclass(frozen=True)
class DimensionLine:
    """A dimension of the report: this wave's scores, the previous wave's score and the change, its
    largest gaps and the courses that train for it."""

    current: scoring.DimensionScore
    previous_score: float | None
    gaps: tuple[Gap, ...] = ()
    courses: tuple[Recommendation, ...] = ()

    @property
    def dimension(self) -> str:
        """The dimension's code (D1…D6)."""
        return self.current.dimension

    @property
    def name(self) -> str:
        """The dimension's name in the reader's language."""
        return str(vista_tags.DIMENSIONS[self.current.dimension])

    @property
    def change(self) -> float | None:
        """The change of the dimension score since the previous wave."""
        return _change(self.current.score, self.previous_score)


@dataclass(frozen=True)
class Figure:
    """A raw figure the company declared (hours saved, share of sales online, incidents): never scored."""

    code: str
    text: str
    unit: str
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """The change since the previous wave."""
        return _change(self.value, self.previous)


@dataclass(frozen=True)
class CourseLine:
    """A course the company's staff follow: how many are enrolled, completed it, passed it."""

    course_key: str
    title: str
    enrolled: int = 0
    completed: int = 0
    passed: int = 0


@dataclass(frozen=True)
class CohortLine:
    """A cohort the company takes part in."""

    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class WavePoint:
    """A submitted wave in the trends: its overall and per-dimension scores as of its submission (the
    latest: with today's training)."""

    wave: str
    submitted_at: datetime | None
    overall: float | None
    dimensions: dict[str, float | None]


@dataclass
class Report:
    """A company's report; ``latest`` None: the company has submitted no assessment yet."""

    company: Company
    latest: scores.AssessmentRef | None = None
    previous: scores.AssessmentRef | None = None
    result: scoring.Result | None = None
    previous_result: scoring.Result | None = None
    dimensions: list[DimensionLine] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    courses: list[CourseLine] = field(default_factory=list)
    cohorts: list[CohortLine] = field(default_factory=list)
    trend: list[WavePoint] = field(default_factory=list)  # oldest first

    @property
    def change(self) -> float | None:
        """The change of the overall score since the previous wave."""
        if self.result is None or self.previous_result is None:
            return None
        return _change(self.result.overall, self.previous_result.overall)

    def as_json(self) -> dict[str, Any]:
        """The report as the JSON the company's own tools read."""

        def when(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        def wave(ref: scores.AssessmentRef | None) -> dict[str, Any] | None:
            return None if ref is None else {"wave": ref.wave, "submitted_at": when(ref.submitted_at)}

        result = self.result
        weights = result.weights if result else scoring.Weights()
        return {
            "company": {"id": self.company.id, "name": self.company.legal_name},
            "assessment": wave(self.latest),
            "previous_assessment": wave(self.previous),
            "overall": None
            if result is None
            else {
                "score": result.overall,
                "level": result.level.value if result.level else None,
                "change": self.change,
                "dma_comparable": result.dma,
            },
            "weights": {"adoption": weights.adoption, "use": weights.use, "impact": weights.impact},
            "dimensions": [
                {
                    "dimension": line.dimension,
                    "name": line.name,
                    "adoption": line.current.adoption,
                    "use": line.current.use,
                    "use_training": line.current.use_training,
                    "proficiency": line.current.proficiency,
                    "coverage": line.current.coverage,
                    "impact": line.current.impact,
                    "score": line.current.score,
                    "level": line.current.level.value if line.current.level else None,
                    "insufficient_data": line.current.insufficient,
                    "missing_lenses": list(line.current.missing_lenses),
                    "previous_score": line.previous_score,
                    "change": line.change,
                    "gaps": [
                        {"code": g.code, "text": g.text, "lens": g.lens, "achieved": g.achieved}
                        for g in line.gaps
                    ],
                    "courses": [
                        {
                            "course_key": c.course_key,
                            "title": c.title,
                            "weight": c.weight,
                            "staff_completed": c.completed,
                            "requested_at": when(c.requested_at),
                        }
                        for c in line.courses
                    ],
                }
                for line in self.dimensions
            ],
            "trend": [
                {
                    "wave": p.wave,
                    "submitted_at": when(p.submitted_at),
                    "overall": p.overall,
                    "dimensions": p.dimensions,
                }
                for p in self.trend
            ],
            "figures": [
                {"code": f.code, "label": f.text, "unit": f.unit, "value": f.value, "previous": f.previous}
                for f in self.figures
            ],
            "training": {
                "cohorts": [
                    {"name": c.name, "starts_on": c.starts_on.isoformat(), "ends_on": c.ends_on.isoformat()}
                    for c in self.cohorts
                ],
                "courses": [
                    {
                        "course_key": c.course_key,
                        "title": c.title,
                        "enrolled": c.enrolled,
                        "completed": c.completed,
                        "passed": c.passed,
                    }
                    for c in self.courses
                ],
            },
        }


def _courses(session: Session, company_id: int) -> list[CourseLine]:
    # The company managers' staff × courses table (app.progress), summed per course.
    rows = read_columns(session, staff_queries.COMPANY_STAFF, {"company_id": company_id})
    tallies: dict[str, list[Any]] = {}
    for row in rows:
        _uid, _name, _email, key, title, enrolment_id, _cp, _percent, _grade, passed, _last, completed_at = (
            row
        )
        if key is None:
            continue
        tally = tallies.setdefault(key, [title, 0, 0, 0])
        tally[1] += enrolment_id is not None
        tally[2] += completed_at is not None
        tally[3] += bool(passed)
    return [CourseLine(key, *t) for key, t in sorted(tallies.items(), key=lambda kv: (kv[1][0], kv[0]))]


# Built once, as the report's other statements (building one costs more than running it).
_COHORTS = (
    select(Cohort.name, Cohort.starts_on, Cohort.ends_on)
    .join(CohortCompany, CohortCompany.cohort_id == Cohort.id)
    .where(CohortCompany.company_id == bindparam("company_id"))
    .order_by(Cohort.starts_on.desc(), Cohort.id)
)
_OPEN_REQUESTS = select(TrainingRequest.course_id, TrainingRequest.requested_at).where(
    TrainingRequest.company_id == bindparam("company_id"), TrainingRequest.handled_at.is_(None)
)


def _cohorts(session: Session, company_id: int) -> list[CohortLine]:
    rows = read_columns(session, _COHORTS, {"company_id": company_id})
    return [CohortLine(*row) for row in rows]


def _figures(rows: list[Any], previous_rows: list[Any], language: str) -> list[Figure]:
    before = {r.code: r.value for r in previous_rows if r.kind == "figure"}
    english = language == "en"
    return [
        Figure(
            r.code,
            r.text_en if english else r.text_fr,
            r.unit_en if english else r.unit_fr,
            r.value,
            before.get(r.code),
        )
        for r in rows
        if r.kind == "figure"
    ]


def _gaps(rows: list[Any], language: str) -> dict[str, tuple[Gap, ...]]:
    english = language == "en"
    found: dict[str, list[tuple[float, int, Gap]]] = {}
    for position, r in enumerate(rows):
        if r.dimension is None or r.not_relevant:
            continue
        achieved = scoring.normalise(r.kind, r.value, bool(r.negative))
        if achieved is None or achieved >= 1:
            continue
        shortfall = (r.weight or 0) * (1 - achieved)
        if shortfall <= 0:
            continue
        gap = Gap(r.code, r.text_en if english else r.text_fr, r.lens, achieved, shortfall)
        found.setdefault(r.dimension, []).append((-shortfall, position, gap))
    return {d: tuple(g for *_k, g in sorted(items)[:GAPS_SHOWN]) for d, items in found.items()}


def _recommendations(
    session: Session, company_id: int, completed: dict[str, int]
) -> dict[str, tuple[Recommendation, ...]]:
    requests = dict(read_columns(session, _OPEN_REQUESTS, {"company_id": company_id}).all())
    found: dict[str, list[Recommendation]] = {}
    for course in queries.tagged_catalogue(session):
        for dimension, weight in course.tags.items():
            found.setdefault(dimension, []).append(
                Recommendation(
                    course.course_id,
                    course.course_key,
                    course.title,
                    weight,
                    course.open_enrolment,
                    completed.get(course.course_key, 0),
                    requests.get(course.course_id),
                )
            )
    # The courses that weigh most for the dimension first, then those fewest staff completed.
    return {
        d: tuple(sorted(items, key=lambda c: (-c.weight, c.completed, c.title, c.course_key)))
        for d, items in found.items()
    }


def build(session: Session, company: Company, language: str = "fr") -> Report:
    """The report of ``company`` (language: that of the items' wording, "fr" or "en")."""
    report = Report(company)
    waves = scores.submitted(session, [company.id]).get(company.id, [])
    report.courses = _courses(session, company.id)
    report.cohorts = _cohorts(session, company.id)
    if not waves:
        return report
    report.latest = waves[0]
    report.previous = waves[1] if len(waves) > 1 else None
    answers = scores.answers_of(session, waves)
    scored = scores.score_assessments(
        session, waves, as_of_submission=frozenset(w.id for w in waves[1:]), answers=answers
    )
    report.trend = [
        WavePoint(
            w.wave,
            w.submitted_at,
            scored[w.id].result.overall,
            {d: s.score for d, s in scored[w.id].result.dimensions.items()},
        )
        for w in reversed(waves)
    ]
    report.result = scored[report.latest.id].result
    if report.previous is not None:
        report.previous_result = scored[report.previous.id].result
    before = report.previous_result.dimensions if report.previous_result else {}
    latest_rows = answers.get(report.latest.id, [])
    gaps = _gaps(latest_rows, language)
    courses = _recommendations(session, company.id, {c.course_key: c.completed for c in report.courses})
    report.dimensions = [
        DimensionLine(
            d,
            before[d.dimension].score if d.dimension in before else None,
            gaps.get(d.dimension, ()),
            courses.get(d.dimension, ()),
        )
        for d in report.result.dimensions.values()
    ]
    report.figures = _figures(
        latest_rows,
        answers.get(report.previous.id, []) if report.previous else [],
        language,
    )
    return report
