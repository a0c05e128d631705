"""The administration blueprint, its gate (signed in, allowed to administer) and what its views share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.labels import ROLE_LABELS, SIZE_CLASS_LABELS
from app.accounts.models import User
from app.accounts.policy import Action, can
from app.accounts.services.errors import ServiceError
from app.accounts.services.roles import scope_label
from app.accounts.submitting import refused
from app.core.extensions import db

blueprint = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
)


@blueprint.before_request
def _gate() -> Response | None:
    """Every administration page needs a signed-in user whom the policy lets in."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    if not can(current_user, Action.VIEW_ADMIN):
        abort(403)
    return None


def actor() -> User:
    """The signed-in user, as the object services take."""
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def require(action: Action, target: Any = None) -> None:
    """Stop with 403 unless the signed-in user may do ``action`` to ``target``."""
    if not can(current_user, action, target):
        abort(403)


def page_number() -> int:
    """The ``page`` query argument (1 when missing or malformed)."""
    return max(request.args.get("page", 1, type=int) or 1, 1)


def act(change: Callable[[], object], done: str) -> bool:
    """Run a service call for a button and commit it; flash ``done``, or the refusal (403 if forbidden)."""
    try:
        change()
    except ServiceError as error:
        refused(None, error)
        return False
    db.session.commit()
    flash(done, "success")
    return True


def done(message: str, endpoint: str, **values: Any) -> Response:
    """Tell the user a change is saved and go to ``endpoint``."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


@blueprint.context_processor
def _policy() -> dict[str, Any]:
    """Let the pages ask the policy what to offer (``may(Action.X, target)``) and name roles and sizes."""
    return {
        "Action": Action,
        "may": lambda action, target=None: can(current_user, action, target),
        "role_labels": ROLE_LABELS,
        "size_labels": SIZE_CLASS_LABELS,
        "scope_label": scope_label,
    }
