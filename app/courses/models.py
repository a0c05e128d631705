"""Tables of the catalogue: Course, CourseAsset (static files of a content version) and Enrolment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.runtime.models import BlockTree
from app.runtime.olx_course import openedx_asset_name


def _now() -> datetime:
    return datetime.now(UTC)


class Course(db.Model):
    """A course of the catalogue and the content version learners see."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_key: Mapped[str] = mapped_column(String(255), unique=True)
    org: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(64))
    run: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="fr")
    short_description: Mapped[str] = mapped_column(Text, default="")
    # Everyone signed in may enrol themselves in an open course.
    open_enrolment: Mapped[bool] = mapped_column(default=False)
    # The training time its certificate attests, from the policy's cybermassif_training_hours (None: not
    # declared).
    training_minutes: Mapped[int | None] = mapped_column(Integer)
    published_tree_id: Mapped[int | None] = mapped_column(ForeignKey("block_tree.id", ondelete="SET NULL"))
    # policy.json's course entry, grading_policy.json and the about/ pages, kept for export and grading.
    # Read only by the pages that need them (about, grading, export), not with every course.
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, deferred=True)
    grading_policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, deferred=True)
    about: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, deferred=True)
    # The other files of an Open edX export kept as they came (app.runtime.olx_course.KEPT_FILES: the
    # assets' metadata and the info/ pages), by path; has_info says whether the course's page shows some.
    kept_files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, deferred=True)
    has_info: Mapped[bool] = mapped_column(default=False)
    # SHA-256 of the OLX source last imported (see app.runtime.olx_course.source_digest): loading the same
    # folder again changes nothing.
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    published_tree: Mapped[BlockTree | None] = relationship()


class CourseAsset(db.Model):
    """A static file of one content version (``static/`` in OLX), served as a download-safe resource."""

    __tablename__ = "course_asset"
    __table_args__ = (
        UniqueConstraint("tree_id", "path"),
        Index("ix_course_asset_tree_id_openedx_name", "tree_id", "openedx_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_id: Mapped[int] = mapped_column(ForeignKey("block_tree.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(512))
    # The name Open edX gives the file (app.runtime.olx_course.openedx_asset_name): its courses link to it
    # by that name.
    openedx_name: Mapped[str | None] = mapped_column(
        String(512), default=lambda context: openedx_asset_name(context.get_current_parameters()["path"])
    )
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Enrolment(db.Model):
    """A learner enrolled in a course; remembers where they left off."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    last_usage_id: Mapped[str | None] = mapped_column(String(255))
    # The cohort through which the learner follows the course (None: enrolled by themselves or by hand).
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    course: Mapped[Course] = relationship()


class LearnerFile(db.Model):
    """A file kept for one learner on one block: the work they uploaded (``slot`` ``submission``) or the
    copy a trainer annotated for them (``annotated``). Kept in the database, like course assets: its name is
    only a label shown and offered on download, never a path."""

    __tablename__ = "learner_file"
    __table_args__ = (UniqueConstraint("usage_id", "user_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_key: Mapped[str] = mapped_column(String(255), index=True)
    usage_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CourseChange(db.Model):
    """One change to a course, for its history in the studio: who did what, when.

    ``kind`` is ``imported`` (a new version from an OLX archive: ``blocks`` is how many it holds) or
    ``edited`` (components saved through their editors: ``details`` lists each block's usage id, type and
    name). The author's name is kept with the row, so that the history still says who once their account
    is gone; an import from the command line has no author.
    """

    __tablename__ = "course_change"
    __table_args__ = (Index("ix_course_change_course_time", "course_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    blocks: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
