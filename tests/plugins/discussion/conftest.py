"""Fixtures for the discussion block: a course whose unit holds forums, learners in cohorts, trainers, and
helpers reading what the forum tables hold (to check that a refusal stored nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import lxml.html
import pytest
from flask import Flask
from sqlalchemy import func, select

from app.accounts.models import Company, Cybersite, Role, User
from app.cohorts.models import Cohort, CohortCourse
from app.core.extensions import db
from app.courses.models import Enrolment
from app.forum.models import ForumFlag, ForumPost, ForumReadState, ForumThread
from app.progress.models import BlockCompletion
from tests.plugins.conftest import BlockClient, OlxCourse

FORUM = (
    '<discussion url_name="f1" display_name="Forum du chapitre 1" discussion_id="ch1-forum" '
    'discussion_category="Chapitre 1" discussion_target="Questions et retours"/>'
)
OPEN_FORUM = (
    '<discussion url_name="f2" display_name="Forum de la formation" discussion_id="all-forum" '
    'visibility="course"/>'
)


@pytest.fixture
def forum_course(olx_course: Callable[..., OlxCourse]) -> OlxCourse:
    """A course whose unit ``u1`` holds a cohort-divided forum ``f1`` and a course-wide forum ``f2``."""
    return olx_course(FORUM + OPEN_FORUM)


@pytest.fixture
def forum_site(make_cybersite: Callable[..., Cybersite]) -> Cybersite:
    """The Cybersite of the forum tests' cohorts, learners' companies and ``trainer``, unless one is named."""
    return make_cybersite()


@pytest.fixture
def trainer(make_user: Callable[..., User], forum_site: Cybersite) -> User:
    """A trainer of ``forum_site``: course staff, following its learners."""
    return make_user(roles=[(Role.TRAINER, forum_site)])


@pytest.fixture
def make_cohort(app: Flask, forum_site: Cybersite) -> Callable[..., int]:
    """A cohort of ``forum_site`` (or ``site``) following ``course`` (its forum kept within it unless
    ``within=False``); returns its id."""

    def build(
        course: OlxCourse, name: str = "Promo", within: bool = True, site: Cybersite | None = None
    ) -> int:
        site = site or forum_site
        with app.app_context():
            cohort = Cohort(
                cybersite_id=site.id,
                name=name,
                starts_on=date(2026, 1, 5),
                ends_on=date(2026, 12, 18),
                capacity=12,
                forum_within_cohort=within,
            )
            db.session.add(cohort)
            db.session.flush()
            db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course.course_id))
            db.session.commit()
            return cohort.id

    return build


@pytest.fixture
def learner_in(
    app: Flask, enrolled: Callable[..., User], make_company: Callable[..., Company], forum_site: Cybersite
) -> Callable[..., User]:
    """A learner of a new company of ``forum_site`` (or ``site``), enrolled in ``course`` through
    ``cohort_id`` (None: enrolled without a cohort)."""

    def build(
        course: OlxCourse, cohort_id: int | None = None, site: Cybersite | None = None, **fields: Any
    ) -> User:
        user = enrolled(course, make_company(cybersite=site or forum_site), **fields)
        if cohort_id is not None:
            with app.app_context():
                enrolment = db.session.scalar(
                    select(Enrolment).where(
                        Enrolment.user_id == user.id, Enrolment.course_id == course.course_id
                    )
                )
                enrolment.cohort_id = cohort_id
                db.session.commit()
        return user

    return build


@dataclass
class ForumState:
    """What the forum tables hold, to compare before and after a refused request."""

    threads: list[tuple[Any, ...]]
    posts: list[tuple[Any, ...]]
    flags: list[tuple[Any, ...]]
    completions: int


@pytest.fixture
def forum_state(app: Flask) -> Callable[[], ForumState]:
    """A snapshot of every forum row (and of completion records)."""

    def snapshot() -> ForumState:
        with app.app_context():
            threads = db.session.execute(
                select(
                    ForumThread.id, ForumThread.title, ForumThread.body_markdown, ForumThread.body_html,
                    ForumThread.pinned, ForumThread.closed, ForumThread.hidden, ForumThread.reply_count,
                    ForumThread.edited_at,
                ).order_by(ForumThread.id)
            ).all()  # fmt: skip
            posts = db.session.execute(
                select(
                    ForumPost.id, ForumPost.body_markdown, ForumPost.body_html, ForumPost.is_answer,
                    ForumPost.hidden, ForumPost.edited_at,
                ).order_by(ForumPost.id)
            ).all()  # fmt: skip
            flags = db.session.execute(
                select(ForumFlag.id, ForumFlag.thread_id, ForumFlag.post_id, ForumFlag.user_id).order_by(
                    ForumFlag.id
                )
            ).all()
            completions = db.session.scalar(select(func.count(BlockCompletion.id))) or 0
            return ForumState(
                [tuple(t) for t in threads], [tuple(p) for p in posts], [tuple(f) for f in flags], completions
            )

    return snapshot


def start_thread(
    client: BlockClient, title: str = "Une question", body: str = "Bonjour à tous", **extra: Any
) -> int:
    """Post a thread in ``f1`` through the handler; returns its id."""
    response = client.call(
        "discussion", extra.pop("forum", "f1"), "create_thread", {"title": title, "body": body, **extra}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.get_json()["thread_id"])


def reply(client: BlockClient, thread_id: int, body: str = "Merci !", forum: str = "f1") -> int:
    """Reply in a thread through the handler; returns the reply's id."""
    response = client.call("discussion", forum, "reply", {"thread_id": thread_id, "body": body})
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.get_json()["post_id"])


def read_state(app: Flask, user_id: int, thread_id: int) -> Any:
    """When the user last read the thread (None: never)."""
    with app.app_context():
        state = db.session.get(ForumReadState, (user_id, thread_id))
        return state.last_read_at if state is not None else None


SAFE_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
    "div",
}


def assert_safe(html: str) -> None:
    """Only the post tags, no event attributes, links only to http(s)/mailto with rel="nofollow noopener"."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        assert isinstance(element.tag, str) and element.tag in SAFE_TAGS, element.tag
        for name, value in element.attrib.items():
            assert name in {"href", "title", "rel", "start"}, (element.tag, name)
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:")), value
        if element.tag == "a":
            assert element.get("rel") == "nofollow noopener"
