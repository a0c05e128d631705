"""Read-only figures VISTA takes from training: the "use" lens inputs of any number of companies, in two
queries whatever their number (never a query per company, never from block records).

A course's dimensions are the ``cybermassif_vista`` tags of its published version's root block (see
app.courses.vista_tags); a version only changes by an import, so they are read from there rather than
copied. Staff are the people holding any role in the company (as app.progress.queries.staff counts them),
active accounts only. Per company and dimension d:

- completers: staff who completed at least one course tagged d;
- mastery: the mean course grade (0–1) of the courses tagged d they passed (graded ones), weighted by the
  course's tag weight for d;
- recency: the share of their completions of courses tagged d made in the last 12 months, weighted alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import RoleGrant, User
from app.core.database import read_columns
from app.courses import vista_tags
from app.courses.models import Course
from app.progress.models import CourseProgress
from app.runtime.models import BlockTree, StoredBlock
from app.vista.scoring import UseFigures

RECENT = timedelta(days=365)


@dataclass
class _Tally:
    completers: set[int] = field(default_factory=set)
    graded: list[tuple[float, float]] = field(default_factory=list)  # (weight, grade)
    completions: list[tuple[float, bool]] = field(default_factory=list)  # (weight, recent)

    def figures(self) -> UseFigures:
        graded_weight = sum(w for w, _ in self.graded)
        done_weight = sum(w for w, _ in self.completions)
        return UseFigures(
            completers=len(self.completers),
            mastery=sum(w * g for w, g in self.graded) / graded_weight if graded_weight else None,
            recency=sum(w for w, recent in self.completions if recent) / done_weight if done_weight else None,
        )


# The statements below are built once (with their parameters bound at each run): building one costs
# more than running it for a single company's report.
_ROOT_BLOCK = (StoredBlock.tree_id == BlockTree.id) & (StoredBlock.usage_id == BlockTree.root_usage_id)
_COURSE_TAGS = (
    select(Course.course_key, StoredBlock.settings)
    .join(BlockTree, BlockTree.id == Course.published_tree_id)
    .join(StoredBlock, _ROOT_BLOCK)
    .where(Course.course_key.in_(bindparam("keys", expanding=True)))
)


def course_tags(session: Session, course_keys: Iterable[str]) -> dict[str, dict[str, float]]:
    """The dimensions (and weights) of the published version of each of these courses (one query)."""
    keys = sorted(set(course_keys))
    if not keys:
        return {}
    rows = read_columns(session, _COURSE_TAGS, {"keys": keys})
    return {key: tags for key, settings in rows if (tags := vista_tags.of_course_block(settings))}


@dataclass(frozen=True)
class TaggedCourse:
    """A published course of the catalogue and the dimensions it trains for."""

    course_id: int
    course_key: str
    title: str
    open_enrolment: bool
    tags: dict[str, float]


_CATALOGUE = (
    select(Course.id, Course.course_key, Course.title, Course.open_enrolment, StoredBlock.settings)
    .join(BlockTree, BlockTree.id == Course.published_tree_id)
    .join(StoredBlock, _ROOT_BLOCK)
    .order_by(Course.title, Course.id)
)


def tagged_catalogue(session: Session) -> list[TaggedCourse]:
    """Every published course tagged with at least one dimension (one query)."""
    rows = read_columns(session, _CATALOGUE, {})
    return [
        TaggedCourse(ident, key, title, bool(open_), tags)
        for ident, key, title, open_, settings in rows
        if (tags := vista_tags.of_course_block(settings))
    ]


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes: they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Completion:
    """A staff member's completed (or passed) course, with its grade and dates."""

    company_id: int
    user_id: int
    course_key: str
    grade: float | None
    passed: bool
    completed_at: datetime | None
    passed_at: datetime | None


@dataclass(frozen=True)
class Training:
    """The completions of the staff of some companies, and the tags of the courses concerned."""

    completions: list[Completion]
    tags: dict[str, dict[str, float]]
    # The completions by company, so that each company's figures read its own only (never all of them).
    by_company: dict[int, list[Completion]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        grouped: dict[int, list[Completion]] = defaultdict(list)
        for c in self.completions:
            grouped[c.company_id].append(c)
        object.__setattr__(self, "by_company", dict(grouped))

    def figures(self, company_id: int, now: datetime, as_of: datetime | None = None) -> dict[str, UseFigures]:
        """A company's figures per dimension, counting only what happened up to ``as_of`` (default: all);
        recency is counted back from ``as_of`` (or ``now``)."""
        as_of = _aware(as_of) if as_of else None
        reference = as_of or now
        tallies: dict[str, _Tally] = defaultdict(_Tally)
        for c in self.by_company.get(company_id, ()):
            completed = _aware(c.completed_at) if c.completed_at else None
            passed = _aware(c.passed_at) if c.passed_at else None
            if as_of is not None:
                completed = completed if completed and completed <= as_of else None
                passed = passed if passed and passed <= as_of else None
            for dimension, weight in self.tags.get(c.course_key, {}).items():
                tally = tallies[dimension]
                if completed is not None:
                    tally.completers.add(c.user_id)
                    tally.completions.append((weight, reference - completed <= RECENT))
                if c.passed and c.grade is not None and (as_of is None or passed is not None):
                    tally.graded.append((weight, c.grade))
        return {d: t.figures() for d, t in tallies.items()}


def _completions_statement() -> Any:
    staff = (
        select(RoleGrant.company_id, RoleGrant.user_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.company_id.in_(bindparam("company_ids", expanding=True)), User.active.is_(True))
        .distinct()
        .subquery("staff")
    )
    cp = CourseProgress
    return (
        select(
            staff.c.company_id, cp.user_id, cp.course_key, cp.grade, cp.passed, cp.completed_at, cp.passed_at
        )
        .join(cp, cp.user_id == staff.c.user_id)
        .where(or_(cp.completed_at.is_not(None), cp.passed.is_(True)))
    )


_COMPLETIONS = _completions_statement()


def training(session: Session, company_ids: Iterable[int]) -> Training:
    """The completions of the staff of these companies and their courses' tags (two queries)."""
    company_ids = sorted(set(company_ids))
    if not company_ids:
        return Training([], {})
    rows = read_columns(session, _COMPLETIONS, {"company_ids": company_ids}).all()
    completions = [Completion(*row) for row in rows]
    return Training(completions, course_tags(session, (c.course_key for c in completions)))


def use_figures(
    session: Session, company_ids: Iterable[int], now: datetime | None = None
) -> dict[int, dict[str, UseFigures]]:
    """Each company's training figures per dimension today (a dimension nobody trained for is absent)."""
    company_ids = sorted(set(company_ids))
    found = training(session, company_ids)
    now = now or datetime.now(UTC)
    return {c: figures for c in company_ids if (figures := found.figures(c, now))}
