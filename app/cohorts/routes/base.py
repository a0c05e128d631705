"""The cohorts blueprint, its gate (signed in) and what its views share: who asks, the cohort they name,
and how a refused change is shown (the message on the form or as a notice, 403 for the policy)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.accounts.models import User
from app.accounts.policy import Action, can
from app.accounts.services.errors import Forbidden, ServiceError
from app.cohorts.models import Cohort
from app.core.extensions import db

T = TypeVar("T")
# Cohorts start and end on the calendar days of the Cybersites, which are all in France.
LOCAL_TIME = ZoneInfo("Europe/Paris")

blueprint = Blueprint(
    "cohorts", __name__, template_folder=str(Path(__file__).resolve().parent.parent / "templates")
)


@blueprint.before_request
def _gate() -> Response | None:
    """Every cohort page needs a signed-in user."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    return None


def today() -> date:
    """Today's date where the Cybersites are."""
    return datetime.now(LOCAL_TIME).date()


def actor() -> User:
    """The signed-in user, as the object services take."""
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def require(action: Action, target: Any = None) -> None:
    """Stop with 403 unless the signed-in user may do ``action`` to ``target``."""
    if not can(actor(), action, target):
        abort(403)


def cohort_or_404(cohort_id: int) -> Cohort:
    """The cohort named in the address (404 when there is none)."""
    return db.get_or_404(Cohort, cohort_id)


def refused(form: FlaskForm | None, error: ServiceError) -> None:
    """Undo the attempt and show why (on the form's field, the form, or as a notice); 403 when forbidden."""
    db.session.rollback()
    if isinstance(error, Forbidden):
        abort(403)
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    elif form is not None:
        form.form_errors.append(error.message)
    else:
        flash(error.message, "error")


def submit(form: FlaskForm | None, change: Callable[[], T]) -> tuple[bool, T | None]:
    """Run a service call and commit it once; on refusal show it and report failure."""
    try:
        result = change()
    except ServiceError as error:
        refused(form, error)
        return False, None
    db.session.commit()
    return True, result
