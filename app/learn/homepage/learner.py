"""The learner's part of the home page: their courses (the figures of "My progress", from the same
query), where to resume, what is due, unread replies in their forum threads, trainers' comments on their
answers and their certificates. Six statements whatever the number of courses, threads or answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased
from xblock.fields import Scope

from app.cohorts.models import Cohort
from app.core.database import read_columns
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.forum.models import ForumPost, ForumReadState, ForumThread
from app.progress.queries import learner as learner_queries
from app.progress.queries.learner import CourseLine
from app.runtime.models import FieldValue, StoredBlock
from app.runtime.store import scope_name

USER_STATE = scope_name(Scope.user_state)
# How many threads and comments the page lists (the counts cover them all).
LISTED = 5


@dataclass(frozen=True)
class UnreadThread:
    """A forum thread the learner started or answered, with replies by others they have not read."""

    thread_id: int
    title: str
    course_key: str
    unit_usage_id: str | None
    unread: int


@dataclass(frozen=True)
class TrainerComment:
    """A trainer's comment on one of the learner's answers (case study, assignment, open assessment)."""

    course_key: str
    block_title: str
    unit_usage_id: str | None
    comment: str
    commented_at: datetime


@dataclass
class LearnerHome:
    """Everything the learner's section shows."""

    courses: list[CourseLine]
    ends_on: dict[str, date] = field(default_factory=dict)  # course key → the end of its cohort
    unread_threads: list[UnreadThread] = field(default_factory=list)
    unread_total: int = 0
    comments: list[TrainerComment] = field(default_factory=list)

    @property
    def certificates(self) -> list[CourseLine]:
        """The courses whose certificate the learner holds."""
        return [c for c in self.courses if c.certificate_code]

    @property
    def under_way(self) -> list[CourseLine]:
        """The courses not finished yet, the soonest due first (then by title): what to do now."""
        unfinished = [c for c in self.courses if c.completed_at is None]
        return sorted(unfinished, key=lambda c: (self.ends_on.get(c.course_key) or date.max, c.title))


# The page's statements are built once: building and caching them again at every request cost more than
# running them (``read_columns`` then skips the ORM's execution path, as they load no object).
_COHORT_ENDS = (
    select(Course.course_key, Cohort.ends_on)
    .join(Enrolment, Enrolment.course_id == Course.id)
    .join(Cohort, Cohort.id == Enrolment.cohort_id)
    .where(Enrolment.user_id == bindparam("user_id"), Enrolment.active.is_(True))
)


def _cohort_ends(user_id: int) -> dict[str, date]:
    rows = read_columns(db.session, _COHORT_ENDS, {"user_id": user_id})
    return {row[0]: row[1] for row in rows}


def _unread_statement() -> Select[Any]:
    """Threads the learner took part in (started, or replied to) with visible replies by others posted
    since they last opened them (or ever, if they never did)."""
    user_id = bindparam("user_id")
    mine = aliased(ForumPost)
    took_part = or_(
        ForumThread.author_id == user_id,
        select(mine.id).where(mine.thread_id == ForumThread.id, mine.author_id == user_id).exists(),
    )
    forum_block = aliased(StoredBlock)
    return (
        select(
            ForumThread.id,
            ForumThread.title,
            ForumThread.course_key,
            func.min(forum_block.parent_usage_id),
            func.count(ForumPost.id),
        )
        .join(ForumPost, ForumPost.thread_id == ForumThread.id)
        .outerjoin(
            ForumReadState,
            and_(ForumReadState.thread_id == ForumThread.id, ForumReadState.user_id == user_id),
        )
        .outerjoin(Course, Course.course_key == ForumThread.course_key)
        .outerjoin(
            forum_block,
            and_(
                forum_block.tree_id == Course.published_tree_id, forum_block.usage_id == ForumThread.usage_id
            ),
        )
        .where(
            took_part,
            ForumThread.hidden.is_(False),
            ForumPost.hidden.is_(False),
            or_(ForumPost.author_id.is_(None), ForumPost.author_id != user_id),
            or_(ForumReadState.last_read_at.is_(None), ForumPost.created_at > ForumReadState.last_read_at),
        )
        .group_by(ForumThread.id, ForumThread.title, ForumThread.course_key, ForumThread.last_activity_at)
        .order_by(ForumThread.last_activity_at.desc(), ForumThread.id.desc())
    )


_UNREAD = _unread_statement()


def _unread(user_id: int) -> list[UnreadThread]:
    """The learner's threads with replies they have not read, the latest active first."""
    return [UnreadThread(*row) for row in read_columns(db.session, _UNREAD, {"user_id": user_id})]


# The trainers' comments on the learner's answers, newest first (the blocks of published courses).
_COMMENTS = (
    select(
        Course.course_key,
        StoredBlock.display_name,
        StoredBlock.parent_usage_id,
        FieldValue.value,
        FieldValue.updated_at,
    )
    .join(StoredBlock, StoredBlock.usage_id == FieldValue.scope_key)
    .join(Course, Course.published_tree_id == StoredBlock.tree_id)
    .where(
        FieldValue.scope == USER_STATE,
        FieldValue.user_id == bindparam("user_id"),
        FieldValue.field_name == "staff_comment",
    )
    .order_by(FieldValue.updated_at.desc(), FieldValue.id.desc())
)


def _comments(user_id: int) -> list[TrainerComment]:
    """The trainers' comments on the learner's answers, newest first."""
    rows = read_columns(db.session, _COMMENTS, {"user_id": user_id})
    return [
        TrainerComment(key, title or "", unit, value, at)
        for key, title, unit, value, at in rows
        if isinstance(value, str) and value.strip()
    ]


def learner_home(user_id: int, is_staff: bool) -> LearnerHome:
    """The learner's section (six statements: three for the courses, one for each of the rest)."""
    unread = _unread(user_id)
    return LearnerHome(
        courses=learner_queries.learner_courses(user_id, is_staff),
        ends_on=_cohort_ends(user_id),
        unread_threads=unread[:LISTED],
        unread_total=sum(t.unread for t in unread),
        comments=_comments(user_id)[:LISTED],
    )
