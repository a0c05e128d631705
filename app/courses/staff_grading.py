"""The ``staff_grading`` block service: course staff see their learners' work on a block and grade it.

A block that asks for it (``@XBlock.needs("staff_grading")``) gets, for the person its runtime works for:

- :meth:`StaffGradingService.submissions`: every learner enrolled in the course whom that person may
  follow, with the learner's ``user_state`` fields of the block, in two queries whatever their number;
- :meth:`StaffGradingService.set_feedback`: writes a comment and a grade into the learner's own
  ``user_state`` fields of the block and publishes a ``grade`` event for the learner (not for the
  trainer), so that progress records it against the learner.

Who may follow whom is the access policy's rule (``Action.FOLLOW_LEARNER``, ``app.accounts.policy``):
course staff (``Action.STAFF_COURSES``) see the learners of the companies whose home is a Cybersite where
they train; network administrators see everyone. Everything runs in the caller's transaction; nothing
commits.

A block using :meth:`~StaffGradingService.set_feedback` declares the ``user_state`` fields named in
:data:`FEEDBACK_FIELDS` and a ``max_score()`` method, as Open edX's scorable blocks do. A block whose
grade counts in the course for another maximum than the one trainers grade on (Open edX's ``weight`` over
an assignment's ``points``) also has a ``weighted_maximum()`` method giving that maximum (None: the same):
the grade event then carries the grade scaled to it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, select
from xblock.fields import Scope
from xblock.runtime import KeyValueStore

from app.accounts.models import Company, RoleGrant, User
from app.accounts.policy import Action, can, following
from app.core.database import read_columns
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.runtime import events
from app.runtime.models import FieldValue
from app.runtime.store import FieldStore, scope_name

#: The learner's ``user_state`` fields that :meth:`StaffGradingService.set_feedback` writes.
FEEDBACK_FIELDS = ("staff_comment", "staff_grade", "staff_graded_at", "staff_grader")
USER_STATE = scope_name(Scope.user_state)


class StaffGradingRefused(Exception):
    """Something the service will not do; ``code`` names why, for blocks that explain it in their words.

    Each refusal is also a built-in exception (PermissionError, LookupError, ValueError), so that blocks,
    which may not import the platform, can catch them.
    """

    code = "refused"


class NotCourseStaff(StaffGradingRefused, PermissionError):
    """The person the runtime works for is not course staff."""

    code = "not_staff"


class LearnerOutOfScope(StaffGradingRefused, PermissionError):
    """The learner is not one the acting person may follow (another Cybersite's, or unknown)."""

    code = "out_of_scope"


class LearnerNotEnrolled(StaffGradingRefused, LookupError):
    """The learner may be followed but is not (or no longer) enrolled in the course."""

    code = "not_enrolled"


class OwnWork(StaffGradingRefused, PermissionError):
    """Course staff may not grade their own work."""

    code = "own_work"


class GradeRefused(StaffGradingRefused, ValueError):
    """The grade is not a number between 0 and the block's maximum."""

    code = "bad_grade"


@dataclass(frozen=True)
class LearnerWork:
    """One learner and their stored ``user_state`` fields of a block (JSON values, by field name)."""

    user_id: int
    name: str
    companies: tuple[str, ...]
    state: dict[str, Any] = field(default_factory=dict)
    #: The learner's e-mail address: for trainers matching a list of grades to their learners.
    email: str = ""


def _learners() -> Select[Any]:
    """Enrolled people of a course with each company they work for (one row per person and company)."""
    return (
        select(User.id, User.display_name, Company, User.email)
        .select_from(Enrolment)
        .join(Course, Course.id == Enrolment.course_id)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(RoleGrant, and_(RoleGrant.user_id == User.id, RoleGrant.company_id.is_not(None)))
        .outerjoin(Company, Company.id == RoleGrant.company_id)
        .where(Course.course_key == bindparam("course_key"), Enrolment.active.is_(True))
        .order_by(User.display_name, User.id, Company.legal_name)
    )


_ENROLLED = _learners()
# One person, enrolled or not: tells "not enrolled" from "not yours" for a learner of one's own scope.
_PERSON = (
    select(User.id, User.display_name, Company, Enrolment.id, User.email)
    .select_from(User)
    .outerjoin(
        Enrolment,
        and_(
            Enrolment.user_id == User.id,
            Enrolment.active.is_(True),
            Enrolment.course_id
            == select(Course.id).where(Course.course_key == bindparam("course_key")).scalar_subquery(),
        ),
    )
    .outerjoin(RoleGrant, and_(RoleGrant.user_id == User.id, RoleGrant.company_id.is_not(None)))
    .outerjoin(Company, Company.id == RoleGrant.company_id)
    .where(User.id == bindparam("user_id"))
    .order_by(Company.legal_name)
)
_STATE = select(FieldValue.user_id, FieldValue.field_name, FieldValue.value).where(
    FieldValue.scope == USER_STATE,
    FieldValue.scope_key == bindparam("usage_id"),
    FieldValue.user_id.in_(bindparam("user_ids", expanding=True)),
)
_SOME_STATE = _STATE.where(FieldValue.field_name.in_(bindparam("fields", expanding=True)))


class StaffGradingService:
    """The service of one runtime: acts for the person that runtime works for."""

    def __init__(self, runtime: Any) -> None:
        self._runtime = runtime

    # Who is asking ----------------------------------------------------------------------------------------

    def _actor(self) -> User:
        user_id = self._runtime.learner.user_id
        # The signed-in user is already in the session: no query.
        actor = db.session.get(User, user_id) if user_id is not None else None
        if actor is None or not can(actor, Action.STAFF_COURSES):
            raise NotCourseStaff("only course staff see and grade learners' work")
        return actor

    def _course_key(self, block: Any) -> str:
        return str(block.scope_ids.usage_id.course_key)

    # Reading ------------------------------------------------------------------------------------------------

    def submissions(self, block: Any, fields: Collection[str] | None = None) -> list[LearnerWork]:
        """The learners enrolled in the block's course whom the acting person may follow, by name, each
        with their ``user_state`` fields of ``block`` (only ``fields``, when given: enough to sort and count
        everyone before reading a page of them whole with :meth:`complete`). Two queries, whatever the
        number of learners."""
        actor = self._actor()
        rows = db.session.execute(_ENROLLED, {"course_key": self._course_key(block)}).all()
        learners = _visible(actor, rows)
        states = self._states(block, [learner[0] for learner in learners], fields)
        return [
            LearnerWork(user_id, name, companies, states.get(user_id, {}), email)
            for user_id, name, companies, email in learners
        ]

    def complete(self, block: Any, works: Sequence[LearnerWork]) -> list[LearnerWork]:
        """``works`` (as :meth:`submissions` gave them: learners the acting person follows) with all their
        ``user_state`` fields of ``block``. One query."""
        self._actor()
        states = self._states(block, [work.user_id for work in works])
        return [replace(work, state=states.get(work.user_id, {})) for work in works]

    def submission(self, block: Any, learner_id: int) -> LearnerWork:
        """One learner's work on ``block``; refused when the acting person may not follow them
        (:class:`LearnerOutOfScope`) or they are not enrolled in the course (:class:`LearnerNotEnrolled`)."""
        actor = self._actor()
        rows = db.session.execute(
            _PERSON, {"course_key": self._course_key(block), "user_id": learner_id}
        ).all()
        learners = _visible(actor, ((row[0], row[1], row[2], row[4]) for row in rows))
        if not learners:
            raise LearnerOutOfScope(f"user {learner_id} is not a learner the acting person follows")
        if rows[0][3] is None:
            raise LearnerNotEnrolled(f"user {learner_id} is not enrolled in {self._course_key(block)}")
        user_id, name, companies, email = learners[0]
        state = self._states(block, [user_id]).get(user_id, {})
        return LearnerWork(user_id, name, companies, state, email)

    def _states(
        self, block: Any, user_ids: list[int], fields: Collection[str] | None = None
    ) -> dict[int, dict[str, Any]]:
        if not user_ids:
            return {}
        params: dict[str, Any] = {"usage_id": str(block.scope_ids.usage_id), "user_ids": user_ids}
        statement = _STATE
        if fields is not None:
            statement, params["fields"] = _SOME_STATE, list(fields)
        states: dict[int, dict[str, Any]] = {}
        for user_id, name, value in read_columns(db.session, statement, params):
            states.setdefault(user_id, {})[name] = value
        return states

    # Grading ------------------------------------------------------------------------------------------------

    def set_feedback(
        self,
        block: Any,
        learner_id: int,
        comment: str,
        grade: float,
        details: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
    ) -> LearnerWork:
        """Give a learner a comment and a grade on ``block`` (0 to ``block.max_score()``).

        Writes the learner's :data:`FEEDBACK_FIELDS` (and ``details``: more of the block's own
        ``user_state`` fields that the grade comes with, such as the options of a rubric) and publishes a
        ``grade`` event for the learner, in the caller's transaction. Returns the learner's work as it now
        stands. ``at`` dates the grade (a history replayed, as the demo's); now when not given.
        """
        actor = self._actor()
        work = self.submission(block, learner_id)
        if learner_id == actor.id:
            raise OwnWork("course staff may not grade their own work")
        maximum = float(block.max_score())
        if (
            isinstance(grade, bool)
            or not isinstance(grade, int | float)
            or not math.isfinite(grade)
            or not 0 <= grade <= maximum
        ):
            raise GradeRefused(f"a grade must be a number from 0 to {maximum:g}")
        now = at or datetime.now(UTC)
        values = {
            "staff_comment": comment,
            "staff_grade": float(grade),
            "staff_graded_at": now,
            "staff_grader": actor.display_name,
            **{name: value for name, value in (details or {}).items() if name not in FEEDBACK_FIELDS},
        }
        store = FieldStore(db.session, self._runtime.tree, learner_id)
        updates = {}
        for name, value in values.items():
            declared = block.fields.get(name)
            if declared is None or declared.scope != Scope.user_state:
                raise TypeError(f"{type(block).__name__} must declare {name} as a user_state field")
            key = KeyValueStore.Key(Scope.user_state, learner_id, block.scope_ids.usage_id, name)
            updates[key] = declared.to_json(value)
        store.set_many(updates)
        store.flush()
        published, published_max = float(grade), maximum
        weighted = getattr(block, "weighted_maximum", None)
        weighted_max = weighted() if callable(weighted) else None
        if weighted_max is not None and maximum > 0:
            # Counted in the course as Open edX counts it: the share of the maximum, times the weight.
            published, published_max = float(grade) / maximum * float(weighted_max), float(weighted_max)
        try:
            event = events.interpret(
                block, "grade", {"value": published, "max_value": published_max}, learner_id, now
            )
        except events.EventRefused as error:
            raise GradeRefused(str(error)) from error
        if event is not None:
            # The learner's grade, recorded by progress in this same transaction.
            events.progress_recorded.send(self._runtime, events=[event])
        state = {**work.state, **{key.field_name: value for key, value in updates.items()}}
        return replace(work, state=state)


def _visible(actor: User, rows: Iterable[Any]) -> list[tuple[int, str, tuple[str, ...], str]]:
    """People (in row order) the actor follows, with those of their companies that make them followed;
    the others are left out.

    The policy decides (``Action.FOLLOW_LEARNER``, in its :class:`~app.accounts.policy.Following` form, so
    that every row is checked without a query); a person of no company is followed by administrators only.
    """
    follows = following(actor)
    names: dict[int, tuple[str, str]] = {}
    companies: dict[int, list[str]] = {}
    for user_id, name, company, email in rows:
        names.setdefault(user_id, (name, email))
        if follows.everyone or (company is not None and follows.covers_site(company.cybersite_id)):
            seen = companies.setdefault(user_id, [])
            if company is not None and company.legal_name not in seen:
                seen.append(company.legal_name)
    return [
        (user_id, name, tuple(companies[user_id]), email)
        for user_id, (name, email) in names.items()
        if user_id in companies
    ]
