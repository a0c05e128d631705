"""Courses (network administrators): import a course archive (Open edX layout) and export a course.

A big archive is imported by the task queue (its job's page shows the stages, then the warnings or
problems). An import is all or nothing: a refused archive changes nothing, and the page lists every
problem found with its file and line. An accepted import whose components could not all be read lists
them as warnings (file, line and reason): they are kept as placeholders and exported unchanged.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import (
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.accounts.policy import Action
from app.admin.forms import CourseArchiveForm
from app.admin.routes.base import actor, blueprint, require
from app.core.extensions import db
from app.courses import import_jobs
from app.courses.exporting import CourseNotFound, export_course
from app.courses.importing import ImportFailed, Problem, import_course
from app.courses.models import Course

# What each kind of import problem means, in the reader's language (each problem's own message is too).
PROBLEM_KINDS = {
    "archive": _l("The archive cannot be opened safely"),
    "block": _l("A component cannot be read"),
    "course": _l("The course description is incomplete"),
    "duplicate": _l("The same name is used twice"),
    "encoding": _l("A file is not in UTF-8"),
    "filename": _l("A file name is not allowed"),
    "json": _l("A policy file is not valid JSON"),
    "key": _l("The course identifier is not valid"),
    "link": _l("The archive contains a link"),
    "missing": _l("A file the course refers to is missing"),
    "pointer": _l("A file does not hold the element that names it"),
    "policy": _l("A policy setting is not valid"),
    "size": _l("A limit is exceeded"),
    "source": _l("This is not a course archive"),
    "too_many_blocks": _l("A limit is exceeded"),
    "url_name": _l("A component name is not valid"),
    "visibility": _l("A visibility setting is not valid"),
    "vista": _l("The VISTA dimensions of the course are not valid"),
    "xml": _l("An XML file is not valid"),
    "xml_attributes": _l("A component attribute is not valid"),
}
OTHER_PROBLEM = _l("The course is not valid")


def _courses() -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.title, Course.id)))


def _render(
    form: CourseArchiveForm,
    problems: list[Problem] | None = None,
    *,
    imported: str | None = None,
    warnings: tuple[Problem, ...] = (),
) -> str:
    described = [(str(PROBLEM_KINDS.get(p.code, OTHER_PROBLEM)), p, p.translated(_)) for p in problems or []]
    return render_template(
        "admin/courses.html",
        form=form,
        courses=_courses(),
        problems=described,
        imported=imported,
        warnings=[(w, w.translated(_)) for w in warnings],
    )


@blueprint.route("/formations")
def courses() -> str:
    """The courses of the catalogue, and the import form."""
    require(Action.ADMINISTER_NETWORK)
    return _render(CourseArchiveForm())


@blueprint.route("/formations/importer", methods=["POST"])
def import_archive() -> str | Response | tuple[str, int]:
    """Import an uploaded archive, publishing it as the course's new version."""
    require(Action.ADMINISTER_NETWORK)
    form = CourseArchiveForm()
    if not form.validate_on_submit():
        return _render(form), 400
    if (request.content_length or 0) > current_app.config["IMPORT_QUEUE_BYTES"]:
        # A big archive takes long to read and store: the queue imports it, its page shows how it goes.
        job = import_jobs.request_import(actor(), form.archive.data, str(get_locale() or "fr"))
        db.session.commit()
        return redirect(url_for("jobs.status", job_id=job.id), code=303)
    with tempfile.TemporaryDirectory(prefix="cybermassif-upload-") as work:
        path = Path(work) / "course.tar.gz"
        form.archive.data.save(path)
        try:
            result = import_course(path, actor=actor())
        except ImportFailed as error:
            db.session.rollback()
            return _render(form, error.problems), 400
    title, key = result.course.title, result.course.course_key
    db.session.commit()
    done = _(
        "%(title)s (%(key)s) is imported and published: %(blocks)d components, %(assets)d files.",
        title=title,
        key=key,
        blocks=result.blocks,
        assets=result.assets,
    )
    if result.warnings:
        # Shown on the page itself: a list of warnings does not fit in the session cookie of a redirect.
        return _render(CourseArchiveForm(formdata=None), imported=done, warnings=result.warnings)
    flash(done, "success")
    return redirect(url_for("admin.courses"))


@blueprint.route("/formations/<course_key>/exporter")
def export_archive(course_key: str) -> Response:
    """Download the published version of a course as a .tar.gz archive."""
    require(Action.ADMINISTER_NETWORK)
    work = tempfile.TemporaryDirectory(prefix="cybermassif-export-")

    @after_this_request
    def _clean_up(response: Response) -> Response:
        # send_file has opened the archive already: removing the folder does not cut the download.
        work.cleanup()
        return response

    try:
        result = export_course(course_key, Path(work.name) / "course.tar.gz", actor=actor())
    except CourseNotFound:
        abort(404)
    name = course_key.replace(":", "_").replace("+", "_") + ".tar.gz"
    return send_file(result.path, mimetype="application/gzip", as_attachment=True, download_name=name)
