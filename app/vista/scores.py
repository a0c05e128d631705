"""Computing and storing companies' VISTA scores (``vista_company_score``), set-wise.

:func:`recompute` scores each company's latest submitted assessment (its answers and today's training
figures) and replaces the company's rows: one per dimension and an overall one (dimension NULL). It costs
the same few queries whatever the number of companies. It runs in the caller's transaction and only
flushes: the answering pages call it when a company submits; :func:`on_progress_changed` calls it when the
progress of a company's staff moves (app.progress.rollups' ``course_progress_written`` signal, wired in
create_app), so that stored scores stay fresh in the same transaction; after a course's rebuild (every
learner at once) it queues :func:`recompute_course` instead, run by the task queue once the rebuild has
committed. :func:`recompute_all` (``flask vista recompute-scores``) rewrites every company's, a few
statements per batch of companies.

:func:`score_assessments` scores any assessments (the report scores the previous wave as of its
submission: its answers, and the training done by then).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from app.accounts.models import Company, RoleGrant
from app.core.database import read_columns
from app.core.extensions import db
from app.courses import vista_tags
from app.jobs.enqueue import enqueue
from app.jobs.registry import task
from app.progress.models import CourseProgress
from app.vista import queries, scoring
from app.vista.models import (
    DIMENSIONS,
    Answer,
    Assessment,
    CompanyScore,
    QuestionnaireItem,
    Status,
)


@dataclass(frozen=True)
class AssessmentRef:
    """What scoring needs of an assessment besides its answers."""

    id: int
    company_id: int
    questionnaire_id: int
    wave: str | None
    headcount: int | None  # declared when answering; else the company's registered headcount
    submitted_at: datetime | None


@dataclass(frozen=True)
class Scored:
    """An assessment's scores."""

    assessment: AssessmentRef
    result: scoring.Result


_REF_COLUMNS = (
    Assessment.id,
    Assessment.company_id,
    Assessment.questionnaire_id,
    Assessment.wave,
    Assessment.headcount,
    Company.headcount,
    Assessment.submitted_at,
)


def _ref(row: Any) -> AssessmentRef:
    ident, company_id, questionnaire_id, wave, declared, registered, submitted_at = row
    return AssessmentRef(
        ident,
        company_id,
        questionnaire_id,
        wave,
        declared if declared is not None else registered,
        submitted_at,
    )


# Built once: building a statement costs more than running it for one company (its report).
_SUBMITTED = (
    select(*_REF_COLUMNS)
    .join(Company, Company.id == Assessment.company_id)
    .where(
        Assessment.company_id.in_(bindparam("ids", expanding=True)),
        Assessment.status == Status.SUBMITTED.value,
    )
    .order_by(Assessment.company_id, Assessment.submitted_at.desc(), Assessment.id.desc())
)


def submitted(session: Session, company_ids: Iterable[int]) -> dict[int, list[AssessmentRef]]:
    """Each company's submitted assessments, latest first (one query)."""
    ids = sorted(set(company_ids))
    if not ids:
        return {}
    rows = read_columns(session, _SUBMITTED, {"ids": ids})
    found: dict[int, list[AssessmentRef]] = defaultdict(list)
    for row in rows:
        found[row[1]].append(_ref(row))
    return dict(found)


def _answers_statement() -> Any:
    item = QuestionnaireItem
    return (
        select(
            Assessment.id,
            item.id,
            item.code,
            item.dimension,
            item.lens,
            item.kind,
            item.weight,
            item.negative,
            Answer.value,
            Answer.not_relevant,
            item.text_fr,
            item.text_en,
            item.unit_fr,
            item.unit_en,
        )
        .join(item, item.questionnaire_id == Assessment.questionnaire_id)
        .outerjoin(Answer, (Answer.assessment_id == Assessment.id) & (Answer.item_id == item.id))
        .where(Assessment.id.in_(bindparam("ids", expanding=True)))
        .order_by(Assessment.id, item.id)
    )


_ANSWERS = _answers_statement()


def answers_of(session: Session, assessments: Sequence[AssessmentRef]) -> dict[int, list[Any]]:
    """Every item of each assessment's questionnaire with its answer (value None: unanswered), one query."""
    if not assessments:
        return {}
    rows = read_columns(session, _ANSWERS, {"ids": [a.id for a in assessments]})
    found: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(row)
    return dict(found)


def _item_answers(rows: Sequence[Any]) -> list[scoring.ItemAnswer]:
    return [
        scoring.ItemAnswer(
            dimension=r.dimension,
            lens=r.lens,
            kind=r.kind,
            value=r.value,
            not_relevant=bool(r.not_relevant),
            weight=r.weight,
            negative=bool(r.negative),
        )
        for r in rows
    ]


def score_assessments(
    session: Session,
    assessments: Sequence[AssessmentRef],
    *,
    now: datetime | None = None,
    as_of_submission: frozenset[int] = frozenset(),
    answers: dict[int, list[Any]] | None = None,
) -> dict[int, Scored]:
    """Score these assessments (three queries whatever their number; two given their ``answers`` as
    :func:`answers_of` reads them). Training is counted up to now, or up to their submission for the ids
    in ``as_of_submission`` (earlier waves)."""
    now = now or datetime.now(UTC)
    if answers is None:
        answers = answers_of(session, assessments)
    training = queries.training(session, {a.company_id for a in assessments})
    found = {}
    for a in assessments:
        as_of = a.submitted_at if a.id in as_of_submission else None
        use = training.figures(a.company_id, now, as_of=as_of)
        result = scoring.score(DIMENSIONS, _item_answers(answers.get(a.id, [])), use, a.headcount)
        found[a.id] = Scored(a, result)
    return found


def _rows(scored: Scored, now: datetime) -> list[dict[str, Any]]:
    a, result = scored.assessment, scored.result
    rows = [
        {
            "company_id": a.company_id,
            "assessment_id": a.id,
            "dimension": d.dimension,
            "adoption": d.adoption,
            "use": d.use,
            "impact": d.impact,
            "score": d.score,
            "computed_at": now,
        }
        for d in result.dimensions.values()
    ]
    rows.append(
        {
            "company_id": a.company_id,
            "assessment_id": a.id,
            "dimension": None,
            "adoption": result.dma,
            "use": None,
            "impact": None,
            "score": result.overall,
            "computed_at": now,
        }
    )
    return rows


def recompute(session: Session, company_ids: Iterable[int], now: datetime | None = None) -> dict[int, Scored]:
    """Score each company's latest submitted assessment and replace its stored scores (a company with no
    submitted assessment keeps none). A fixed number of statements whatever the number of companies;
    flushes, never commits. Returns the scores by company."""
    ids = sorted(set(company_ids))
    if not ids:
        return {}
    now = now or datetime.now(UTC)
    latest = [refs[0] for refs in submitted(session, ids).values()]
    scored = score_assessments(session, latest, now=now)
    session.flush()
    # Replaced rather than upserted: the overall row's dimension is NULL, which a unique key cannot match.
    session.execute(delete(CompanyScore).where(CompanyScore.company_id.in_(ids)))
    rows = [row for s in scored.values() for row in _rows(s, now)]
    if rows:
        session.connection().execute(insert(CompanyScore.__table__), rows)
    return {s.assessment.company_id: s for s in scored.values()}


BATCH = 5_000


def recompute_all(session: Session, now: datetime | None = None, batch: int = BATCH) -> int:
    """Recompute the stored scores of every company with a submitted assessment, ``batch`` companies at a
    time (a few statements per batch, never one per company), and drop the stored scores of companies that
    no longer have one. Flushes, never commits (``flask vista recompute-scores`` commits). Returns the
    number of companies scored."""
    now = now or datetime.now(UTC)
    assessed = select(Assessment.company_id).where(Assessment.status == Status.SUBMITTED.value)
    session.execute(delete(CompanyScore).where(CompanyScore.company_id.not_in(assessed)))
    ids = session.scalars(assessed.distinct().order_by(Assessment.company_id)).all()
    for start in range(0, len(ids), batch):
        recompute(session, ids[start : start + batch], now)
    return len(ids)


def on_progress_changed(
    sender: object,
    session: Session,
    course_key: str,
    user_ids: Sequence[int] | None = None,
    tree: Any = None,
    **_: Any,
) -> None:
    """Receiver of progress' ``course_progress_written``: recompute the stored scores of the companies
    (with a submitted assessment) of the learners concerned (``user_ids``), in the same transaction.
    Learners' progress in a course of no VISTA dimension costs nothing (the tags are read from the
    version's ``tree``, already in memory); otherwise one query when none of them is assessed. After a
    rebuild (``user_ids`` None: every learner of the course, possibly thousands of companies) the work is
    queued to run once the rebuild has committed, so that it does not hold the import's request."""
    if user_ids is None:
        # A rebuild still recomputes, tagged or not: a new version may have dropped the tags a stored
        # score counted.
        enqueue(RECOMPUTE_COURSE, course_key, session=session)
        return
    if tree is not None and not _tagged(tree):
        # The use lens only reads tagged courses.
        return
    _recompute_staff_of(session, select(RoleGrant.company_id).where(RoleGrant.user_id.in_(list(user_ids))))


def _recompute_staff_of(session: Session, staff: Any) -> None:
    company_ids = session.scalars(
        select(Assessment.company_id)
        .where(
            Assessment.status == Status.SUBMITTED.value,
            Assessment.company_id.in_(staff.where(RoleGrant.company_id.is_not(None))),
        )
        .distinct()
    ).all()
    if company_ids:
        recompute(session, company_ids)


RECOMPUTE_COURSE = "vista.recompute_course"


@task(RECOMPUTE_COURSE, retries=3, retry_delay=5.0)
def recompute_course(course_key: str) -> None:
    """The queued task: rescore the companies of every learner of the course (the task commits)."""
    learners = select(CourseProgress.user_id).where(CourseProgress.course_key == course_key)
    _recompute_staff_of(db.session, select(RoleGrant.company_id).where(RoleGrant.user_id.in_(learners)))


def _tagged(tree: Any) -> bool:
    """Whether the course version of this loaded tree serves any VISTA dimension."""
    root = tree.root_usage_id
    return bool(root and vista_tags.of_course_block(tree.container_settings(root)))
