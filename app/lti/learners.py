"""The anonymous ids tools know learners by, per course, and the learners they stand for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.lti.models import LtiLearner


def remember(session: Session, course_key: str, anonymous_id: str, user_id: int) -> None:
    """Keep which learner ``anonymous_id`` stands for in the course (once)."""
    found = session.scalar(
        select(LtiLearner.user_id).where(
            LtiLearner.course_key == course_key, LtiLearner.anonymous_id == anonymous_id
        )
    )
    if found is None:
        session.add(LtiLearner(course_key=course_key, anonymous_id=anonymous_id, user_id=user_id))
        session.flush()


def learner_of(session: Session, course_key: str, anonymous_id: str) -> int | None:
    """The learner an anonymous id of the course stands for (None if no launch gave it)."""
    return session.scalar(
        select(LtiLearner.user_id).where(
            LtiLearner.course_key == course_key, LtiLearner.anonymous_id == anonymous_id
        )
    )
