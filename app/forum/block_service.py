"""The ``forum`` service blocks declare (``@XBlock.needs("forum")``): the forum as one learner sees it.

``forum_service(runtime, block)`` is registered in ``create_app``; it is built once per request for the
runtime's learner and course. A block then asks for one of its discussions with
:meth:`ForumService.discussion` and calls its reads and writes. Refusals are raised as
``ForumService.Refused`` (:class:`~app.forum.errors.ForumError`), which carry ``status`` and ``message``
(in the reader's language), so a block can turn them into its own error answer without importing
anything of the platform. Writes only flush: the handler endpoint commits once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.policy import NOBODY, Following, following
from app.core.extensions import db
from app.forum import queries, services
from app.forum.access import VISIBILITIES, Discussion, Reader, reader_cohort_id
from app.forum.errors import Forbidden, ForumError
from app.forum.models import BODY_MAX, TITLE_MAX


class DiscussionHandle:
    """One discussion of the course, for the service's reader."""

    def __init__(self, service: ForumService, discussion: Discussion, usage_id: str) -> None:
        self._service = service
        self.discussion = discussion
        self.usage_id = usage_id

    @property
    def _reader(self) -> Reader:
        return self._service.reader(self.discussion.divided)

    # Reading ----------------------------------------------------------------------------------------------

    def threads(self, page: int = 1) -> queries.ThreadPage:
        """A page of the threads the reader sees (20 a page)."""
        return queries.thread_page(db.session, self._reader, self.discussion, page)

    def thread(self, thread_id: Any, page: int | None = 1, mark_read: bool = True) -> queries.ThreadDetail:
        """A thread with a page of its replies (None: the last page); it counts as read from now on."""
        reader = self._reader
        detail = queries.thread_detail(db.session, reader, self.discussion, thread_id, page)
        if detail is None:
            raise services.not_found()
        if mark_read:
            services.mark_read(db.session, reader, detail.id)
        return detail

    def cohorts(self) -> list[tuple[int, str]]:
        """The cohorts a trainer may start a thread for (empty for learners and course-wide discussions)."""
        if not self._service.is_staff or not self.discussion.divided:
            return []
        return queries.course_cohorts(db.session, self.discussion.course_key, self._reader.following)

    # Writing ----------------------------------------------------------------------------------------------

    def start_thread(self, title: Any, body: Any, cohort_id: Any = None) -> int:
        """Start a thread; returns its id."""
        thread = services.start_thread(
            db.session,
            self._reader,
            self.discussion,
            usage_id=self.usage_id,
            title=title,
            body=body,
            cohort_id=cohort_id,
        )
        return thread.id

    def reply(self, thread_id: Any, body: Any) -> int:
        """Reply in a thread; returns the reply's id."""
        return services.reply(db.session, self._reader, self.discussion, thread_id, body).id

    def edit(self, kind: str, target_id: Any, body: Any, title: Any = None) -> int:
        """Edit one's own opening message (``kind="thread"``, with its title) or reply (``"post"``);
        returns the thread's id."""
        if kind == queries.KIND_THREAD:
            return services.edit_thread(
                db.session, self._reader, self.discussion, target_id, title=title, body=body
            ).id
        if kind == queries.KIND_POST:
            return services.edit_post(db.session, self._reader, self.discussion, target_id, body).thread_id
        raise services.not_found()

    def flag(self, kind: str, target_id: Any, reason: Any = "") -> None:
        """Report a message as abusive (once per reader)."""
        services.flag(db.session, self._reader, self.discussion, kind, target_id, reason=reason)

    def pin(self, thread_id: Any, value: bool) -> int:
        """Pin or unpin a thread (trainers); returns its id."""
        return services.set_pinned(db.session, self._reader, self.discussion, thread_id, value)

    def close(self, thread_id: Any, value: bool) -> int:
        """Close or reopen a thread (trainers); returns its id."""
        return services.set_closed(db.session, self._reader, self.discussion, thread_id, value)

    def hide(self, kind: str, target_id: Any, value: bool) -> int:
        """Hide or show a thread or reply (trainers); returns the thread's id."""
        return services.set_hidden(db.session, self._reader, self.discussion, kind, target_id, hidden=value)

    def mark_answer(self, post_id: Any, value: bool) -> int:
        """Mark a reply as an answer, or not (trainers); returns the thread's id."""
        return services.set_answer(db.session, self._reader, self.discussion, post_id, value)


class ForumService:
    """The forum for the runtime's learner in the runtime's course."""

    #: What every refusal raised by the service is (``status``, ``message``).
    Refused = ForumError
    TITLE_MAX = TITLE_MAX
    BODY_MAX = BODY_MAX
    EDIT_MINUTES = int(services.EDIT_WINDOW.total_seconds() // 60)
    VISIBILITIES = VISIBILITIES

    def __init__(self, course_key: str, user_id: int | None, is_staff: bool) -> None:
        self.course_key = course_key
        self.user_id = user_id
        self.is_staff = is_staff
        self._cohort_id: int | None = None
        self._cohort_read = False
        self._following: Following | None = None

    def reader(self, divided: bool) -> Reader:
        """Who acts (their cohort looked up once, and only where a divided discussion needs it)."""
        if self.user_id is None:
            raise Forbidden(_("Sign in to use the forum."))
        if divided and not self.is_staff and not self._cohort_read:
            self._cohort_id = reader_cohort_id(db.session, self.user_id, self.course_key)
            self._cohort_read = True
        if self.is_staff and self._following is None:
            # The signed-in user, with their roles, is already in the session: no query.
            self._following = following(db.session.get(User, self.user_id))
        return Reader(self.user_id, self.is_staff, self._cohort_id, self._following or NOBODY)

    def discussion(self, discussion_id: str, divided: bool, usage_id: str) -> DiscussionHandle:
        """One discussion of the course (``divided``: threads kept within cohorts)."""
        return DiscussionHandle(self, Discussion(self.course_key, discussion_id, divided), usage_id)

    def may_edit(self, author_id: int | None, created_at: datetime) -> bool:
        """Whether the reader may still edit a message they wrote at ``created_at``."""
        if self.user_id is None:
            return False
        return services.may_edit(Reader(self.user_id), author_id, created_at)

    def format_datetime(self, moment: datetime) -> str:
        """A date and time in the reader's language and the site's time zone."""
        return format_datetime(services.aware(moment), "short")


def forum_service(runtime: Any, block: Any) -> ForumService:
    """The block service factory: the forum for the runtime's learner and course."""
    learner = runtime.learner
    return ForumService(str(runtime.course_id), learner.user_id, bool(learner.is_staff))
