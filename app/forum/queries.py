"""Reading the forum: a page of threads, a thread with a page of its replies, the moderation queue.

Each read is a fixed number of SQL statements whatever the number of threads, replies or flags (counts,
unread replies, answers and the reader's own flags come as subqueries of the same statement), and applies
the visibility rule of :mod:`app.forum.access` in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from app.accounts.models import Role, RoleGrant, User
from app.accounts.policy import Following
from app.cohorts.models import Cohort, CohortCourse
from app.core.database import is_row_id
from app.courses.models import Course
from app.forum.access import Discussion, Reader, post_visible, thread_visible, within_reach
from app.forum.models import ForumFlag, ForumPost, ForumReadState, ForumThread
from app.runtime.models import StoredBlock

THREADS_PER_PAGE = 20
REPLIES_PER_PAGE = 50
QUEUE_PER_PAGE = 20


@dataclass(frozen=True)
class ThreadSummary:
    """A thread as the list shows it to one reader."""

    id: int
    title: str
    author_id: int | None
    author_name: str | None
    cohort_name: str | None
    pinned: bool
    closed: bool
    hidden: bool
    answered: bool
    reply_count: int
    unread_count: int
    is_new: bool  # never opened by the reader (and not theirs)
    created_at: datetime
    last_activity_at: datetime


@dataclass(frozen=True)
class ThreadPage:
    """One page of a discussion's threads."""

    threads: list[ThreadSummary]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class PostView:
    """A reply as one reader sees it."""

    id: int
    author_id: int | None
    author_name: str | None
    author_is_staff: bool
    body_markdown: str
    body_html: str
    is_answer: bool
    hidden: bool
    created_at: datetime
    edited_at: datetime | None
    flagged_by_reader: bool
    open_flags: int


@dataclass(frozen=True)
class ThreadDetail:
    """A thread with one page of its replies, as one reader sees it."""

    id: int
    title: str
    author_id: int | None
    author_name: str | None
    author_is_staff: bool
    cohort_name: str | None
    body_markdown: str
    body_html: str
    pinned: bool
    closed: bool
    hidden: bool
    created_at: datetime
    edited_at: datetime | None
    last_read_at: datetime | None  # before this visit: later replies are new to the reader
    flagged_by_reader: bool
    open_flags: int
    reply_total: int
    page: int
    pages: int
    replies: list[PostView] = field(default_factory=list)


def valid_id(value: Any) -> bool:
    """Whether ``value`` can name a row (a positive integer in the column's range, not a boolean)."""
    return is_row_id(value)


def _author_is_staff(author_id: Any) -> ColumnElement[bool]:
    return exists().where(
        RoleGrant.user_id == author_id, RoleGrant.role.in_((Role.TRAINER, Role.NETWORK_ADMIN))
    )


def _open_flags(thread_id: Any = None, post_id: Any = None) -> Any:
    target = ForumFlag.thread_id == thread_id if thread_id is not None else ForumFlag.post_id == post_id
    return select(func.count(ForumFlag.id)).where(target, ForumFlag.dismissed_at.is_(None)).scalar_subquery()


def _flagged_by(reader: Reader, thread_id: Any = None, post_id: Any = None) -> ColumnElement[bool]:
    target = ForumFlag.thread_id == thread_id if thread_id is not None else ForumFlag.post_id == post_id
    return exists().where(target, ForumFlag.user_id == reader.user_id)


def _pages(total: int, per_page: int) -> int:
    return max(1, ceil(total / per_page))


def thread_page(session: Any, reader: Reader, discussion: Discussion, page: int) -> ThreadPage:
    """Page ``page`` (clamped to the pages there are) of the threads ``reader`` sees: pinned first, then
    by last activity. Two statements."""
    visible = thread_visible(reader, discussion)
    total = session.scalar(select(func.count(ForumThread.id)).where(visible)) or 0
    pages = _pages(total, THREADS_PER_PAGE)
    page = min(max(page, 1), pages)
    read = aliased(ForumReadState)
    unread = (
        select(func.count(ForumPost.id))
        .where(
            ForumPost.thread_id == ForumThread.id,
            ForumPost.hidden.is_(False),
            or_(ForumPost.author_id.is_(None), ForumPost.author_id != reader.user_id),
            or_(read.last_read_at.is_(None), ForumPost.created_at > read.last_read_at),
        )
        .correlate(ForumThread, read)
        .scalar_subquery()
    )
    answered = exists().where(
        ForumPost.thread_id == ForumThread.id, ForumPost.is_answer, post_visible(reader)
    )
    statement = (
        select(
            ForumThread.id,
            ForumThread.title,
            ForumThread.author_id,
            User.display_name,
            Cohort.name,
            ForumThread.pinned,
            ForumThread.closed,
            ForumThread.hidden,
            answered,
            ForumThread.reply_count,
            unread,
            read.last_read_at,
            ForumThread.created_at,
            ForumThread.last_activity_at,
        )
        .outerjoin(User, User.id == ForumThread.author_id)
        .outerjoin(Cohort, Cohort.id == ForumThread.cohort_id)
        .outerjoin(read, and_(read.thread_id == ForumThread.id, read.user_id == reader.user_id))
        .where(visible)
        .order_by(ForumThread.pinned.desc(), ForumThread.last_activity_at.desc(), ForumThread.id.desc())
        .limit(THREADS_PER_PAGE)
        .offset((page - 1) * THREADS_PER_PAGE)
    )
    threads = [
        ThreadSummary(
            id=row[0],
            title=row[1],
            author_id=row[2],
            author_name=row[3],
            cohort_name=row[4],
            pinned=row[5],
            closed=row[6],
            hidden=row[7],
            answered=bool(row[8]),
            reply_count=row[9],
            unread_count=row[10] or 0,
            is_new=row[11] is None and row[2] != reader.user_id,
            created_at=row[12],
            last_activity_at=row[13],
        )
        for row in session.execute(statement)
    ]
    return ThreadPage(threads, page, pages, total)


def thread_detail(
    session: Any, reader: Reader, discussion: Discussion, thread_id: Any, page: int | None = 1
) -> ThreadDetail | None:
    """The thread (None if the reader may not see it) with page ``page`` of its replies (None: the last
    page). Three statements."""
    if not valid_id(thread_id):
        return None
    read = aliased(ForumReadState)
    row = session.execute(
        select(
            ForumThread,
            User.display_name,
            _author_is_staff(ForumThread.author_id),
            Cohort.name,
            read.last_read_at,
            _flagged_by(reader, thread_id=ForumThread.id),
            _open_flags(thread_id=ForumThread.id) if reader.is_staff else literal(0),
        )
        .outerjoin(User, User.id == ForumThread.author_id)
        .outerjoin(Cohort, Cohort.id == ForumThread.cohort_id)
        .outerjoin(read, and_(read.thread_id == ForumThread.id, read.user_id == reader.user_id))
        .where(ForumThread.id == thread_id, thread_visible(reader, discussion))
    ).first()
    if row is None:
        return None
    thread = row[0]
    replies_visible = and_(ForumPost.thread_id == thread.id, post_visible(reader))
    total = session.scalar(select(func.count(ForumPost.id)).where(replies_visible)) or 0
    pages = _pages(total, REPLIES_PER_PAGE)
    page = pages if page is None else min(max(page, 1), pages)
    statement = (
        select(
            ForumPost,
            User.display_name,
            _author_is_staff(ForumPost.author_id),
            _flagged_by(reader, post_id=ForumPost.id),
            _open_flags(post_id=ForumPost.id) if reader.is_staff else literal(0),
        )
        .outerjoin(User, User.id == ForumPost.author_id)
        .where(replies_visible)
        .order_by(ForumPost.created_at, ForumPost.id)
        .limit(REPLIES_PER_PAGE)
        .offset((page - 1) * REPLIES_PER_PAGE)
    )
    replies = [
        PostView(
            id=post.id,
            author_id=post.author_id,
            author_name=name,
            author_is_staff=bool(staff),
            body_markdown=post.body_markdown,
            body_html=post.body_html,
            is_answer=post.is_answer,
            hidden=post.hidden,
            created_at=post.created_at,
            edited_at=post.edited_at,
            flagged_by_reader=bool(flagged),
            open_flags=flags or 0,
        )
        for post, name, staff, flagged, flags in session.execute(statement)
    ]
    return ThreadDetail(
        id=thread.id,
        title=thread.title,
        author_id=thread.author_id,
        author_name=row[1],
        author_is_staff=bool(row[2]),
        cohort_name=row[3],
        body_markdown=thread.body_markdown,
        body_html=thread.body_html,
        pinned=thread.pinned,
        closed=thread.closed,
        hidden=thread.hidden,
        created_at=thread.created_at,
        edited_at=thread.edited_at,
        last_read_at=row[4],
        flagged_by_reader=bool(row[5]),
        open_flags=row[6] or 0,
        reply_total=total,
        page=page,
        pages=pages,
        replies=replies,
    )


def find_thread(session: Any, reader: Reader, discussion: Discussion, thread_id: Any) -> ForumThread | None:
    """The thread of the discussion with this id, if the reader may see it."""
    if not valid_id(thread_id):
        return None
    return session.scalar(
        select(ForumThread).where(ForumThread.id == thread_id, thread_visible(reader, discussion))
    )


def find_post(session: Any, reader: Reader, discussion: Discussion, post_id: Any) -> ForumPost | None:
    """The reply with this id in a thread of the discussion, if the reader may see both."""
    if not valid_id(post_id):
        return None
    return session.scalar(
        select(ForumPost)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(ForumPost.id == post_id, post_visible(reader), thread_visible(reader, discussion))
    )


def course_cohorts(session: Any, course_key: str, following: Following) -> list[tuple[int, str]]:
    """The cohorts following a course that a trainer may start a thread for (those of the Cybersites they
    train at: ``following``), as (id, name)."""
    rows = session.execute(
        select(Cohort.id, Cohort.name)
        .join(CohortCourse, CohortCourse.cohort_id == Cohort.id)
        .join(Course, Course.id == CohortCourse.course_id)
        .where(Course.course_key == course_key, following.sites(Cohort.cybersite_id))
        .order_by(Cohort.name)
    )
    return [(ident, name) for ident, name in rows]


# Moderation -------------------------------------------------------------------------------------------

QUEUE_REPORTED = "reported"
QUEUE_HIDDEN = "hidden"
KIND_THREAD = "thread"
KIND_POST = "post"


@dataclass(frozen=True)
class QueueItem:
    """A thread's opening message or a reply waiting for a moderator's look."""

    kind: str  # KIND_THREAD or KIND_POST
    id: int
    thread_id: int
    thread_title: str
    course_key: str
    course_title: str | None
    unit_usage_id: str | None  # the unit showing the discussion in the course's published version
    author_name: str | None
    body_html: str
    hidden: bool
    open_flags: int
    created_at: datetime
    reasons: list[Report] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """One open report of a message: who made it (None: a former member) and why. Whom the moderator does
    not follow (``outside``: someone of another Cybersite) is not named."""

    who: str | None
    reason: str
    outside: bool = False


@dataclass(frozen=True)
class QueuePage:
    """One page of the moderation queue."""

    items: list[QueueItem]
    page: int
    pages: int
    total: int


def _queue_selects(reader: Reader, show: str) -> tuple[Select[Any], Select[Any]]:
    """The opening messages and the replies of the queue ``show``, in threads within the reader's reach."""
    reach = within_reach(reader)
    thread_flags = _open_flags(thread_id=ForumThread.id)
    post_flags = _open_flags(post_id=ForumPost.id)
    threads = select(
        literal(KIND_THREAD).label("kind"),
        ForumThread.id.label("id"),
        ForumThread.id.label("thread_id"),
        ForumThread.author_id.label("author_id"),
        ForumThread.body_html.label("body_html"),
        ForumThread.hidden.label("hidden"),
        thread_flags.label("open_flags"),
        ForumThread.created_at.label("created_at"),
        func.coalesce(ForumThread.hidden_at, ForumThread.created_at).label("since"),
    ).where(thread_flags > 0 if show == QUEUE_REPORTED else ForumThread.hidden.is_(True), reach)
    posts = select(
        literal(KIND_POST).label("kind"),
        ForumPost.id.label("id"),
        ForumPost.thread_id.label("thread_id"),
        ForumPost.author_id.label("author_id"),
        ForumPost.body_html.label("body_html"),
        ForumPost.hidden.label("hidden"),
        post_flags.label("open_flags"),
        ForumPost.created_at.label("created_at"),
        func.coalesce(ForumPost.hidden_at, ForumPost.created_at).label("since"),
    )
    posts = posts.join(ForumThread, ForumThread.id == ForumPost.thread_id).where(
        post_flags > 0 if show == QUEUE_REPORTED else ForumPost.hidden.is_(True), reach
    )
    return threads, posts


def moderation_queue(session: Any, reader: Reader, show: str, page: int) -> QueuePage:
    """Reported (``show="reported"``: with flags not yet dismissed) or hidden messages of every course, in
    threads within the trainer's reach, newest first, one page of them, each with the unit showing it. Three
    statements."""
    show = show if show in (QUEUE_REPORTED, QUEUE_HIDDEN) else QUEUE_REPORTED
    threads, posts = _queue_selects(reader, show)
    queue = union_all(threads, posts).subquery("queue")
    total = session.scalar(select(func.count()).select_from(queue)) or 0
    pages = _pages(total, QUEUE_PER_PAGE)
    page = min(max(page, 1), pages)
    block, unit = aliased(StoredBlock), aliased(StoredBlock)
    rows = session.execute(
        select(
            queue.c.kind,
            queue.c.id,
            queue.c.thread_id,
            ForumThread.title,
            ForumThread.course_key,
            Course.title,
            unit.usage_id,
            User.display_name,
            queue.c.body_html,
            queue.c.hidden,
            queue.c.open_flags,
            queue.c.created_at,
        )
        .join(ForumThread, ForumThread.id == queue.c.thread_id)
        .outerjoin(Course, Course.course_key == ForumThread.course_key)
        .outerjoin(
            block, and_(block.tree_id == Course.published_tree_id, block.usage_id == ForumThread.usage_id)
        )
        .outerjoin(
            unit,
            and_(
                unit.tree_id == Course.published_tree_id,
                unit.usage_id == block.parent_usage_id,
                unit.block_type == "vertical",
            ),
        )
        .outerjoin(User, User.id == queue.c.author_id)
        .order_by(queue.c.since.desc(), queue.c.kind, queue.c.id.desc())
        .limit(QUEUE_PER_PAGE)
        .offset((page - 1) * QUEUE_PER_PAGE)
    ).all()
    reasons = _open_reasons(session, reader, [(r[0], r[1]) for r in rows])
    items = [
        QueueItem(
            kind=r[0],
            id=r[1],
            thread_id=r[2],
            thread_title=r[3],
            course_key=r[4],
            course_title=r[5],
            unit_usage_id=r[6],
            author_name=r[7],
            body_html=r[8],
            hidden=bool(r[9]),
            open_flags=r[10] or 0,
            created_at=r[11],
            reasons=reasons.get((r[0], r[1]), []),
        )
        for r in rows
    ]
    return QueuePage(items, page, pages, total)


def _open_reasons(
    session: Any, reader: Reader, targets: list[tuple[str, int]]
) -> dict[tuple[str, int], list[Report]]:
    """Who reported each target and why (flags not dismissed), in one statement."""
    thread_ids = [ident for kind, ident in targets if kind == KIND_THREAD]
    post_ids = [ident for kind, ident in targets if kind == KIND_POST]
    if not targets:
        return {}
    rows = session.execute(
        select(
            ForumFlag.thread_id,
            ForumFlag.post_id,
            User.display_name,
            ForumFlag.reason,
            or_(ForumFlag.user_id.is_(None), reader.following.people(ForumFlag.user_id)),
        )
        .outerjoin(User, User.id == ForumFlag.user_id)
        .where(
            ForumFlag.dismissed_at.is_(None),
            or_(
                ForumFlag.thread_id.in_(thread_ids) if thread_ids else false(),
                ForumFlag.post_id.in_(post_ids) if post_ids else false(),
            ),
        )
        .order_by(ForumFlag.created_at)
    )
    found: dict[tuple[str, int], list[Report]] = {}
    for thread_id, post_id, name, reason, followed in rows:
        key = (KIND_THREAD, thread_id) if thread_id is not None else (KIND_POST, post_id)
        found.setdefault(key, []).append(Report(name if followed else None, reason, outside=not followed))
    return found


def queue_counts(session: Any, reader: Reader) -> dict[str, int]:
    """How many messages within the trainer's reach are reported and hidden (for the page's tabs). One
    statement."""
    threads_reported, posts_reported = _queue_selects(reader, QUEUE_REPORTED)
    threads_hidden, posts_hidden = _queue_selects(reader, QUEUE_HIDDEN)
    reported = union_all(threads_reported, posts_reported).subquery()
    hidden = union_all(threads_hidden, posts_hidden).subquery()
    row = session.execute(
        select(
            select(func.count()).select_from(reported).scalar_subquery(),
            select(func.count()).select_from(hidden).scalar_subquery(),
        )
    ).one()
    return {QUEUE_REPORTED: row[0] or 0, QUEUE_HIDDEN: row[1] or 0}
