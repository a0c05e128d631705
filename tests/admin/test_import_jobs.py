"""Big course archives imported by the real queue (a SQLite file and a consumer): the administrator is
sent to the job's page, the import runs apart from the request, and its warnings, or for a refused
archive every problem with its file and line, are listed when it ends; nothing is changed by a refusal."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.models import Course
from app.jobs.models import Job, JobStatus
from app.jobs.tracking import JobRun
from app.runtime.models import BlockTree
from tests.conftest import csrf_token, sign_in
from tests.jobs.harness import consuming, make_queue_app, queue_of, queue_url, wait_for

SAMPLE = Path(__file__).resolve().parents[2] / "courses" / "bien-demarrer"
EN = {"Accept-Language": "en"}


def _sample_with_bad_updates() -> bytes:
    """The demo course, with course updates that are not a list (a warning, not a refusal)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(SAMPLE, arcname="course", filter=lambda m: None if "/info/updates" in m.name else m)
        data = b'{"not": "a list"'
        info = tarfile.TarInfo("course/info/updates.items.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _broken() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = b"<course url_name='2026' org='X' course='Y'"
        info = tarfile.TarInfo("course/course.xml")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def queued(app, database, tmp_path, make_user) -> tuple[Any, Any]:
    """An application that imports every archive through the queue, and an administrator's client."""
    queue_app = make_queue_app(database, tmp_path, queue_url("sqlite", tmp_path), IMPORT_QUEUE_BYTES=0)
    client = queue_app.test_client()
    sign_in(client, make_user(roles=[(Role.NETWORK_ADMIN, None)], language="en").email)
    return queue_app, client


def _upload(client: Any, data: bytes) -> str:
    response = client.post(
        "/admin/formations/importer",
        data={
            "csrf_token": csrf_token(client, "/admin/formations"),
            "archive": (io.BytesIO(data), "cours.tar.gz"),
        },
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return str(response.headers["Location"].rsplit("/", 1)[1])


def _counts(app: Any) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Course)) or 0,
            db.session.scalar(select(func.count()).select_from(BlockTree)) or 0,
        )


def _finished(client: Any, job_id: str) -> Any:
    def check() -> Any:
        state = client.get(f"/taches/{job_id}.json").get_json()
        return state if state["status"] in ("done", "failed") else None

    return wait_for(check, timeout=60)


def test_a_big_archive_is_imported_by_the_queue_with_its_warnings(queued):
    queue_app, client = queued
    job_id = _upload(client, _sample_with_bad_updates())
    assert _counts(queue_app) == (0, 0)  # nothing imported while the request ran
    with consuming(queue_app):
        state = _finished(client, job_id)
    assert state["status"] == "done", state["warnings"]
    assert _counts(queue_app) == (1, 1)
    assert any(w.startswith("info/updates.items.json: ") for w in state["warnings"]), state["warnings"]
    page = client.get(f"/taches/{job_id}", headers=EN).get_data(as_text=True)
    assert "info/updates.items.json" in page and "Warnings" in page
    # The upload is dropped once imported.
    assert not list(Path(queue_app.config["JOB_FILES_DIR"]).glob("*.upload.tar.gz"))


def test_a_refused_archive_lists_its_problems_and_changes_nothing(queued):
    queue_app, client = queued
    job_id = _upload(client, _broken())
    with consuming(queue_app):
        state = _finished(client, job_id)
    assert state["status"] == "failed" and "refused" in state["error"], state
    assert any(w.startswith("course.xml:1") for w in state["warnings"]), state["warnings"]
    assert _counts(queue_app) == (0, 0)


def test_a_running_job_shows_the_progress_its_task_reports(queued):
    queue_app, client = queued
    job_id = _upload(client, _broken())  # queued; no consumer runs it here
    with queue_app.app_context():
        job = db.session.get(Job, job_id)
        job.status = JobStatus.RUNNING
        db.session.commit()
        JobRun(job, queue_of(queue_app).huey).progress(1, 3)
    assert client.get(f"/taches/{job_id}.json").get_json()["progress"] == 33
    page = client.get(f"/taches/{job_id}", headers=EN).get_data(as_text=True)
    assert 'value="33"' in page and 'http-equiv="refresh"' in page
