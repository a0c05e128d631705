"""The catalogue, self-enrolment and the course home (outline, completion marks, resume)."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from tests.conftest import csrf_token, sign_in
from tests.learn.conftest import EN
from tests.runtime.conftest import unit


def _enrolments(app, user_id):
    with app.app_context():
        return db.session.scalars(select(Enrolment).where(Enrolment.user_id == user_id)).all()


def test_the_catalogue_lists_published_courses_to_everyone(client, app, make_course, make_tree):
    make_course(title="Vendre en ligne", open_enrolment=True)
    with app.app_context():
        draft_tree = make_tree(unit(1), course_key="course-v1:Cybermassif+DRAFT+2026")
        db.session.add(
            Course(
                course_key="course-v1:Cybermassif+DRAFT+2026",
                org="Cybermassif",
                number="DRAFT",
                run="2026",
                title="Brouillon",
            )
        )
        db.session.commit()
    assert draft_tree
    page = client.get("/formations", headers=EN).get_data(as_text=True)
    assert "Vendre en ligne" in page
    assert "Brouillon" not in page
    assert "Sign in to enrol" in page


def test_a_learner_enrols_in_an_open_course(client, app, make_course, learner):
    course = make_course(open_enrolment=True)
    sign_in(client, learner.email)
    page = client.get("/formations", headers=EN).get_data(as_text=True)
    assert f'action="/formations/{course.course_key}/inscription"' in page
    response = client.post(
        f"/formations/{course.course_key}/inscription",
        data={"csrf_token": csrf_token(client, "/formations")},
        headers=EN,
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(course.home_url)
    [enrolment] = _enrolments(app, learner.id)
    assert enrolment.course_id == course.course_id and enrolment.active
    assert client.get(course.home_url, headers=EN).status_code == 200


def test_enrolment_needs_the_csrf_token(client, app, make_course, learner):
    course = make_course(open_enrolment=True)
    sign_in(client, learner.email)
    response = client.post(f"/formations/{course.course_key}/inscription", headers=EN)
    assert response.status_code == 400
    assert _enrolments(app, learner.id) == []


def test_a_closed_course_refuses_self_enrolment(client, app, make_course, learner):
    course = make_course(open_enrolment=False)
    sign_in(client, learner.email)
    assert "Enrol</button>" not in client.get("/formations", headers=EN).get_data(as_text=True)
    response = client.post(
        f"/formations/{course.course_key}/inscription",
        data={"csrf_token": csrf_token(client, "/formations")},
        headers=EN,
    )
    assert response.status_code == 403
    assert _enrolments(app, learner.id) == []


def test_anonymous_visitors_are_sent_to_sign_in(client, make_course):
    course = make_course(open_enrolment=True)
    for path in (course.home_url, course.unit_url("unit1")):
        response = client.get(path)
        assert response.status_code == 302
        assert "/compte/connexion" in response.headers["Location"]
    response = client.post(f"/formations/{course.course_key}/inscription")
    assert response.status_code in (302, 400)  # no session: no CSRF token either


def test_the_course_home_offers_enrolment_to_those_not_enrolled(client, make_course, learner):
    course = make_course(open_enrolment=True)
    sign_in(client, learner.email)
    response = client.get(course.home_url, headers=EN, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == f"/formations/{course.course_key}/presentation"
    assert f'action="/formations/{course.course_key}/inscription"' in response.get_data(as_text=True)


def test_a_closed_course_home_shows_its_presentation_without_an_enrolment_offer(client, make_course, learner):
    course = make_course(open_enrolment=False)
    sign_in(client, learner.email)
    response = client.get(course.home_url, headers=EN, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == f"/formations/{course.course_key}/presentation"
    assert "/inscription" not in response.get_data(as_text=True)


def test_an_unknown_or_unpublished_course_is_not_found(client, learner):
    sign_in(client, learner.email)
    assert client.get("/formations/course-v1:Nobody+NONE+2026", headers=EN).status_code == 404


def test_trainers_and_administrators_open_courses_without_enrolment(
    app, make_course, make_user, make_cybersite
):
    course = make_course()
    trainer = make_user(roles=[(Role.TRAINER, make_cybersite())])
    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)])
    for person in (trainer, admin):
        client = app.test_client()
        sign_in(client, person.email)
        assert client.get(course.home_url, headers=EN).status_code == 200
        assert client.get(course.unit_url("unit1"), headers=EN).status_code == 200


def test_the_outline_marks_units_completed_and_resumes(client, make_course, learner, enrol):
    course = make_course(
        ("course", "course", {"display_name": "Formation"}, [
            ("chapter", "ch1", {"display_name": "Chapitre A"}, [
                ("sequential", "seq1", {"display_name": "Séquence A"}, [
                    ("vertical", "u1", {"display_name": "Unité un"}, [("html", "h1", {}, [])]),
                    ("vertical", "u2", {"display_name": "Unité deux"}, [("html", "h2", {}, [])]),
                    ("vertical", "u3", {"display_name": "Unité vide"}, []),
                ])
            ])
        ])
    )  # fmt: skip
    enrol(learner, course)
    sign_in(client, learner.email)
    page = client.get(course.home_url, headers=EN).get_data(as_text=True)
    assert page.count('class="complete"') == 0
    assert "Start the course" in page and "Resume where I left off" not in page
    assert "Chapitre A" in page and "Séquence A" in page and "Unité deux" in page

    assert client.get(course.unit_url("u2"), headers=EN).status_code == 200
    page = client.get(course.home_url, headers=EN).get_data(as_text=True)
    assert page.count('class="complete"') == 1  # u2 only; an empty unit has nothing to complete
    completed = page.split('class="complete"')[1]
    assert "Unité deux" in completed.split("</li>")[0]
    assert "Resume where I left off" in page
    resume = page.split("Resume where I left off")[0].rsplit('href="', 1)[1]
    assert resume.startswith(course.unit_url("u2").split("/unite/")[0])
    assert course.usage("vertical", "u2") in resume
