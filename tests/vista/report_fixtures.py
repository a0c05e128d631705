"""Fixtures of the VISTA score and report tests: a small questionnaire (each dimension: four adoption
ticks, one self-rated proficiency item, two impact items; a page of raw figures), submitted assessments,
and a course tagged with a dimension. Imported by the test modules that use them (not a conftest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from app.accounts.models import Company
from app.core.extensions import db
from app.vista.models import (
    DIMENSIONS,
    Answer,
    Assessment,
    QuestionnaireItem,
    QuestionnairePage,
    QuestionnaireVersion,
    Status,
)

FIGURES = (("F_HOURS", "heures par semaine", "hours a week"), ("F_INCIDENTS", "incidents", "incidents"))


def tagged_policy(tags: dict[str, float]) -> dict[str, str]:
    """The extra OLX file that tags a course with VISTA dimensions."""
    return {"policies/2026/policy.json": json.dumps({"course/2026": {"cybermassif_vista": tags}})}


def _item(q: QuestionnaireVersion, page: QuestionnairePage, position: int, code: str, **fields: Any) -> None:
    db.session.add(
        QuestionnaireItem(
            questionnaire_id=q.id,
            page_id=page.id,
            position=position,
            code=code,
            text_fr=f"Question {code}",
            text_en=f"Question {code}",
            **fields,
        )
    )


@pytest.fixture
def questionnaire(app: Flask) -> int:
    """A questionnaire version: per dimension d, items dA1–dA4 (ticks), dU1 (agree), dI1–dI2 (agree)."""
    with app.app_context():
        q = QuestionnaireVersion(
            code="vista", version="t1", title_fr="VISTA", title_en="VISTA", digest="0" * 64
        )
        db.session.add(q)
        db.session.flush()
        for n, d in enumerate(DIMENSIONS):
            page = QuestionnairePage(
                questionnaire_id=q.id, position=n, code=d, dimension=d, title_fr=d, title_en=d
            )
            db.session.add(page)
            db.session.flush()
            for i in range(4):
                _item(
                    q, page, i, f"{d}A{i + 1}", dimension=d, lens="A", kind="tick", allows_not_relevant=True
                )
            _item(q, page, 4, f"{d}U1", dimension=d, lens="U", kind="agree")
            _item(q, page, 5, f"{d}I1", dimension=d, lens="I", kind="agree")
            _item(q, page, 6, f"{d}I2", dimension=d, lens="I", kind="agree")
        page = QuestionnairePage(
            questionnaire_id=q.id, position=9, code="F", title_fr="Chiffres", title_en="Figures"
        )
        db.session.add(page)
        db.session.flush()
        for i, (code, fr, en) in enumerate(FIGURES):
            _item(q, page, i, code, dimension=None, lens="I", kind="figure", unit_fr=fr, unit_en=en)
        db.session.commit()
        return q.id


@pytest.fixture
def submit(app: Flask, questionnaire: int) -> Callable[..., int]:
    """Save a submitted assessment of ``company`` for ``wave`` with ``answers`` (code → value, or "NR")."""

    def build(
        company: Company,
        answers: dict[str, Any],
        wave: str = "T0",
        headcount: int | None = 20,
        submitted_at: datetime | None = None,
    ) -> int:
        with app.app_context():
            items = {
                i.code: i.id
                for i in db.session.query(QuestionnaireItem).filter_by(questionnaire_id=questionnaire)
            }
            assessment = Assessment(
                company_id=company.id,
                questionnaire_id=questionnaire,
                status=Status.SUBMITTED.value,
                wave=wave,
                headcount=headcount,
                submitted_at=submitted_at or datetime.now(UTC),
            )
            db.session.add(assessment)
            db.session.flush()
            for code, value in answers.items():
                not_relevant = value == "NR"
                db.session.add(
                    Answer(
                        assessment_id=assessment.id,
                        item_id=items[code],
                        value=None if not_relevant else value,
                        not_relevant=not_relevant,
                    )
                )
            db.session.commit()
            return assessment.id

    return build


def worked_example_answers() -> dict[str, Any]:
    """D3 as in the document's worked example (3 of 4 ticked, self-rated 3 → 50, impact 4 and 3)."""
    return {"D3A1": 1, "D3A2": 1, "D3A3": 1, "D3A4": 0, "D3U1": 3, "D3I1": 4, "D3I2": 3}
