"""Tables of VISTA: questionnaire versions (pages and items, loaded from a data file and never changed
afterwards), companies' assessments (a draft, then submitted waves T0, T1, T2) with their answers, the
staff a company manager lets answer, and the latest scores of each company (what peers are compared on).

An assessment always refers to the questionnaire version it was answered on: loading a new version adds
rows, it never changes those of an older one.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Company, User, utcnow
from app.core.extensions import db

DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6")


class Lens(enum.StrEnum):
    """What an item measures: adoption (declared), use (self-rated proficiency), impact (declared)."""

    ADOPTION = "A"
    USE = "U"
    IMPACT = "I"


class ItemKind(enum.StrEnum):
    """How an item is answered, and so how its answer becomes a value in [0, 1]."""

    TICK = "tick"  # ticked or not: 1 / 0
    INVEST = "invest"  # already invested / plan to invest / neither: 1 / 0.5 / 0
    SCALE = "scale"  # 0 not used … 5 operational: s / 5
    TRIPLE = "triple"  # No / Partly / Yes: 0 / 0.5 / 1
    AGREE = "agree"  # 1 strongly disagree … 5 strongly agree: (v − 1) / 4
    FIGURE = "figure"  # a raw figure (hours a week, a share, a count): shown, never scored


class Wave(enum.StrEnum):
    """When an assessment was made: before training, at its end, 12 to 24 months later."""

    T0 = "T0"
    T1 = "T1"
    T2 = "T2"


class Status(enum.StrEnum):
    """A draft is being answered; a submitted assessment is a closed wave."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class QuestionnaireVersion(db.Model):
    """One version of the questionnaire, as loaded from its data file."""

    __tablename__ = "vista_questionnaire"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    title_fr: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    # The digest of the file's content: loading the same version again with other content is refused.
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    pages: Mapped[list[QuestionnairePage]] = relationship(
        back_populates="questionnaire", order_by="QuestionnairePage.position"
    )


class QuestionnairePage(db.Model):
    """A page of the questionnaire: a dimension's questions, or the company's own figures."""

    __tablename__ = "vista_page"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "position"),
        UniqueConstraint("questionnaire_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("vista_questionnaire.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    dimension: Mapped[str | None] = mapped_column(String(2))
    title_fr: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    intro_fr: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")

    questionnaire: Mapped[QuestionnaireVersion] = relationship(back_populates="pages")
    items: Mapped[list[QuestionnaireItem]] = relationship(
        back_populates="page", order_by="QuestionnaireItem.position"
    )


class QuestionnaireItem(db.Model):
    """One question: its dimension and lens, how it is answered, its weight and wording."""

    __tablename__ = "vista_item"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "code"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("vista_questionnaire.id", ondelete="CASCADE"), index=True
    )
    page_id: Mapped[int] = mapped_column(ForeignKey("vista_page.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    # None for the company's own figures (headcount), which belong to no dimension.
    dimension: Mapped[str | None] = mapped_column(String(2))
    lens: Mapped[str] = mapped_column(String(1))
    kind: Mapped[str] = mapped_column(String(10))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    negative: Mapped[bool] = mapped_column(Boolean, default=False)
    allows_not_relevant: Mapped[bool] = mapped_column(Boolean, default=False)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    text_fr: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    help_fr: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    # Figures only: their unit and the range an answer must fall in.
    unit_fr: Mapped[str] = mapped_column(String(40), default="")
    unit_en: Mapped[str] = mapped_column(String(40), default="")
    minimum: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)

    page: Mapped[QuestionnairePage] = relationship(back_populates="items")


class Assessment(db.Model):
    """A company's self-assessment on one questionnaire version: a draft, then a submitted wave."""

    __tablename__ = "vista_assessment"
    __table_args__ = (
        # One submitted assessment per wave; NULL waves (drafts) do not collide.
        UniqueConstraint("company_id", "wave"),
        # At most one draft per company at a time.
        Index(
            "uq_vista_assessment_one_draft",
            "company_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        CheckConstraint("status IN ('draft', 'submitted')", name="status_known"),
        CheckConstraint("wave IS NULL OR wave IN ('T0', 'T1', 'T2')", name="wave_known"),
        CheckConstraint("status = 'draft' OR wave IS NOT NULL", name="submitted_has_wave"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("vista_questionnaire.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value)
    wave: Mapped[str | None] = mapped_column(String(2))
    # The headcount the company declared when answering (coverage is counted on it).
    headcount: Mapped[int | None] = mapped_column(Integer)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    company: Mapped[Company] = relationship()
    questionnaire: Mapped[QuestionnaireVersion] = relationship()


class Answer(db.Model):
    """An answer to one item: its raw value (as the item's kind reads it), or "not relevant"."""

    __tablename__ = "vista_answer"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("vista_assessment.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("vista_item.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    not_relevant: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Delegation(db.Model):
    """A member of a company's staff whom a company manager lets answer VISTA for the company."""

    __tablename__ = "vista_delegation"

    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CompanyScore(db.Model):
    """A company's latest scores per dimension (and overall: dimension NULL), kept for peer statistics
    and the network's views; recomputed when the company submits and when its staff's progress moves."""

    __tablename__ = "vista_company_score"
    __table_args__ = (UniqueConstraint("company_id", "dimension"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("vista_assessment.id", ondelete="CASCADE"))
    dimension: Mapped[str | None] = mapped_column(String(2))
    adoption: Mapped[float | None] = mapped_column(Float)
    use: Mapped[float | None] = mapped_column(Float)
    impact: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    # Indexed: the peer statistics of every process follow the newest rows (app.vista.benchmarks).
    computed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )


class TrainingRequest(db.Model):
    """A company manager's request, from the VISTA report, that the company's Cybersite enrol its staff in
    a course tagged with a dimension to improve. One per company and course: asking again while it is open
    changes nothing; asking after the Cybersite handled it opens it again."""

    __tablename__ = "vista_training_request"
    __table_args__ = (UniqueConstraint("company_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(2))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    company: Mapped[Company] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
