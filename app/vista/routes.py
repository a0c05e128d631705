"""Answering VISTA (blueprint ``vista``): the companies a person answers for or reads, the questionnaire
page by page (the draft saved on every page, so it survives signing out), the review with the wave to
submit, and the staff a company manager lets answer. No JavaScript needed. Routes parse, call
``app.vista.services`` and commit once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from app.accounts.models import Company, Cybersite, Role, RoleGrant, User
from app.accounts.policy import is_admin, managed_company_ids, managed_cybersite_ids
from app.core import navigation
from app.core.database import get_row
from app.core.extensions import db
from app.vista import services, training_requests
from app.vista.models import (
    Answer,
    Assessment,
    Delegation,
    QuestionnaireItem,
    QuestionnairePage,
    Status,
    Wave,
)

blueprint = Blueprint("vista", __name__, template_folder=str(Path(__file__).resolve().parent / "templates"))
MAX_FIELD = 100


def _signed_in() -> Response | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    return None


def _company(company_id: int, answering: bool = True) -> Company:
    found = get_row(db.session, Company, company_id)
    allowed = found is not None and (
        services.may_answer(current_user, found) if answering else services.may_read(current_user, found)
    )
    if not allowed:
        abort(404)
    return found  # type: ignore[return-value]


def _english() -> bool:
    return str(get_locale() or "fr") == "en"


def _pages(questionnaire_id: int) -> list[QuestionnairePage]:
    return list(
        db.session.scalars(
            select(QuestionnairePage)
            .where(QuestionnairePage.questionnaire_id == questionnaire_id)
            .order_by(QuestionnairePage.position)
        )
    )


def _answers(assessment: Assessment) -> dict[int, Answer]:
    return {
        a.item_id: a for a in db.session.scalars(select(Answer).where(Answer.assessment_id == assessment.id))
    }


@blueprint.route("/vista/")
def index() -> Any:
    """The companies the signed-in person answers VISTA for, with each one's state; the Cybersites whose
    companies' VISTA they follow (managers: theirs; administrators: all, and the network observatory), with
    each one's open training requests."""
    if (sent := _signed_in()) is not None:
        return sent
    delegated = select(Delegation.company_id).where(Delegation.user_id == current_user.id)
    ids = managed_company_ids(current_user) | set(db.session.scalars(delegated))
    companies = list(
        db.session.scalars(select(Company).where(Company.id.in_(ids or {0})).order_by(Company.legal_name))
    )
    assessments = (
        db.session.scalars(
            select(Assessment).where(Assessment.company_id.in_([c.id for c in companies] or [0]))
        ).all()
        if companies
        else []
    )
    by_company: dict[int, list[Assessment]] = {}
    for a in assessments:
        by_company.setdefault(a.company_id, []).append(a)
    admin = is_admin(current_user)
    site_ids = managed_cybersite_ids(current_user)
    sites = (
        list(
            db.session.scalars(
                select(Cybersite)
                .where(Cybersite.active.is_(True), *(() if admin else (Cybersite.id.in_(site_ids),)))
                .order_by(Cybersite.name)
            )
        )
        if admin or site_ids
        else []
    )
    return render_template(
        "vista/index.html",
        companies=companies,
        by_company=by_company,
        Status=Status,
        sites=sites,
        open_requests=training_requests.open_counts(db.session, [s.id for s in sites]) if sites else {},
        observatory=admin,
    )


@blueprint.route("/vista/entreprises/<int:company_id>/questionnaire")
def start(company_id: int) -> Any:
    """The draft's pages with the answers given so far (a draft is opened on first visit)."""
    if (sent := _signed_in()) is not None:
        return sent
    company = _company(company_id)
    draft = services.open_draft(company)
    version = services.latest_version() if draft is None else None
    if draft is None and version is None:
        message = _("No VISTA questionnaire is loaded yet.")
        return render_template("vista/message.html", company=company, message=message), 409
    pages = _pages(draft.questionnaire_id if draft is not None else version.id)  # type: ignore[union-attr]
    answered = dict(
        db.session.execute(
            select(QuestionnaireItem.page_id, func.count())
            .join(Answer, Answer.item_id == QuestionnaireItem.id)
            .where(Answer.assessment_id == (draft.id if draft is not None else 0))
            .group_by(QuestionnaireItem.page_id)
        ).all()
    )
    latest = services.latest_version()
    return render_template(
        "vista/start.html",
        company=company,
        draft=draft,
        pages=pages,
        answered=answered,
        outdated=draft is not None and latest is not None and latest.id != draft.questionnaire_id,
        english=_english(),
    )


def _save(draft: Assessment, current: QuestionnairePage, submitted: dict[str, str]) -> None:
    """Save a page's form in the draft: an oversized form is refused whole, a field no item of the page
    names is an error."""
    if len(request.form) > len(submitted) + 10 or any(len(v) > MAX_FIELD for v in request.form.values()):
        abort(400)
    extra = [k for k in request.form if k not in submitted and k not in ("csrf_token", "action")]
    if extra:
        raise services.PageErrors({extra[0][:40]: _("This question is not on this page.")})
    services.save_page(current_user, draft, current, submitted)


def _after_save(company: Company, pages: list[QuestionnairePage], index: int) -> str:
    """Where a saved page leads: the next page (or the review) for "save and continue", else itself."""
    if request.form.get("action") != "next":
        return url_for("vista.page", company_id=company.id, position=pages[index].position)
    if index + 1 < len(pages):
        return url_for("vista.page", company_id=company.id, position=pages[index + 1].position)
    return url_for("vista.review", company_id=company.id)


@blueprint.route("/vista/entreprises/<int:company_id>/questionnaire/<int:position>", methods=["GET", "POST"])
def page(company_id: int, position: int) -> Any:
    """One page of the questionnaire; a POST saves its answers in the draft (all or none)."""
    if (sent := _signed_in()) is not None:
        return sent
    company = _company(company_id)
    draft = services.open_draft(company)
    version = services.latest_version() if draft is None else None
    if draft is None and version is None:
        return redirect(url_for("vista.start", company_id=company.id))
    pages = _pages(draft.questionnaire_id if draft is not None else version.id)  # type: ignore[union-attr]
    index = next((i for i, p in enumerate(pages) if p.position == position), None)
    if index is None:
        abort(404)
    current = pages[index]
    errors: dict[str, str] = {}
    submitted: dict[str, str] = {}
    if request.method == "POST":
        submitted = {item.code: request.form.get(item.code, "") for item in current.items}
        try:
            # The draft is opened by the first page saved (on the questionnaire of the page shown).
            draft = draft or services.draft_for(current_user, company)
            _save(draft, current, submitted)
        except services.PageErrors as problems:
            db.session.rollback()
            errors = problems.errors
        except services.Refused as refused:
            db.session.rollback()
            return render_template(
                "vista/message.html", company=company, message=refused.message
            ), refused.status
        else:
            db.session.commit()
            flash(_("Your answers are saved."), "success")
            return redirect(_after_save(company, pages, index))
    answers = _answers(draft) if draft is not None else {}
    return render_template(
        "vista/page.html",
        company=company,
        draft=draft,
        page=current,
        pages=pages,
        index=index,
        answers=answers,
        submitted=submitted,
        errors=errors,
        english=_english(),
        not_relevant=services.NOT_RELEVANT,
    ), (400 if errors else 200)


@blueprint.route("/vista/entreprises/<int:company_id>/questionnaire/relecture")
def review(company_id: int) -> Any:
    """Every answer of the draft, the required ones still missing, and the wave to submit."""
    if (sent := _signed_in()) is not None:
        return sent
    company = _company(company_id)
    draft = services.open_draft(company)
    if draft is None:
        return redirect(url_for("vista.start", company_id=company.id))
    return _review(company, draft)


def _review(company: Company, draft: Assessment, message: str | None = None, status: int = 200) -> Any:
    submitted_waves = set(
        db.session.scalars(
            select(Assessment.wave).where(
                Assessment.company_id == company.id, Assessment.status == Status.SUBMITTED.value
            )
        )
    )
    latest = services.latest_version()
    return render_template(
        "vista/review.html",
        company=company,
        draft=draft,
        pages=_pages(draft.questionnaire_id),
        answers=_answers(draft),
        missing={item.id for item in services.missing_required(draft)},
        waves=[w.value for w in Wave],
        submitted_waves=submitted_waves,
        outdated=latest is not None and latest.id != draft.questionnaire_id,
        english=_english(),
        message=message,
    ), status


@blueprint.route("/vista/entreprises/<int:company_id>/questionnaire/remise", methods=["POST"])
def submit(company_id: int) -> Any:
    """Submit the draft as the chosen wave."""
    if (sent := _signed_in()) is not None:
        return sent
    company = _company(company_id)
    draft = services.open_draft(company)
    if draft is None:
        abort(404)
    try:
        services.submit(current_user, draft, request.form.get("wave", ""))
    except services.Refused as refused:
        db.session.rollback()
        return _review(company, draft, refused.message, refused.status)
    db.session.commit()
    flash(_("Your self-assessment is submitted. Here is your report."), "success")
    return redirect(url_for("vista_report.report", company_id=company.id))


@blueprint.route("/vista/entreprises/<int:company_id>/questionnaire/mise-a-jour", methods=["POST"])
def move(company_id: int) -> Response:
    """Move a draft opened on an older questionnaire to the latest version."""
    if (sent := _signed_in()) is not None:
        return sent
    company = _company(company_id)
    draft = services.open_draft(company)
    if draft is None:
        abort(404)
    services.move_to_latest(current_user, draft)
    db.session.commit()
    flash(
        _("Your answers were moved to the new version of the questionnaire: check them, then submit."),
        "success",
    )
    return redirect(url_for("vista.start", company_id=company.id))


@blueprint.route("/vista/entreprises/<int:company_id>/delegations", methods=["GET", "POST"])
def delegations(company_id: int) -> Any:
    """Who of the company's staff may answer VISTA for it; a manager adds or withdraws them."""
    if (sent := _signed_in()) is not None:
        return sent
    company = _company(company_id)
    if not services.can(current_user, services.Action.DELEGATE_VISTA, company):
        abort(404)
    message, status = None, 200
    if request.method == "POST":
        try:
            if request.form.get("remove", "").isdigit():
                services.undelegate(current_user, company, int(request.form["remove"]))
            else:
                services.delegate(current_user, company, request.form.get("email", "")[:320])
        except services.Refused as refused:
            db.session.rollback()
            message, status = refused.message, refused.status
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("vista.delegations", company_id=company.id))
    people = db.session.execute(
        select(User.id, User.display_name, User.email)
        .join(Delegation, Delegation.user_id == User.id)
        .where(Delegation.company_id == company.id)
        .order_by(User.display_name)
    ).all()
    staff = db.session.execute(
        select(User.display_name, User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.company_id == company.id, RoleGrant.role == Role.LEARNER)
        .order_by(User.display_name)
    ).all()
    return render_template(
        "vista/delegations.html", company=company, people=people, staff=staff, message=message
    ), status


_VISTA_ROLES = frozenset({Role.COMPANY_MANAGER, Role.CYBERSITE_MANAGER, Role.NETWORK_ADMIN})


def _uses_vista(user: Any) -> bool:
    # Those who answer for a company, follow a Cybersite's companies or the network. The roles are loaded
    # with the signed-in user: no query on any page.
    return bool(user.is_authenticated) and any(g.role in _VISTA_ROLES for g in user.roles)


def init_app(app: Flask) -> None:
    """Register the answering pages and their entry in the navigation (company and Cybersite managers,
    administrators)."""
    app.register_blueprint(blueprint)
    navigation.register(app, navigation.NavEntry(_l("VISTA"), "vista.index", _uses_vista, order=40))
