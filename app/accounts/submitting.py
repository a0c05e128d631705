"""Running a service call for a form or a button, as every page that changes something does: commit once
when it succeeds; when a service refuses, undo the attempt and show why (on the form's field, on the form,
or as a notice), or answer 403 when the person may not do it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash
from flask_wtf import FlaskForm

from app.accounts.services.errors import Forbidden, ServiceError
from app.core.extensions import db

T = TypeVar("T")


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
