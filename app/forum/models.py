"""Tables of the training forum: ForumThread, ForumPost (replies), ForumFlag and ForumReadState.

A thread belongs to one discussion of one course (``course_key`` + ``discussion_id``, as Open edX keys
its discussions), and, in a cohort-divided discussion, to its author's cohort. Bodies are kept twice: the
author's Markdown (to edit) and the sanitised HTML shown to readers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.extensions import db

TITLE_MAX = 200
BODY_MAX = 10_000
REASON_MAX = 200


def _now() -> datetime:
    return datetime.now(UTC)


class ForumThread(db.Model):
    """A discussion thread: a title and an opening message, with its replies."""

    __tablename__ = "forum_thread"
    __table_args__ = (
        # The thread list: one discussion, pinned first, then by last activity.
        Index("ix_forum_thread_listing", "course_key", "discussion_id", "pinned", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_key: Mapped[str] = mapped_column(String(255))
    discussion_id: Mapped[str] = mapped_column(String(255))
    # The block it was started from, so that moderators can open it where learners see it.
    usage_id: Mapped[str] = mapped_column(String(255))
    # The author's cohort in a cohort-divided discussion (None: seen course-wide). Deleting a cohort
    # deletes its threads rather than showing what was written for the cohort to everyone.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    # Kept when an account is deleted, shown as a former member.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(default=False)
    closed: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    # Replies readers other than trainers see (hidden ones do not count).
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    author: Mapped[User | None] = relationship()


class ForumPost(db.Model):
    """A reply in a thread; trainers may mark it as an answer."""

    __tablename__ = "forum_post"
    __table_args__ = (Index("ix_forum_post_thread_created", "thread_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    is_answer: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    thread: Mapped[ForumThread] = relationship()
    author: Mapped[User | None] = relationship()


class ForumFlag(db.Model):
    """A reader's report of a thread's opening message or of a reply as abusive (once per reader).

    Exactly one of ``thread_id`` and ``post_id`` is set, so each unique constraint below holds for its
    own kind of flag (rows whose other column is NULL never collide). A trainer's dismissal keeps the row,
    so the same reader cannot flag it again.
    """

    __tablename__ = "forum_flag"
    __table_args__ = (
        UniqueConstraint("user_id", "thread_id"),
        UniqueConstraint("user_id", "post_id"),
        CheckConstraint("(thread_id IS NULL) <> (post_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_thread.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ForumReadState(db.Model):
    """When a reader last opened a thread: replies after it are new to them."""

    __tablename__ = "forum_read_state"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("forum_thread.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
