"""Who reads a discussion, and which threads they may see: the rule every forum query applies.

A discussion is either course-wide (everyone enrolled sees every thread) or divided by cohort, as Open
edX's cohorted discussions are: a thread started there belongs to its author's cohort, and a learner sees
the threads of their own cohort, those of no cohort (started by trainers or by learners outside any
cohort) and those of cohorts that do not keep their forum to themselves (``Cohort.forum_within_cohort``
false). Nobody but trainers sees hidden threads and replies.

Trainers (course staff) see and moderate the threads within their reach, hidden ones and their replies
included: those of no cohort (the whole course's), those of their Cybersites' cohorts, and those started by
learners they follow: the access policy's ``Action.FOLLOW_LEARNER``, whose SQL form
(:class:`app.accounts.policy.Following`) every condition here uses. Network administrators reach all.
The threads of another Cybersite's cohorts are not theirs to read, even where that cohort opens its forum
to the course's learners: they would see what no learner of theirs writes or answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from app.accounts.policy import NOBODY, Following
from app.cohorts.models import Cohort
from app.courses.models import Course, Enrolment
from app.forum.models import ForumPost, ForumThread

VISIBILITY_COHORT = "cohort"
VISIBILITY_COURSE = "course"
VISIBILITIES = (VISIBILITY_COHORT, VISIBILITY_COURSE)


@dataclass(frozen=True)
class Reader:
    """The person acting in the forum: a user, whether they are course staff (and then whom they follow),
    and their cohort there."""

    user_id: int
    is_staff: bool = False
    cohort_id: int | None = None
    following: Following = NOBODY


@dataclass(frozen=True)
class Discussion:
    """One discussion of a course (Open edX's ``discussion_id``), course-wide or divided by cohort."""

    course_key: str
    discussion_id: str
    divided: bool = True


def reader_cohort_id(session: Any, user_id: int, course_key: str) -> int | None:
    """The cohort through which the user follows the course (None: none, or not enrolled)."""
    return session.scalar(
        select(Enrolment.cohort_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Course.course_key == course_key, Enrolment.user_id == user_id, Enrolment.active.is_(True))
    )


def within_reach(reader: Reader) -> ColumnElement[bool]:
    """SQL condition: a thread (of any course) that ``reader``, a trainer, sees and moderates; none for
    anyone else."""
    if not reader.is_staff:
        return false()
    follows = reader.following
    if follows.everyone:
        return true()
    return or_(
        ForumThread.cohort_id.is_(None),
        ForumThread.cohort_id.in_(select(Cohort.id).where(follows.sites(Cohort.cybersite_id))),
        follows.people(ForumThread.author_id),
    )


def thread_visible(reader: Reader, discussion: Discussion) -> ColumnElement[bool]:
    """SQL condition: a thread of ``discussion`` that ``reader`` may see."""
    where = and_(
        ForumThread.course_key == discussion.course_key, ForumThread.discussion_id == discussion.discussion_id
    )
    if reader.is_staff:
        return and_(where, within_reach(reader))
    where = and_(where, ForumThread.hidden.is_(False))
    if not discussion.divided:
        return where
    open_cohorts = select(Cohort.id).where(Cohort.forum_within_cohort.is_(False))
    return and_(
        where,
        or_(
            ForumThread.cohort_id.is_(None),
            ForumThread.cohort_id == reader.cohort_id if reader.cohort_id is not None else false(),
            ForumThread.cohort_id.in_(open_cohorts),
        ),
    )


def post_visible(reader: Reader) -> ColumnElement[bool]:
    """SQL condition on replies (of a thread already known visible): hidden ones only for trainers (who
    see a thread only within their reach)."""
    return true() if reader.is_staff else ForumPost.hidden.is_(False)
