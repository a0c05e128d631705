"""The cohorts blueprint, its gate (signed in) and what its views share: who asks, the cohort they name,
and how a refused change is shown (the message on the form or as a notice, 403 for the policy)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.models import User
from app.accounts.policy import Action, can
from app.cohorts.models import Cohort
from app.core.extensions import db

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
