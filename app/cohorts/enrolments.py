"""Course enrolments that follow cohort membership, written set-wise (a few statements per 500 people).

A cohort member is enrolled in each course of the cohort, with ``Enrolment.cohort_id`` naming the cohort.
A person in two cohorts that share a course keeps the cohort they were enrolled through first. When a
person leaves a cohort (or the cohort drops a course), each enrolment it gave is handed over to another
cohort of theirs that follows the course, or else suspended (``active = False``: progress is kept, as
Moodle's cohort sync does when a member leaves).

These functions run plain SQL on the session's connection, so that they also work inside a flush
(``app.cohorts.acceptance``); callers flush their pending ORM changes first.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.engine import Connection

from app.cohorts.models import CohortCourse, CohortMember
from app.core.database import chunks
from app.courses.models import Enrolment

_enrolment = Enrolment.__table__
_member = CohortMember.__table__
_cohort_course = CohortCourse.__table__


def enrol(
    connection: Connection, cohort_id: int, user_ids: Collection[int], course_ids: Collection[int]
) -> None:
    """Enrol people in courses through a cohort: create, reactivate or link their enrolments."""
    courses = sorted(set(course_ids))
    if not courses or not user_ids:
        return
    now = datetime.now(UTC)
    for users in chunks(sorted(set(user_ids))):
        existing = {
            (row.user_id, row.course_id): row
            for row in connection.execute(
                select(
                    _enrolment.c.id,
                    _enrolment.c.user_id,
                    _enrolment.c.course_id,
                    _enrolment.c.active,
                    _enrolment.c.cohort_id,
                ).where(_enrolment.c.user_id.in_(users), _enrolment.c.course_id.in_(courses))
            )
        }
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for user_id in users:
            for course_id in courses:
                row = existing.get((user_id, course_id))
                if row is None:
                    inserts.append(
                        {
                            "user_id": user_id,
                            "course_id": course_id,
                            "active": True,
                            "cohort_id": cohort_id,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                elif not (row.active and row.cohort_id is not None):
                    # Self-enrolled, or suspended: the cohort takes it over. (An active enrolment through
                    # another cohort stays with that cohort.)
                    updates.append({"row_id": row.id, "new_cohort_id": cohort_id, "now": now})
        if inserts:
            connection.execute(_enrolment.insert(), inserts)
        if updates:
            connection.execute(
                _enrolment.update()
                .where(_enrolment.c.id == bindparam("row_id"))
                .values(active=True, cohort_id=bindparam("new_cohort_id"), updated_at=bindparam("now")),
                updates,
            )


def withdraw(
    connection: Connection, cohort_id: int, user_ids: Collection[int], course_ids: Collection[int]
) -> None:
    """Undo what ``enrol`` did for these people and courses: hand each enrolment over or suspend it.

    Call it once the membership has changed (the person left or moved, or the course was dropped); the
    cohort ``cohort_id`` itself is never a candidate to take the enrolment over.
    """
    courses = sorted(set(course_ids))
    if not courses or not user_ids:
        return
    now = datetime.now(UTC)
    for users in chunks(sorted(set(user_ids))):
        given = list(
            connection.execute(
                select(_enrolment.c.id, _enrolment.c.user_id, _enrolment.c.course_id).where(
                    _enrolment.c.cohort_id == cohort_id,
                    _enrolment.c.user_id.in_(users),
                    _enrolment.c.course_id.in_(courses),
                )
            )
        )
        if not given:
            continue
        # Another cohort of the same person that follows the same course (the oldest one wins).
        others: dict[tuple[int, int], int] = {}
        for row in connection.execute(
            select(_member.c.user_id, _cohort_course.c.course_id, _member.c.cohort_id)
            .join(_cohort_course, _cohort_course.c.cohort_id == _member.c.cohort_id)
            .where(
                _member.c.user_id.in_(users),
                _member.c.cohort_id != cohort_id,
                _cohort_course.c.course_id.in_(courses),
            )
            .order_by(_member.c.cohort_id.desc())
        ):
            others[(row.user_id, row.course_id)] = row.cohort_id
        changes = [
            {
                "row_id": row.id,
                "new_cohort_id": others.get((row.user_id, row.course_id)),
                "new_active": (row.user_id, row.course_id) in others,
                "now": now,
            }
            for row in given
        ]
        connection.execute(
            _enrolment.update()
            .where(and_(_enrolment.c.id == bindparam("row_id")))
            .values(
                active=bindparam("new_active"),
                cohort_id=bindparam("new_cohort_id"),
                updated_at=bindparam("now"),
            ),
            changes,
        )


def member_ids(connection: Connection, cohort_id: int) -> list[int]:
    """The user ids of a cohort's members."""
    return list(connection.scalars(select(_member.c.user_id).where(_member.c.cohort_id == cohort_id)))


def course_ids(connection: Connection, cohort_id: int) -> list[int]:
    """The ids of the courses a cohort follows."""
    return list(
        connection.scalars(select(_cohort_course.c.course_id).where(_cohort_course.c.cohort_id == cohort_id))
    )
