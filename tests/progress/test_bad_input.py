"""Bad input: events a block must not publish, filters and ids nobody should send. Each gets a 4xx, a clear
message where a person can read one, and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.progress.models import BlockCompletion, Certificate, CourseProgress, ProgressRollup
from app.runtime.models import FieldValue
from tests.conftest import sign_in
from tests.progress.conftest import EN, follow


def _counts(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (BlockCompletion, ProgressRollup, CourseProgress, Certificate, FieldValue)
        )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"completion": 1.5}, id="completion-above-1"),
        pytest.param({"completion": -0.1}, id="completion-below-0"),
        pytest.param({"completion": "all"}, id="completion-not-a-number"),
        pytest.param({"completion": True}, id="completion-a-boolean"),
        pytest.param({"grade": 3.0, "max": 2.0}, id="grade-above-its-maximum"),
        pytest.param({"grade": -1.0, "max": 2.0}, id="grade-below-0"),
        pytest.param({"grade": 1.0, "max": 0}, id="maximum-of-0"),
        # A good completion and a bad grade in one request: nothing of it is kept.
        pytest.param({"completion": 1.0, "grade": 9.0, "max": 1.0}, id="half-good-request"),
    ],
)
def test_a_bad_event_is_refused_and_writes_nothing(app, progress_course, enrolled_learner, data):
    course = progress_course()
    _user, learner = enrolled_learner(course)
    learner.view("u2")  # the page records its first view (nothing here completes on view but u2's…)
    before = _counts(app)
    response = learner.report("p1", **data)
    assert response.status_code == 400
    # Neither the block's state (its attempts counter), nor the record, nor any roll-up changed.
    assert _counts(app) == before


def test_a_good_event_after_a_refused_one_is_counted_once(app, progress_course, enrolled_learner):
    course = progress_course()
    user, learner = enrolled_learner(course)
    assert learner.report("p1", completion=2.0).status_code == 400
    assert learner.report("p1", completion=1.0).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(CourseProgress).where(CourseProgress.user_id == user.id))
        # u1's two texts (viewed to get a token) and p1.
        assert (row.completed, row.total) == (3, 6)


@pytest.fixture
def manager_client(app, world, progress_course, learner_in):
    course = progress_course()
    follow(app, world, course)
    learner_in(world.learners[0], course).view("u1")
    client = app.test_client()
    sign_in(client, world.managers[0].email)
    return client, world, course


def _page(client, url):
    response = client.get(url, headers=EN)
    return response.status_code, response.get_data(as_text=True)


def test_an_unknown_course_filter_is_a_400_with_its_reason(manager_client):
    client, world, _course = manager_client
    base = f"/progression/entreprises/{world.companies[0].id}"
    status, html = _page(client, base + "?formation=course-v1:Autre+X+2026")
    assert status == 400 and "This course is not one of the list" in html
    status, _html = _page(client, base + "/export/personnel.csv?formation=course-v1:Autre+X+2026")
    assert status == 400


def test_an_unknown_status_is_a_400_with_its_reason(manager_client):
    client, world, _course = manager_client
    status, html = _page(client, f"/progression/entreprises/{world.companies[0].id}?statut=everything")
    assert status == 400 and "This status is not one of the list" in html


def test_an_oversized_search_is_a_400_with_its_reason(manager_client):
    client, world, _course = manager_client
    status, html = _page(client, f"/progression/entreprises/{world.companies[0].id}?recherche=" + "a" * 101)
    assert status == 400 and "Search for at most 100 characters." in html


@pytest.mark.parametrize("search", ["%", "_", "\\", "' OR 1=1 --", "<script>alert(1)</script>"])
def test_hostile_searches_match_literally_and_are_escaped(manager_client, search):
    client, world, _course = manager_client
    status, html = _page(client, f"/progression/entreprises/{world.companies[0].id}?recherche={search}")
    assert status == 200
    assert world.learners[0].display_name not in html  # nobody's name holds these characters
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/progression/entreprises/abc",
        "/progression/entreprises/0",
        "/progression/entreprises/99999999999999999999",
        "/progression/apprenants/-1",
        "/progression/apprenants/4294967296",
        "/progression/cybersites/2147483648",
        "/progression/promotions/99999999999999999999/entreprises/1",
        "/progression/formations/not-a-course-key",
        "/progression/formations/course-v1:Nope+X+2026/export/entonnoir.csv",
    ],
)
def test_malformed_and_unknown_ids_are_404(manager_client, url):
    client, _world, _course = manager_client
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "code", ["nope", "A" * 5000, "<img src=x onerror=alert(1)>", "AAAA-AAAA-AAAA-AAAA-AAA1", "aaaa"]
)
def test_bad_verification_codes_say_so(client, code):
    response = client.get(f"/progression/certificat/{code}", headers=EN)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No certificate has this code." in html
    assert "<img src=x" not in html
