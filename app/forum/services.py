"""Changing the forum: threads, replies, edits, reports and the trainers' moderation.

Every function takes the acting :class:`~app.forum.access.Reader` explicitly, finds its target through the
same visibility rule as the pages (so an id from another discussion, course or cohort is "not found"),
refuses with a :class:`~app.forum.errors.ForumError` before changing anything, and only flushes: the
request that called it commits once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.forum import queries, text
from app.forum.access import Discussion, Reader, within_reach
from app.forum.errors import Conflict, Forbidden, Invalid, NotFound
from app.forum.models import ForumFlag, ForumPost, ForumReadState, ForumThread

# Authors may correct their own messages for this long after posting (Open edX has no limit; a short one
# keeps replies meaningful).
EDIT_WINDOW = timedelta(minutes=30)


def now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """The moment with its UTC zone (SQLite gives stored UTC times back without it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _insert(session: Any, table: Any) -> Any:
    return (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)


def not_found() -> NotFound:
    """The refusal for an id the reader cannot see (whether it exists or not)."""
    return NotFound(_("This thread or message does not exist, or is not visible to you."))


def _thread(session: Any, reader: Reader, discussion: Discussion, thread_id: Any) -> ForumThread:
    thread = queries.find_thread(session, reader, discussion, thread_id)
    if thread is None:
        raise not_found()
    return thread


def _post(session: Any, reader: Reader, discussion: Discussion, post_id: Any) -> ForumPost:
    post = queries.find_post(session, reader, discussion, post_id)
    if post is None:
        raise not_found()
    return post


def _require_staff(reader: Reader) -> None:
    if not reader.is_staff:
        raise Forbidden(_("Only the trainers of the course can do this."))


def _refuse_if_closed(thread: ForumThread) -> None:
    if thread.closed:
        raise Conflict(_("This thread is closed: it takes no more replies or changes."))


def may_edit(reader: Reader, author_id: int | None, created_at: datetime, at: datetime | None = None) -> bool:
    """Whether the reader wrote this message and is still within the edit window."""
    return author_id == reader.user_id and (at or now()) - aware(created_at) <= EDIT_WINDOW


def _check_edit(reader: Reader, author_id: int | None, created_at: datetime, thread: ForumThread) -> None:
    if author_id != reader.user_id:
        raise Forbidden(_("You can only edit your own messages."))
    if not may_edit(reader, author_id, created_at):
        raise Forbidden(
            _(
                "This message can no longer be edited: messages can be changed for %(minutes)d minutes "
                "after posting.",
                minutes=int(EDIT_WINDOW.total_seconds() // 60),
            )
        )
    _refuse_if_closed(thread)


def mark_read(session: Any, reader: Reader, thread_id: int, at: datetime | None = None) -> None:
    """Remember that the reader has seen the thread up to now (one upsert)."""
    statement = _insert(session, ForumReadState).values(
        user_id=reader.user_id, thread_id=thread_id, last_read_at=at or now()
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "thread_id"], set_={"last_read_at": statement.excluded.last_read_at}
    )
    session.execute(statement)


def _thread_cohort(session: Any, reader: Reader, discussion: Discussion, cohort_id: Any) -> int | None:
    """The cohort a new thread belongs to: the author's in a divided discussion; a trainer chooses one
    of the course's cohorts, or none (everyone)."""
    if not discussion.divided:
        return None
    if not reader.is_staff:
        return reader.cohort_id
    if cohort_id is None:
        return None
    cohorts = queries.course_cohorts(session, discussion.course_key, reader.following)
    if cohort_id not in {ident for ident, _name in cohorts}:
        raise Invalid(
            _("Choose one of the cohorts of your Cybersite that follow this course."), field="cohort"
        )
    return int(cohort_id)


def start_thread(
    session: Any,
    reader: Reader,
    discussion: Discussion,
    *,
    usage_id: str,
    title: Any,
    body: Any,
    cohort_id: Any = None,
) -> ForumThread:
    """Start a thread in the discussion (its author has read it)."""
    checked_title, checked_body = text.checked_title(title), text.checked_body(body)
    cohort = _thread_cohort(session, reader, discussion, cohort_id)
    at = now()
    thread = ForumThread(
        course_key=discussion.course_key,
        discussion_id=discussion.discussion_id,
        usage_id=usage_id,
        cohort_id=cohort,
        author_id=reader.user_id,
        title=checked_title,
        body_markdown=checked_body,
        body_html=text.render(checked_body),
        pinned=False,
        closed=False,
        hidden=False,
        reply_count=0,
        created_at=at,
        updated_at=at,
        last_activity_at=at,
    )
    session.add(thread)
    session.flush()
    mark_read(session, reader, thread.id, at)
    return thread


def reply(session: Any, reader: Reader, discussion: Discussion, thread_id: Any, body: Any) -> ForumPost:
    """Reply in an open thread the reader sees."""
    thread = _thread(session, reader, discussion, thread_id)
    _refuse_if_closed(thread)
    checked_body = text.checked_body(body)
    at = now()
    post = ForumPost(
        thread_id=thread.id,
        author_id=reader.user_id,
        body_markdown=checked_body,
        body_html=text.render(checked_body),
        is_answer=False,
        hidden=False,
        created_at=at,
    )
    session.add(post)
    session.flush()
    # In SQL, so that replies posted at the same time all count.
    session.execute(
        update(ForumThread)
        .where(ForumThread.id == thread.id)
        .values(reply_count=ForumThread.reply_count + 1, last_activity_at=at, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    session.expire(thread, ["reply_count", "last_activity_at", "updated_at"])
    mark_read(session, reader, thread.id, at)
    return post


def edit_thread(
    session: Any, reader: Reader, discussion: Discussion, thread_id: Any, *, title: Any, body: Any
) -> ForumThread:
    """Change the title and opening message of the reader's own thread, within the edit window."""
    thread = _thread(session, reader, discussion, thread_id)
    _check_edit(reader, thread.author_id, thread.created_at, thread)
    checked_title, checked_body = text.checked_title(title), text.checked_body(body)
    thread.title = checked_title
    thread.body_markdown = checked_body
    thread.body_html = text.render(checked_body)
    thread.edited_at = now()
    session.flush()
    return thread


def edit_post(session: Any, reader: Reader, discussion: Discussion, post_id: Any, body: Any) -> ForumPost:
    """Change the reader's own reply, within the edit window."""
    post = _post(session, reader, discussion, post_id)
    _check_edit(reader, post.author_id, post.created_at, post.thread)
    checked_body = text.checked_body(body)
    post.body_markdown = checked_body
    post.body_html = text.render(checked_body)
    post.edited_at = now()
    session.flush()
    return post


def flag(
    session: Any, reader: Reader, discussion: Discussion, kind: str, target_id: Any, *, reason: Any = ""
) -> ForumFlag:
    """Report a thread's opening message (``kind="thread"``) or a reply (``"post"``) as abusive, once."""
    target: ForumThread | ForumPost
    if kind == queries.KIND_THREAD:
        target = _thread(session, reader, discussion, target_id)
    elif kind == queries.KIND_POST:
        target = _post(session, reader, discussion, target_id)
    else:
        raise not_found()
    if target.author_id == reader.user_id:
        raise Forbidden(_("You cannot report your own message."))
    checked_reason = text.checked_reason(reason)
    values = {
        "thread_id": target.id if kind == queries.KIND_THREAD else None,
        "post_id": target.id if kind == queries.KIND_POST else None,
        "user_id": reader.user_id,
        "reason": checked_reason,
        "created_at": now(),
    }
    # One statement that cannot fail on a second report, even one sent at the same moment.
    statement = _insert(session, ForumFlag).values(**values).on_conflict_do_nothing().returning(ForumFlag.id)
    flag_id = session.execute(statement).scalar()
    if flag_id is None:
        raise Conflict(_("You have already reported this message."))
    return session.get(ForumFlag, flag_id)


# Trainers ---------------------------------------------------------------------------------------------


def set_pinned(session: Any, reader: Reader, discussion: Discussion, thread_id: Any, pinned: bool) -> int:
    """Pin a thread to the top of the list, or unpin it (trainers). Returns the thread id."""
    _require_staff(reader)
    thread = _thread(session, reader, discussion, thread_id)
    thread.pinned = pinned
    session.flush()
    return thread.id


def set_closed(session: Any, reader: Reader, discussion: Discussion, thread_id: Any, closed: bool) -> int:
    """Close a thread to replies and edits, or reopen it (trainers). Returns the thread id."""
    _require_staff(reader)
    thread = _thread(session, reader, discussion, thread_id)
    thread.closed = closed
    session.flush()
    return thread.id


def set_answer(session: Any, reader: Reader, discussion: Discussion, post_id: Any, answer: bool) -> int:
    """Mark a reply as an answer to its thread, or take the mark back (trainers). Returns the thread id."""
    _require_staff(reader)
    post = _post(session, reader, discussion, post_id)
    post.is_answer = answer
    session.flush()
    return post.thread_id


def _hide_thread(session: Any, thread: ForumThread, hidden: bool) -> None:
    thread.hidden = hidden
    thread.hidden_at = now() if hidden else None
    if hidden:
        _dismiss(session, queries.KIND_THREAD, thread.id)
    session.flush()


def _hide_post(session: Any, post: ForumPost, hidden: bool) -> None:
    if post.hidden == hidden:
        return
    post.hidden = hidden
    post.hidden_at = now() if hidden else None
    if hidden:
        _dismiss(session, queries.KIND_POST, post.id)
    session.flush()
    session.execute(
        update(ForumThread)
        .where(ForumThread.id == post.thread_id)
        .values(reply_count=ForumThread.reply_count + (-1 if hidden else 1))
        .execution_options(synchronize_session=False)
    )
    session.expire(post.thread, ["reply_count"])


def set_hidden(
    session: Any, reader: Reader, discussion: Discussion, kind: str, target_id: Any, *, hidden: bool
) -> int:
    """Hide a thread or a reply from learners, or show it again (trainers). Hiding settles its reports.
    Returns the thread id."""
    _require_staff(reader)
    if kind == queries.KIND_THREAD:
        thread = _thread(session, reader, discussion, target_id)
        _hide_thread(session, thread, hidden)
        return thread.id
    if kind == queries.KIND_POST:
        post = _post(session, reader, discussion, target_id)
        _hide_post(session, post, hidden)
        return post.thread_id
    raise not_found()


# The moderation page: trainers act on messages of any course within their reach, by id -----------------


def _target(session: Any, reader: Reader, kind: str, target_id: Any) -> ForumThread | ForumPost:
    """The message, if its thread is within the trainer's reach (otherwise "not found", as for an id that
    names nothing)."""
    if kind == queries.KIND_THREAD:
        statement = select(ForumThread).where(ForumThread.id == target_id)
    elif kind == queries.KIND_POST:
        statement = (
            select(ForumPost)
            .join(ForumThread, ForumThread.id == ForumPost.thread_id)
            .where(ForumPost.id == target_id)
        )
    else:
        raise not_found()
    target = session.scalar(statement.where(within_reach(reader))) if queries.valid_id(target_id) else None
    if target is None:
        raise not_found()
    return target


def moderate_hidden(session: Any, reader: Reader, kind: str, target_id: Any, hidden: bool) -> None:
    """Hide or show again a thread or reply from the moderation queue (trainers)."""
    _require_staff(reader)
    target = _target(session, reader, kind, target_id)
    if isinstance(target, ForumThread):
        _hide_thread(session, target, hidden)
    else:
        _hide_post(session, target, hidden)


def _dismiss(session: Any, kind: str, target_id: int) -> int:
    column = ForumFlag.thread_id if kind == queries.KIND_THREAD else ForumFlag.post_id
    result = session.execute(
        update(ForumFlag)
        .where(column == target_id, ForumFlag.dismissed_at.is_(None))
        .values(dismissed_at=now())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def dismiss_flags(session: Any, reader: Reader, kind: str, target_id: Any) -> int:
    """Settle the open reports of a message, leaving it as it is (trainers). Returns how many."""
    _require_staff(reader)
    target = _target(session, reader, kind, target_id)
    return _dismiss(session, kind, target.id)
