"""Answering VISTA for a company: its draft (one at a time, on the latest questionnaire version), the
answers of one page checked and saved all or nothing, the submission that closes a wave, and the staff a
company manager lets answer. Services take the acting user and only flush: the route commits.

Raw answers as the scoring reads them (``app.vista.scoring.normalise``): tick 0 / 1; invest 0 neither,
1 plan to invest, 2 already invested; triple 0 no, 1 partly, 2 yes; scale 0…5; agree 1…5; a figure is a
number within the item's minimum and maximum.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select

from app.accounts.models import Company, RoleGrant, User
from app.accounts.policy import Action, can
from app.core.extensions import db
from app.vista import scores
from app.vista.models import (
    Answer,
    Assessment,
    Delegation,
    ItemKind,
    QuestionnaireItem,
    QuestionnairePage,
    QuestionnaireVersion,
    Status,
    Wave,
)

CHOICES = {
    ItemKind.TICK.value: (0, 1),
    ItemKind.INVEST.value: (0, 2),
    ItemKind.TRIPLE.value: (0, 2),
    ItemKind.SCALE.value: (0, 5),
    ItemKind.AGREE.value: (1, 5),
}
NOT_RELEVANT = "nr"
HEADCOUNT = "headcount"


class Refused(Exception):
    """A change VISTA does not make: ``status`` (HTTP) and ``message`` in the reader's language."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class PageErrors(Exception):
    """A page's answers that cannot be saved: the message of each item code at fault."""

    errors: dict[str, str] = field(default_factory=dict)


def is_delegate(user: User, company: Company) -> bool:
    """Whether a company manager let ``user`` answer VISTA for ``company`` (one query)."""
    return bool(
        db.session.scalar(
            select(exists().where(Delegation.company_id == company.id, Delegation.user_id == user.id))
        )
    )


def may_answer(user: User, company: Company) -> bool:
    """Company managers of the company, and the staff they delegated."""
    return can(user, Action.ANSWER_VISTA, company) or (
        getattr(user, "is_authenticated", False) and user.active and is_delegate(user, company)
    )


def may_read(user: User, company: Company) -> bool:
    """Whoever may answer, and whoever may read the company's report."""
    return may_answer(user, company) or can(user, Action.READ_VISTA_REPORT, company)


def latest_version() -> QuestionnaireVersion | None:
    """The questionnaire version loaded last."""
    return db.session.scalar(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.loaded_at.desc(), QuestionnaireVersion.id.desc()
        )
    )


def open_draft(company: Company) -> Assessment | None:
    """The company's draft, if one is open."""
    return db.session.scalar(
        select(Assessment).where(Assessment.company_id == company.id, Assessment.status == Status.DRAFT.value)
    )


def draft_for(actor: User, company: Company) -> Assessment:
    """The company's open draft, or a new one on the latest questionnaire version."""
    if not may_answer(actor, company):
        raise Refused(_("You may not answer VISTA for this company."), 404)
    found = open_draft(company)
    if found is not None:
        return found
    version = latest_version()
    if version is None:
        raise Refused(_("No VISTA questionnaire is loaded yet."), 409)
    found = Assessment(company_id=company.id, questionnaire_id=version.id, started_by_id=actor.id)
    db.session.add(found)
    db.session.flush()
    return found


def _value(item: QuestionnaireItem, raw: str) -> float:
    """The raw answer of a form field; ValueError with the reason in the reader's language."""
    text = raw.strip().replace(",", ".")
    if item.kind == ItemKind.FIGURE.value:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(_("Write a number.")) from None
        if not math.isfinite(number):
            raise ValueError(_("Write a number."))
        low = item.minimum if item.minimum is not None else 0.0
        high = item.maximum if item.maximum is not None else 1e9
        if not low <= number <= high:
            raise ValueError(
                _("Write a number between %(low)s and %(high)s.", low=f"{low:g}", high=f"{high:g}")
            )
        return number
    low, high = CHOICES[item.kind]
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(_("Choose one of the answers offered."))
    return float(int(text))


def _checked(
    items: Mapping[str, QuestionnaireItem], form: Mapping[str, str]
) -> dict[int, tuple[float | None, bool]]:
    """The page's answers by item id as (value, not relevant); PageErrors listing every fault."""
    unknown = sorted(set(form) - set(items))
    if unknown:
        raise PageErrors({unknown[0]: _("This question is not on this page.")})
    errors: dict[str, str] = {}
    values: dict[int, tuple[float | None, bool]] = {}
    for code, raw in form.items():
        item = items[code]
        if raw == NOT_RELEVANT and not item.allows_not_relevant:
            errors[code] = _("This question cannot be answered “not relevant”.")
        elif raw == NOT_RELEVANT:
            values[item.id] = (None, True)
        elif raw != "":
            try:
                values[item.id] = (_value(item, raw), False)
            except ValueError as error:
                errors[code] = str(error)
    if errors:
        raise PageErrors(errors)
    return values


def save_page(actor: User, assessment: Assessment, page: QuestionnairePage, form: Mapping[str, str]) -> int:
    """Check every answer of the page and save them all, or none (PageErrors); returns how many were
    saved. ``form`` maps item codes to the raw answer, or to ``"nr"`` for "not relevant"."""
    company = db.session.get(Company, assessment.company_id)
    if company is None or not may_answer(actor, company):
        raise Refused(_("You may not answer VISTA for this company."), 404)
    if assessment.status != Status.DRAFT.value:
        raise Refused(_("This assessment was submitted: it can no longer be changed."), 409)
    if page.questionnaire_id != assessment.questionnaire_id:
        raise Refused(_("This page belongs to another version of the questionnaire."), 409)
    items = {item.code: item for item in page.items}
    values = _checked(items, form)
    answered = {item.id for item in items.values()}
    db.session.execute(
        delete(Answer).where(
            Answer.assessment_id == assessment.id, Answer.item_id.in_(answered - set(values))
        )
    )
    existing = {
        a.item_id: a
        for a in db.session.scalars(
            select(Answer).where(
                Answer.assessment_id == assessment.id, Answer.item_id.in_(list(values) or [0])
            )
        )
    }
    for item_id, (value, not_relevant) in values.items():
        answer = existing.get(item_id)
        if answer is None:
            db.session.add(
                Answer(assessment_id=assessment.id, item_id=item_id, value=value, not_relevant=not_relevant)
            )
        else:
            answer.value, answer.not_relevant = value, not_relevant
    assessment.updated_at = datetime.now(UTC)
    db.session.flush()
    return len(values)


def missing_required(assessment: Assessment) -> list[QuestionnaireItem]:
    """The required items of the draft's questionnaire still without an answer (one query)."""
    answered = select(Answer.item_id).where(Answer.assessment_id == assessment.id)
    return list(
        db.session.scalars(
            select(QuestionnaireItem)
            .join(QuestionnairePage, QuestionnairePage.id == QuestionnaireItem.page_id)
            .where(
                QuestionnaireItem.questionnaire_id == assessment.questionnaire_id,
                QuestionnaireItem.required.is_(True),
                QuestionnaireItem.id.not_in(answered),
            )
            .order_by(QuestionnairePage.position, QuestionnaireItem.position)
        )
    )


def submit(actor: User, assessment: Assessment, wave: str) -> Assessment:
    """Close the draft as wave ``wave`` (T0, T1, T2) and score the company."""
    company = db.session.get(Company, assessment.company_id)
    if company is None or not may_answer(actor, company):
        raise Refused(_("You may not answer VISTA for this company."), 404)
    if assessment.status != Status.DRAFT.value:
        raise Refused(_("This assessment was already submitted."), 409)
    if wave not in {w.value for w in Wave}:
        raise Refused(_("Choose the wave: T0, T1 or T2."))
    latest = latest_version()
    if latest is not None and latest.id != assessment.questionnaire_id:
        raise Refused(
            _(
                "The questionnaire changed while this draft was open: move your answers to the new version, "
                "check them, then submit."
            ),
            409,
        )
    closed = db.session.scalar(
        select(func.count())
        .select_from(Assessment)
        .where(
            Assessment.company_id == company.id,
            Assessment.wave == wave,
            Assessment.status == Status.SUBMITTED.value,
        )
    )
    if closed:
        raise Refused(_("Wave %(wave)s was already submitted for this company.", wave=wave), 409)
    missing = missing_required(assessment)
    if missing:
        raise Refused(
            _("%(n)d required questions are not answered yet.", n=len(missing)),
            400,
        )
    headcount = db.session.scalar(
        select(Answer.value)
        .join(QuestionnaireItem, QuestionnaireItem.id == Answer.item_id)
        .where(Answer.assessment_id == assessment.id, QuestionnaireItem.code == HEADCOUNT)
    )
    assessment.status = Status.SUBMITTED.value
    assessment.wave = wave
    assessment.submitted_at = datetime.now(UTC)
    assessment.submitted_by_id = actor.id
    assessment.headcount = int(headcount) if headcount is not None else None
    db.session.flush()
    scores.recompute(db.session, [company.id])
    return assessment


def move_to_latest(actor: User, assessment: Assessment) -> Assessment:
    """Move a draft opened on an older questionnaire to the latest version, keeping the answers of the
    items whose code is still there."""
    company = db.session.get(Company, assessment.company_id)
    if company is None or not may_answer(actor, company):
        raise Refused(_("You may not answer VISTA for this company."), 404)
    latest = latest_version()
    if latest is None or latest.id == assessment.questionnaire_id or assessment.status != Status.DRAFT.value:
        return assessment
    old = dict(
        db.session.execute(
            select(QuestionnaireItem.code, Answer)
            .join(Answer, Answer.item_id == QuestionnaireItem.id)
            .where(Answer.assessment_id == assessment.id)
        ).all()
    )
    new_items = dict(
        db.session.execute(
            select(QuestionnaireItem.code, QuestionnaireItem.id).where(
                QuestionnaireItem.questionnaire_id == latest.id
            )
        ).all()
    )
    db.session.execute(delete(Answer).where(Answer.assessment_id == assessment.id))
    for code, answer in old.items():
        if code in new_items:
            db.session.add(
                Answer(
                    assessment_id=assessment.id,
                    item_id=new_items[code],
                    value=answer.value,
                    not_relevant=answer.not_relevant,
                )
            )
    assessment.questionnaire_id = latest.id
    db.session.flush()
    return assessment


def delegate(actor: User, company: Company, email: str) -> Delegation:
    """Let a member of the company's staff (by e-mail) answer VISTA for it."""
    if not can(actor, Action.DELEGATE_VISTA, company):
        raise Refused(_("You may not choose who answers VISTA for this company."), 404)
    person = db.session.scalar(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(func.lower(User.email) == email.strip().lower(), RoleGrant.company_id == company.id)
    )
    if person is None:
        raise Refused(_("No one of this company's staff has this e-mail address."))
    found = db.session.get(Delegation, (company.id, person.id))
    if found is None:
        found = Delegation(company_id=company.id, user_id=person.id, granted_by_id=actor.id)
        db.session.add(found)
        db.session.flush()
    return found


def undelegate(actor: User, company: Company, user_id: int) -> None:
    """Withdraw a delegation."""
    if not can(actor, Action.DELEGATE_VISTA, company):
        raise Refused(_("You may not choose who answers VISTA for this company."), 404)
    db.session.execute(
        delete(Delegation).where(Delegation.company_id == company.id, Delegation.user_id == user_id)
    )
    db.session.flush()
