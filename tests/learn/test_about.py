"""A course's presentation page: what a visitor or a learner not yet enrolled sees before joining."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.models import Role
from app.cohorts.models import Cohort, CohortCourse
from app.core.extensions import db
from app.courses.models import Course
from tests.conftest import sign_in
from tests.learn.conftest import EN

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
OUTLINE = (
    ("course", "course", {"display_name": "Formation", "cybermassif_vista": {"D4": 1.0, "D2": 0.5}}, [
        ("chapter", "ch1", {"display_name": "Repérer une arnaque"}, [
            ("sequential", "s1", {"display_name": "Séquence secrète"}, [
                ("vertical", "u1", {"display_name": "Unité cachée"}, [("html", "h1", {}, [])]),
            ]),
        ]),
        ("chapter", "ch2", {"display_name": "Sauvegarder"}, []),
    ])
)  # fmt: skip
ABOUT = {
    "overview": "<h2>Pourquoi</h2><p>Les <strong>PME</strong> sont visées.</p>",
    "effort": "3 heures",
    "duration": "2 semaines",
}


@pytest.fixture
def presented(app, make_course, add_asset):
    """A closed course with an overview, an effort, a duration, VISTA tags, two chapters and an image."""
    course = make_course(OUTLINE, title="Cyber PME", about=ABOUT, policy={"course_image": "logo.svg"})
    add_asset(course, "logo.svg", SVG, "image/svg+xml")
    return course


def about_url(course):
    return f"/formations/{course.course_key}/presentation"


def offer(app, site, course, name="Promotion printemps", ends_in=30):
    """A cohort of ``site`` following ``course``, started ten days ago, ending in ``ends_in`` days."""
    today = datetime.now(UTC).date()
    with app.app_context():
        cohort = Cohort(
            cybersite_id=site.id,
            name=name,
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=ends_in),
            capacity=12,
        )
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course.course_id))
        db.session.commit()


def test_a_visitor_reads_the_presentation_of_a_course(client, app, presented, make_cybersite):
    offer(app, make_cybersite(name="Cybersite du Cantal", town="Aurillac"), presented)
    response = client.get(about_url(presented), headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Cyber PME</h1>" in page
    assert "<p>Les <strong>PME</strong> sont visées.</p>" in page
    assert "3 heures" in page and "2 semaines" in page
    assert page.index("D2 · Tools and readiness") < page.index("D4 · Data and security")
    assert "Repérer une arnaque" in page and "Sauvegarder" in page
    assert "Séquence secrète" not in page and "Unité cachée" not in page  # chapter titles only
    assert f'src="/formations/{presented.course_key}/image"' in page
    assert "Promotion printemps" in page and "Cybersite du Cantal (Aurillac)" in page
    assert "/inscription" not in page  # closed: no enrol button
    image = client.get(f"/formations/{presented.course_key}/image")
    assert image.status_code == 200 and image.data == SVG
    assert image.headers["Content-Security-Policy"].startswith("sandbox")


def test_the_page_is_in_french_for_a_french_reader(client, presented):
    page = client.get(about_url(presented), headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Comment suivre cette formation" in page and "Chapitres" in page
    assert "D4 · Données et sécurité" in page


def test_an_open_course_offers_its_enrol_button_to_a_learner(client, make_course, learner):
    course = make_course(open_enrolment=True)
    assert "Sign in to enrol" in client.get(about_url(course), headers=EN).get_data(as_text=True)
    sign_in(client, learner.email)
    response = client.get(about_url(course), headers=EN)
    assert response.status_code == 200
    assert f'action="/formations/{course.course_key}/inscription"' in response.get_data(as_text=True)


def test_a_learner_sees_the_cohorts_of_her_own_cybersite_only(
    client, app, presented, make_user, make_company, make_cybersite
):
    own, other = make_cybersite(name="Cybersite de Thiers"), make_cybersite(name="Cybersite du Puy")
    offer(app, own, presented, name="Promotion Thiers")
    offer(app, other, presented, name="Promotion Le Puy")
    offer(app, own, presented, name="Promotion finie", ends_in=-2)
    person = make_user(roles=[(Role.LEARNER, make_company(cybersite=own))], language="en")
    sign_in(client, person.email)
    response = client.get(about_url(presented), headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Promotion Thiers" in page
    assert "Promotion Le Puy" not in page and "Promotion finie" not in page
    assert "Sign in" not in page.split('id="join"')[1].split("</section>")[0]


def test_a_closed_course_without_a_cohort_says_whom_to_ask(client, make_course, learner):
    course = make_course(open_enrolment=False)
    sign_in(client, learner.email)
    page = client.get(about_url(course), headers=EN).get_data(as_text=True)
    assert "No cohort offers this course at the moment." in page


def test_a_hostile_overview_is_shown_cleaned(client, make_course):
    hostile = '<p onclick="steal()">Bonjour</p><script>steal()</script><a href="javascript:steal()">lien</a>'
    course = make_course(about={"overview": hostile, "effort": "<b>2 h</b><script>x()</script>"})
    # The page's main part, up to the site's own footer (whose scripts are the site's files).
    page = client.get(about_url(course)).get_data(as_text=True).split('id="main"')[1].split("<footer")[0]
    assert "Bonjour" in page and "2 h" in page
    assert "steal()" not in page and "<script" not in page and "x()" not in page


def test_an_enrolled_learner_goes_into_the_course(client, presented, learner, enrol):
    enrol(learner, presented)
    sign_in(client, learner.email)
    response = client.get(about_url(presented), headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(presented.home_url)


def test_the_course_home_sends_those_not_enrolled_to_the_presentation(client, presented, learner):
    sign_in(client, learner.email)
    response = client.get(presented.home_url, headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(about_url(presented))
    catalogue = client.get("/formations", headers=EN).get_data(as_text=True)
    assert f'href="{about_url(presented)}"' in catalogue


def test_an_unknown_or_unpublished_course_has_no_presentation(client, app, presented):
    assert client.get("/formations/course-v1:Nobody+NONE+2026/presentation").status_code == 404
    assert client.get("/formations/course-v1:Nobody+NONE+2026/image").status_code == 404
    with app.app_context():
        db.session.get(Course, presented.course_id).published_tree_id = None
        db.session.commit()
    assert client.get(about_url(presented)).status_code == 404
    assert client.get(f"/formations/{presented.course_key}/image").status_code == 404


def test_a_course_without_an_image_or_naming_a_non_image_answers_404(client, app, make_course, add_asset):
    course = make_course(policy={"course_image": "notes.html"})
    add_asset(course, "notes.html", b"<script>alert(1)</script>", "text/html")
    assert client.get(f"/formations/{course.course_key}/image").status_code == 404
    assert "/image" not in client.get(about_url(course)).get_data(as_text=True).split("<main")[1]


@pytest.mark.parametrize("who", ["anonymous", "learner", "foreign learner", "trainer"])
def test_who_may_read_the_presentation(
    client, app, presented, make_user, make_company, make_cybersite, enrol, who
):
    """Everyone reads it; those who may open the course (its learners, trainers) go in instead."""
    site = make_cybersite()
    if who != "anonymous":
        role = (Role.TRAINER, site) if who == "trainer" else (Role.LEARNER, make_company(cybersite=site))
        person = make_user(roles=[role])
        if who == "learner":
            enrol(person, presented)
        sign_in(client, person.email)
    response = client.get(about_url(presented))
    going_in = who in {"learner", "trainer"}
    assert response.status_code == (302 if going_in else 200)
    assert client.get(f"/formations/{presented.course_key}/image").status_code == 200


def test_the_presentation_costs_a_fixed_number_of_statements(
    client, app, presented, learner, make_cybersite, count_statements
):
    for n in range(3):
        offer(app, make_cybersite(), presented, name=f"Promotion {n}")
    sign_in(client, learner.email)
    client.get(about_url(presented))  # the shared structure is loaded once per process
    response, statements = count_statements(lambda: client.get(about_url(presented)))
    assert response.status_code == 200
    # user and roles, the course with the enrolment, its about pages, its policy, the cohorts with their
    # Cybersites (whatever their number); the structure and the course block's fields are the process's
    assert len(statements) == 5, "\n".join(statements)
