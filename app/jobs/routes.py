"""The status page of a job (polled by its requester until the job is over), its JSON for scripts, and
the download of its result file: only its requester downloads; the requester and those the
application allows to oversee jobs (network administrators) read its status and error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, render_template, send_file
from flask_login import current_user

from app.core.extensions import db
from app.jobs import queue, tracking
from app.jobs.models import Job

blueprint = Blueprint(
    "jobs", __name__, url_prefix="/taches", template_folder=str(Path(__file__).resolve().parent / "templates")
)

_OVERSEER_KEY = "cybermassif.jobs.overseer"


@blueprint.before_request
def _gate() -> Any:
    """Every job page needs a signed-in user."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


def _visible(job_id: str) -> Job:
    """The job if the signed-in user asked for it or oversees jobs; 404 otherwise (an id is not proof)."""
    job = db.session.get(Job, job_id) if len(job_id) <= 32 else None
    if job is None:
        abort(404)
    overseer: Callable[[Any], bool] = current_app.extensions[_OVERSEER_KEY]
    if job.owner_id != current_user.id and not overseer(current_user):
        abort(404)
    return job


@blueprint.route("/<job_id>")
def status(job_id: str) -> str:
    """The job's progress, warnings, error or download link; refreshes itself while it runs."""
    job = _visible(job_id)
    downloadable = job.owner_id == current_user.id and tracking.result_path(job) is not None
    progress = tracking.live_progress(job, queue.current().huey)
    return render_template("jobs/status.html", job=job, progress=progress, downloadable=downloadable)


@blueprint.route("/<job_id>.json")
def status_json(job_id: str) -> dict[str, Any]:
    """The same as JSON, for a page that polls."""
    job = _visible(job_id)
    return {
        "id": job.id,
        "status": job.status,
        "progress": tracking.live_progress(job, queue.current().huey),
        "warnings": job.warnings,
        "error": job.error,
        "download": job.owner_id == current_user.id and tracking.result_path(job) is not None,
    }


@blueprint.route("/<job_id>/fichier")
def download(job_id: str) -> Response:
    """The job's result file, for its requester only, while it is kept."""
    job = _visible(job_id)
    if job.owner_id != current_user.id:
        abort(403)
    path = tracking.result_path(job)
    if path is None:
        abort(404)
    response = send_file(
        path, mimetype=job.result_type, as_attachment=True, download_name=job.result_name or path.name
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app: Flask, overseer: Callable[[Any], bool]) -> None:
    """Register the pages; ``overseer(user)`` says who may read every job's status (not download)."""
    app.extensions[_OVERSEER_KEY] = overseer
    app.register_blueprint(blueprint)
