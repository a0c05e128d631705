"""Changes to the catalogue: enrolments, the learner's place in a course, and which block types may run.

As every service: the acting user is an argument, the caller has asked the policy, nothing commits.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.accounts.models import User
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.runtime.models import BlockTypeSetting


def enrol(actor: User, course: Course) -> Enrolment:
    """Enrol ``actor`` in ``course``, reactivating an earlier enrolment if there is one."""
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == actor.id, Enrolment.course_id == course.id)
    )
    if enrolment is None:
        enrolment = Enrolment(user_id=actor.id, course_id=course.id, active=True)
        db.session.add(enrolment)
    else:
        enrolment.active = True
    db.session.flush()
    return enrolment


def remember_position(enrolment_id: int, usage_id: str) -> None:
    """Note the unit a learner last opened, for "Resume where I left off" (one UPDATE, no load)."""
    table = Enrolment.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == enrolment_id)
        .values(last_usage_id=usage_id, updated_at=datetime.now(UTC))
    )


def set_block_type_enabled(actor: User, block_type: str, enabled: bool) -> BlockTypeSetting:
    """Enable or disable an installed block type for the whole network (network administrators)."""
    setting = db.session.get(BlockTypeSetting, block_type)
    if setting is None:
        setting = BlockTypeSetting(block_type=block_type)
        db.session.add(setting)
    setting.enabled = enabled
    setting.updated_at = datetime.now(UTC)
    db.session.flush()
    return setting
