"""Enrolment from a CSV file: upload, preview of every row, confirmation (all or nothing).

The checked file is kept in the database under a random token until its uploader confirms it, so the
confirmation may reach any worker; it is checked again then, and imported under the cohort's lock.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from app.accounts.labels import ROLE_LABELS
from app.accounts.policy import Action
from app.accounts.services.errors import ServiceError
from app.accounts.submitting import refused
from app.cohorts import bulk_import, csv_files, services
from app.cohorts.forms import ConfirmForm, UploadForm
from app.cohorts.models import Cohort
from app.cohorts.routes.base import actor, blueprint, cohort_or_404, require
from app.core.extensions import db

# Read a little more than allowed, to tell a file that is too large without holding a huge one.
_READ_LIMIT = csv_files.MAX_BYTES + 1


def _page(cohort: Cohort, form: UploadForm, status: int, **context: object) -> tuple[str, int]:
    return render_template(
        "cohorts/import.html",
        cohort=cohort,
        form=form,
        max_rows=csv_files.MAX_ROWS,
        max_megabytes=csv_files.MAX_BYTES // (1024 * 1024),
        role_labels=ROLE_LABELS,
        **context,
    ), status


@blueprint.route("/cohortes/<int:cohort_id>/import", methods=["GET"])
def import_form(cohort_id: int) -> tuple[str, int]:
    """The upload form, with the file's expected layout."""
    cohort = cohort_or_404(cohort_id)
    require(Action.EDIT_COHORT, cohort)
    return _page(cohort, UploadForm(), 200)


@blueprint.route("/cohortes/<int:cohort_id>/import", methods=["POST"])
def upload(cohort_id: int) -> tuple[str, int]:
    """Check an uploaded file and show what importing it would do, row by row."""
    cohort = cohort_or_404(cohort_id)
    require(Action.EDIT_COHORT, cohort)
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(cohort, form, 400)
    storage = form.file.data
    data = storage.stream.read(_READ_LIMIT)
    try:
        parsed = csv_files.parse(data)
    except csv_files.FileRefused as error:
        form.file.errors = [error.message]
        return _page(cohort, form, 400)
    services.lock(cohort)
    try:
        preview = bulk_import.check(actor(), cohort, parsed)
        token = bulk_import.stage(actor(), cohort, storage.filename or "", data).id if preview.ready else None
    except ServiceError as error:
        refused(form, error)
        return _page(cohort, form, 400)
    db.session.commit()
    status = 400 if preview.problems else 200
    return _page(
        cohort, form, status, preview=preview, token=token, confirm_form=ConfirmForm(), parsed=parsed
    )


@blueprint.route("/cohortes/<int:cohort_id>/import/<token>", methods=["POST"])
def confirm(cohort_id: int, token: str) -> Response | tuple[str, int]:
    """Import a previewed file, checked again: every row or none."""
    cohort = cohort_or_404(cohort_id)
    require(Action.EDIT_COHORT, cohort)
    form = UploadForm(formdata=None)
    services.lock(cohort)
    try:
        staged = bulk_import.staged(actor(), cohort, token)
    except ServiceError as error:
        refused(form, error)
        return _page(cohort, form, 410)
    parsed = csv_files.parse(staged.data)
    preview = bulk_import.check(actor(), cohort, parsed)
    if preview.problems:
        db.session.rollback()
        form.form_errors.append(
            _("Something changed since the preview: the file now has problems. Nothing was imported.")
        )
        return _page(cohort, form, 409, preview=preview, parsed=parsed)
    try:
        bulk_import.apply(actor(), cohort, preview)
    except ServiceError as error:
        refused(form, error)
        return _page(cohort, form, 409, preview=preview, parsed=parsed)
    bulk_import.forget(staged)
    enrolled, invited = preview.count("enrol"), preview.count("invite")
    db.session.commit()
    flash(
        ngettext("%(num)d person enrolled", "%(num)d people enrolled", enrolled)
        + ", "
        + ngettext("%(num)d person invited.", "%(num)d people invited.", invited),
        "success",
    )
    return redirect(url_for(".show", cohort_id=cohort.id))
