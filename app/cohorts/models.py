"""Tables of cohorts: Cohort, the courses it follows, the companies it accepts, its members, the seats
kept for people invited to join, and uploaded enrolment files awaiting confirmation.

A member of a cohort is enrolled in each of its courses; the enrolment remembers through which cohort
(``Enrolment.cohort_id``), which is how the forum finds a learner's cohort in a course.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Company, Cybersite, Invitation, User
from app.core.extensions import db
from app.courses.models import Course


def _now() -> datetime:
    return datetime.now(UTC)


class Cohort(db.Model):
    """A group of learners of one Cybersite following some courses between two dates."""

    __tablename__ = "cohort"
    __table_args__ = (
        UniqueConstraint("cybersite_id", "name"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cybersite_id: Mapped[int] = mapped_column(ForeignKey("cybersite.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    # Forum threads of the cohort's learners are seen only within the cohort (and by trainers).
    forum_within_cohort: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    cybersite: Mapped[Cybersite] = relationship()
    courses: Mapped[list[Course]] = relationship(secondary="cohort_course", order_by="Course.title")
    companies: Mapped[list[Company]] = relationship(secondary="cohort_company", order_by="Company.legal_name")


class CohortCourse(db.Model):
    """A course a cohort follows, and the content group its learners are in there (as Open edX links a
    cohort to a group of the course's cohort partition: see ``app.courses.visibility``)."""

    __tablename__ = "cohort_course"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    # A group id of the course's ``user_partitions`` (scheme "cohort"); None: no content group.
    content_group_id: Mapped[int | None] = mapped_column(Integer)


class CohortCompany(db.Model):
    """A company whose staff the cohort accepts (its managers may enrol them)."""

    __tablename__ = "cohort_company"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)


class CohortMember(db.Model):
    """A learner in a cohort, for one of the companies it accepts."""

    __tablename__ = "cohort_member"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship()
    company: Mapped[Company] = relationship()


class CohortInvitation(db.Model):
    """A seat kept in a cohort for someone invited to the platform who has no account yet.

    When the invitation is accepted, the new account becomes a member (see ``app.cohorts.acceptance``).
    Like Open edX's "enrollment allowed", it is keyed by e-mail address; the name is what the file or form
    gave, shown until the person chooses their own.
    """

    __tablename__ = "cohort_invitation"
    __table_args__ = (UniqueConstraint("cohort_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    cohort: Mapped[Cohort] = relationship()
    invitation: Mapped[Invitation] = relationship()
    company: Mapped[Company] = relationship()


class CohortUpload(db.Model):
    """An enrolment file checked and previewed, kept until its uploader confirms it (or it expires).

    Kept in the database, not in a worker's memory or disk, so that the confirmation may reach any worker
    on any host.
    """

    __tablename__ = "cohort_upload"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # a random URL-safe token
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
