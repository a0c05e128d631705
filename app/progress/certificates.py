"""Certificates of completion: found by learner and course or by verification code, and printed as PDF.

A certificate is issued by the roll-ups the moment a learner has completed and passed a course (see
``rollups``), with a random code (about 100 bits, unguessable) that anyone may check at
``/progression/certificat/<code>``; that public page shows the holder's name, the course, its training
time and dates, and the Cybersite, nothing else. The training ran from the learner's enrolment in the
course to the certificate's issue; its time is what the course declares (``cybermassif_training_hours``).
The PDF is drawn with fpdf2 in DejaVu Sans, bundled in ``fonts/`` with its licence (the accents of French
names need a Unicode font).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from sqlalchemy import Select, select

from app.accounts.models import Cybersite, User
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.progress.models import Certificate

FONTS = Path(__file__).resolve().parent / "fonts"
CODE_PATTERN = re.compile(r"^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){4}$")


@dataclass(frozen=True)
class CertificateView:
    """What a certificate shows."""

    code: str
    holder: str
    holder_id: int
    course_title: str
    course_key: str
    issued_at: datetime
    grade: float | None
    cybersite: str | None
    training_minutes: int | None
    enrolled_at: datetime | None

    @property
    def started_on(self) -> datetime:
        """The first day of the training: the enrolment (never after the issue, whatever the clocks)."""
        if self.enrolled_at is None:
            return self.issued_at
        enrolled, issued = _aware(self.enrolled_at), _aware(self.issued_at)
        return min(enrolled, issued)


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they are UTC as stored.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _query() -> Select[Any]:
    return (
        select(
            Certificate.code,
            User.display_name,
            User.id,
            Course.title,
            Course.course_key,
            Certificate.issued_at,
            Certificate.grade,
            Cybersite.name,
            Course.training_minutes,
            Enrolment.created_at,
        )
        .join(User, User.id == Certificate.user_id)
        .join(Course, Course.course_key == Certificate.course_key)
        .outerjoin(Cybersite, Cybersite.id == Certificate.cybersite_id)
        .outerjoin(Enrolment, (Enrolment.user_id == Certificate.user_id) & (Enrolment.course_id == Course.id))
    )


def by_code(code: str) -> CertificateView | None:
    """The certificate with this verification code (None for a malformed or unknown one, without a query
    for a malformed one)."""
    code = (code or "").strip().upper()
    if not CODE_PATTERN.match(code):
        return None
    row = db.session.execute(_query().where(Certificate.code == code)).first()
    return CertificateView(*row) if row is not None else None


def of_learner(user_id: int, course_key: str) -> CertificateView | None:
    """A learner's certificate for a course, if they earned one."""
    row = db.session.execute(
        _query().where(Certificate.user_id == user_id, Certificate.course_key == course_key)
    ).first()
    return CertificateView(*row) if row is not None else None


@dataclass(frozen=True)
class PdfTexts:
    """The words of the PDF, in the reader's language (the caller translates them)."""

    heading: str
    awarded_to: str
    for_course: str
    training: str
    details: str
    verify: str
    verify_url: str
    footer: str


def pdf(view: CertificateView, texts: PdfTexts) -> bytes:
    """The certificate as a one-page A4 landscape PDF."""
    document = FPDF(orientation="L", unit="mm", format="A4")
    document.set_title(texts.heading)
    document.set_author("Cybermassif")
    document.set_creation_date(view.issued_at)
    document.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    document.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    document.set_auto_page_break(False)
    document.add_page()
    document.set_draw_color(29, 93, 144)
    document.set_line_width(1.2)
    document.rect(10, 10, 277, 190)
    document.set_line_width(0.3)
    document.rect(14, 14, 269, 182)

    def line(text: str, size: int, style: str = "", height: float = 12, gap: float = 0) -> None:
        document.set_font("DejaVu", style, size)
        document.set_x(20)
        document.multi_cell(257, height, text, align="C", new_x="LMARGIN", new_y="NEXT")
        if gap:
            document.ln(gap)

    document.set_y(30)
    document.set_text_color(29, 93, 144)
    line(texts.heading, 30, "B", 14, 8)
    document.set_text_color(31, 42, 55)
    line(texts.awarded_to, 14, "", 8, 2)
    line(view.holder, 26, "B", 13, 6)
    line(texts.for_course, 14, "", 8, 2)
    line(view.course_title, 20, "B", 11, 6)
    line(texts.training, 13, "", 7, 2)
    line(texts.details, 12, "", 7, 8)
    document.set_text_color(90, 100, 110)
    line(texts.verify, 10, "", 6)
    line(texts.verify_url, 10, "B", 6)
    document.set_y(182)
    line(texts.footer, 8, "", 5)
    return bytes(document.output())
