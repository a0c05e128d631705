"""Every learner of a cohort exported by a background job through a real queue and consumer: asked for
by HTTP, followed on its status page until done, downloaded by its requester only; a job whose
requester lost the right meanwhile fails with its error shown to the requester and the administrator;
bad input queues nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from app.accounts.models import RoleGrant
from app.core.extensions import db
from app.jobs.models import Job
from tests.conftest import csrf_token, sign_in
from tests.jobs.harness import consuming, make_queue_app, queue_of, queue_url, wait_for
from tests.progress.conftest import follow


def _ask(client: Any, cohort_id: int, fmt: str = "csv") -> Any:
    token = csrf_token(client, f"/progression/promotions/{cohort_id}")
    return client.post(
        f"/progression/promotions/{cohort_id}/export-apprenants", data={"fmt": fmt, "csrf_token": token}
    )


def _status(client: Any, job_id: str) -> Any:
    response = client.get(f"/taches/{job_id}.json")
    assert response.status_code == 200, response.status_code
    return response.get_json()


def _jobs(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Job)) or 0


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_an_export_is_asked_for_followed_and_downloaded(
    app, database, tmp_path, world, progress_course, backend
):
    follow(app, world, progress_course())
    queue_app = make_queue_app(database, tmp_path, queue_url(backend, tmp_path))
    client = queue_app.test_client()
    sign_in(client, world.site_managers[0].email)
    cohort = world.cohorts[0].id
    response = _ask(client, cohort)
    assert response.status_code == 303
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    assert _status(client, job_id)["status"] == "queued"  # nothing runs the queue yet
    page = client.get(f"/taches/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page  # the page polls by itself
    with consuming(queue_app):
        state = wait_for(lambda: (s := _status(client, job_id))["status"] in ("done", "failed") and s)
    assert state["status"] == "done" and state["progress"] == 100 and state["download"], state
    page = client.get(f"/taches/{job_id}").get_data(as_text=True)
    assert f"/taches/{job_id}/fichier" in page and 'http-equiv="refresh"' not in page
    download = client.get(f"/taches/{job_id}/fichier")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"), newline=""), delimiter=";"))
    names = {row[0] for row in rows[1:]}
    assert names == {world.learners[0].display_name, world.learners[1].display_name}

    # Another Cybersite's manager: the job does not exist for them; the administrator reads its status
    # but only the requester downloads its file.
    other = queue_app.test_client()
    sign_in(other, world.site_managers[1].email)
    assert other.get(f"/taches/{job_id}.json").status_code == 404
    assert other.get(f"/taches/{job_id}/fichier").status_code == 404
    admin = queue_app.test_client()
    sign_in(admin, world.admin.email)
    assert _status(admin, job_id)["status"] == "done" and not _status(admin, job_id)["download"]
    assert admin.get(f"/taches/{job_id}/fichier").status_code == 403
    assert queue_app.test_client().get(f"/taches/{job_id}/fichier").status_code == 302  # sign in first


def test_a_job_that_fails_shows_its_error(app, database, tmp_path, world, progress_course):
    follow(app, world, progress_course())
    queue_app = make_queue_app(database, tmp_path, queue_url("sqlite", tmp_path))
    client = queue_app.test_client()
    manager = world.site_managers[0]
    sign_in(client, manager.email)
    job_id = _ask(client, world.cohorts[0].id, "xlsx").headers["Location"].rsplit("/", 1)[1]
    with app.app_context():  # the manager loses the role before the job runs
        db.session.execute(delete(RoleGrant).where(RoleGrant.user_id == manager.id))
        db.session.commit()
    with consuming(queue_app):
        wait_for(lambda: _status(client, job_id)["status"] == "failed")
    state = _status(client, job_id)
    assert "no longer see" in state["error"] and not state["download"]
    assert client.get(f"/taches/{job_id}/fichier").status_code == 404
    admin = queue_app.test_client()
    sign_in(admin, world.admin.email)
    page = admin.get(f"/taches/{job_id}").get_data(as_text=True)
    assert "no longer see" in page and 'role="alert"' in page
    listing = admin.get("/admin/taches").get_data(as_text=True)  # where administrators find it
    assert f"/taches/{job_id}" in listing and "no longer see" in listing and manager.display_name in listing
    assert client.get("/admin/taches").status_code == 403


def test_bad_requests_queue_nothing(app, database, tmp_path, world):
    queue_app = make_queue_app(database, tmp_path, queue_url("sqlite", tmp_path))
    huey = queue_of(queue_app).huey
    client = queue_app.test_client()
    sign_in(client, world.site_managers[0].email)
    assert _ask(client, world.cohorts[0].id, "pdf").status_code == 400
    foreign = world.cohorts[1].id
    token = csrf_token(client, f"/progression/promotions/{world.cohorts[0].id}")
    response = client.post(
        f"/progression/promotions/{foreign}/export-apprenants", data={"fmt": "csv", "csrf_token": token}
    )
    assert response.status_code == 403
    assert (
        client.post(
            f"/progression/promotions/{world.cohorts[0].id}/export-apprenants", data={"fmt": "csv"}
        ).status_code
        == 400
    )  # no CSRF token
    assert client.get("/taches/" + "f" * 32).status_code == 404
    assert client.get("/taches/" + "f" * 300).status_code == 404
    assert _jobs(queue_app) == 0 and huey.pending_count() == 0


@pytest.mark.parametrize("role", ["learner", "company_manager", "trainer", "other_site_manager", "outsider"])
def test_only_those_who_see_the_cohort_ask_for_its_export(app, database, tmp_path, world, role):
    queue_app = make_queue_app(database, tmp_path, queue_url("sqlite", tmp_path))
    user = {
        "learner": world.learners[0],
        "company_manager": world.managers[0],
        "trainer": world.trainers[1],
        "other_site_manager": world.site_managers[1],
        "outsider": world.outsider,
    }[role]
    client = queue_app.test_client()
    sign_in(client, user.email)
    token = csrf_token(client, "/")  # the sign-out form of every page carries it
    response = client.post(
        f"/progression/promotions/{world.cohorts[0].id}/export-apprenants",
        data={"fmt": "csv", "csrf_token": token},
    )
    assert response.status_code in (403, 404), (role, response.status_code)
    assert _jobs(queue_app) == 0 and queue_of(queue_app).huey.pending_count() == 0
