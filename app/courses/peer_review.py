"""The ``peer_review`` block service: learners of one cohort assess each other's responses to a block.

A block that asks for it (``@XBlock.wants("peer_review")``; Open edX's ``openassessment``) gets, for the
learner its runtime works for:

- :meth:`PeerReviewService.enter`: puts the learner's submitted response in the pool of their cohort in
  the course (learners enrolled without a cohort share one pool of their own);
- :meth:`PeerReviewService.next_work`: hands them the next response to assess: not theirs, not one given
  to them before, of their pool, the one with the fewest assessments and then the oldest (ORA's rule),
  by one query on ``ix_peer_submission_pool``; it stays theirs until they assess it;
- :meth:`PeerReviewService.assess`: records their assessment of a response they were given (once);
- :meth:`PeerReviewService.status`: how many they assessed, the assessments their response received,
  and the response they were given and have not assessed yet;
- :meth:`PeerReviewService.publish_grade`: records a score for the author of a response in the pool
  (the assessment that completes their peer step is made by someone else).

Everything runs in the caller's transaction; nothing commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, select, update
from xblock.fields import Scope

from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.courses.peer_models import PeerAssessment, PeerSubmission
from app.runtime import events
from app.runtime.models import FieldValue
from app.runtime.store import scope_name

USER_STATE = scope_name(Scope.user_state)
#: The author's ``user_state`` fields of the block that :meth:`PeerReviewService.assess` returns.
AUTHOR_FIELDS = ("self_assessment", "staff_grade")


class NotGiven(PermissionError):
    """The response was not given to this learner to assess (or is theirs, or another block's)."""

    code = "not_given"


class AlreadyAssessed(LookupError):
    """The learner already assessed this response."""

    code = "already_assessed"


class NotInPool(PermissionError):
    """The learner has no response in this block's pool."""

    code = "not_in_pool"


@dataclass(frozen=True)
class AuthorProgress:
    """Where the author of an assessed response stands: their id, every assessment their response
    received (as :meth:`PeerReviewService.status` gives them), how many responses they assessed, and some
    of their ``user_state`` (JSON)."""

    user_id: int
    received: list[dict[str, Any]]
    done: int
    state: dict[str, Any] = field(default_factory=dict)


def _work(submission: PeerSubmission) -> dict[str, Any]:
    return {"id": submission.id, "responses": list(submission.responses)}


class PeerReviewService:
    """The service of one runtime: acts for the learner that runtime works for."""

    def __init__(self, runtime: Any) -> None:
        self._runtime = runtime

    def _learner(self) -> int:
        user_id = self._runtime.learner.user_id
        if user_id is None:
            raise NotInPool("only signed-in learners take part in peer review")
        return int(user_id)

    @staticmethod
    def _usage(block: Any) -> str:
        return str(block.scope_ids.usage_id)

    def _own(self, block: Any, user_id: int) -> PeerSubmission | None:
        return db.session.scalar(
            select(PeerSubmission).where(
                PeerSubmission.usage_id == self._usage(block), PeerSubmission.user_id == user_id
            )
        )

    def enter(self, block: Any, responses: list[str]) -> None:
        """Put the learner's submitted response in their cohort's pool (once: again, nothing changes)."""
        user_id = self._learner()
        if self._own(block, user_id) is not None:
            return
        course_key = str(block.scope_ids.usage_id.course_key)
        row = db.session.execute(
            select(Course.id, Enrolment.cohort_id)
            .outerjoin(
                Enrolment,
                (Enrolment.course_id == Course.id) & (Enrolment.user_id == user_id) & Enrolment.active,
            )
            .where(Course.course_key == course_key)
        ).first()
        if row is None:
            raise NotInPool(f"no course {course_key}")
        db.session.add(
            PeerSubmission(
                usage_id=self._usage(block),
                course_id=row[0],
                cohort_id=row[1],
                user_id=user_id,
                responses=list(responses),
                submitted_at=datetime.now(UTC),
                assessed_count=0,
            )
        )
        db.session.flush()

    def status(self, block: Any) -> dict[str, Any]:
        """``done`` (responses the learner assessed), ``received`` (the assessments of their response:
        ``choices``, ``criterion_feedback``, ``feedback``) and ``open`` (the response given to them and
        not yet assessed, or None)."""
        user_id = self._learner()
        usage = self._usage(block)
        given = db.session.execute(
            select(PeerAssessment.completed_at, PeerSubmission)
            .join(PeerSubmission, PeerSubmission.id == PeerAssessment.submission_id)
            .where(PeerAssessment.scorer_id == user_id, PeerAssessment.usage_id == usage)
        ).all()
        done = sum(1 for completed, _ in given if completed is not None)
        pending = next((submission for completed, submission in given if completed is None), None)
        return {
            "done": done,
            "received": self._received(usage, user_id),
            "open": _work(pending) if pending is not None else None,
        }

    @staticmethod
    def _received(usage: str, author_id: int) -> list[dict[str, Any]]:
        """The completed assessments of the author's response, oldest first: each one's ``choices``,
        ``criterion_feedback`` and ``feedback`` (never who made it: peers stay anonymous)."""
        rows = db.session.execute(
            select(PeerAssessment.choices, PeerAssessment.criterion_feedback, PeerAssessment.feedback)
            .join(PeerSubmission, PeerSubmission.id == PeerAssessment.submission_id)
            .where(
                PeerSubmission.usage_id == usage,
                PeerSubmission.user_id == author_id,
                PeerAssessment.completed_at.is_not(None),
            )
            .order_by(PeerAssessment.completed_at, PeerAssessment.id)
        ).all()
        return [
            {"choices": choices, "criterion_feedback": notes, "feedback": feedback}
            for choices, notes, feedback in rows
        ]

    def next_work(self, block: Any) -> dict[str, Any] | None:
        """Give the learner the next response of their pool to assess (``{"id", "responses"}``), or None
        when no response is waiting for them. The learner must have entered the pool."""
        user_id = self._learner()
        own = self._own(block, user_id)
        if own is None:
            raise NotInPool("submit a response before assessing others'")
        given_before = exists().where(
            PeerAssessment.submission_id == PeerSubmission.id, PeerAssessment.scorer_id == user_id
        )
        candidate = db.session.scalar(
            select(PeerSubmission)
            .where(
                PeerSubmission.usage_id == own.usage_id,
                # Equality or IS NULL (not IS NOT DISTINCT FROM): both are read from the index everywhere.
                PeerSubmission.cohort_id.is_(None)
                if own.cohort_id is None
                else PeerSubmission.cohort_id == own.cohort_id,
                PeerSubmission.user_id != user_id,
                ~given_before,
            )
            .order_by(PeerSubmission.assessed_count, PeerSubmission.submitted_at, PeerSubmission.id)
            .limit(1)
        )
        if candidate is None:
            return None
        db.session.add(
            PeerAssessment(
                submission_id=candidate.id,
                usage_id=own.usage_id,
                scorer_id=user_id,
                given_at=datetime.now(UTC),
                choices={},
                criterion_feedback={},
                feedback="",
            )
        )
        db.session.flush()
        return _work(candidate)

    def assess(
        self, block: Any, submission_id: int, assessment: dict[str, Any], points: int
    ) -> AuthorProgress:
        """Record the learner's assessment of a response given to them (:class:`NotGiven` otherwise, and
        :class:`AlreadyAssessed` the second time); returns where its author now stands."""
        user_id = self._learner()
        given = db.session.scalar(
            select(PeerAssessment).where(
                PeerAssessment.submission_id == submission_id,
                PeerAssessment.scorer_id == user_id,
                PeerAssessment.usage_id == self._usage(block),
            )
        )
        if given is None:
            raise NotGiven(f"response {submission_id} was not given to user {user_id}")
        if given.completed_at is not None:
            raise AlreadyAssessed(f"user {user_id} already assessed response {submission_id}")
        given.choices = dict(assessment["choices"])
        given.criterion_feedback = dict(assessment.get("criterion_feedback") or {})
        given.feedback = assessment.get("feedback") or ""
        given.points = int(points)
        given.completed_at = datetime.now(UTC)
        db.session.execute(
            update(PeerSubmission)
            .where(PeerSubmission.id == submission_id)
            .values(assessed_count=PeerSubmission.assessed_count + 1)
        )
        db.session.flush()
        author_id = db.session.scalar(
            select(PeerSubmission.user_id).where(PeerSubmission.id == submission_id)
        )
        assert author_id is not None
        usage = self._usage(block)
        done = db.session.scalar(
            select(db.func.count())
            .select_from(PeerAssessment)
            .where(
                PeerAssessment.scorer_id == author_id,
                PeerAssessment.usage_id == usage,
                PeerAssessment.completed_at.is_not(None),
            )
        )
        state = dict(
            db.session.execute(
                select(FieldValue.field_name, FieldValue.value).where(
                    FieldValue.scope == USER_STATE,
                    FieldValue.scope_key == usage,
                    FieldValue.user_id == author_id,
                    FieldValue.field_name.in_(AUTHOR_FIELDS),
                )
            ).all()
        )
        return AuthorProgress(author_id, self._received(usage, author_id), int(done or 0), state)

    def publish_grade(self, block: Any, learner_id: int, earned: float, possible: float) -> None:
        """Record ``earned`` out of ``possible`` on ``block`` for a learner who has a response in its pool,
        in the caller's transaction (progress records it against that learner)."""
        self._learner()
        if self._own(block, learner_id) is None:
            raise NotInPool(f"user {learner_id} has no response to {self._usage(block)}")
        event = events.interpret(
            block,
            "grade",
            {"value": float(earned), "max_value": float(possible)},
            learner_id,
            datetime.now(UTC),
        )
        if event is not None:
            events.progress_recorded.send(self._runtime, events=[event])
