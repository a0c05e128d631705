"""Every dashboard and export route, for every role, with foreign ids: 403 or 404, never the figures.

The actors all belong to Cybersite 0 (its company 0, cohort 0, courses its cohorts follow); every id in the
addresses belongs to Cybersite 1. A test checks that the walk names every route of the blueprint, so a new
route cannot be left out.
"""

from __future__ import annotations

import pytest

from app.cohorts.models import CohortCourse
from app.core.extensions import db
from tests.conftest import sign_in
from tests.progress.conftest import follow

PUBLIC = {"progress.verify"}  # the certificate verification page: anyone, by design
OWN_ONLY = {"progress.index", "progress.courses"}  # no id in the address: the actor's own figures


def foreign_urls(world, course, foreign_course) -> dict[str, list[str]]:
    """For each endpoint, addresses naming only Cybersite 1's people, companies, cohorts and courses."""
    company, learner, site, cohort = world.companies[2], world.learners[2], world.sites[1], world.cohorts[1]
    own_cohort = world.cohorts[0]
    key = foreign_course.course_key
    return {
        "progress.learner": [
            f"/progression/apprenants/{learner.id}",
            f"/progression/apprenants/{world.managers[2].id}",
        ],
        "progress.company": [
            f"/progression/entreprises/{company.id}",
            f"/progression/entreprises/{world.companies[3].id}",
        ],
        "progress.company_export": [
            f"/progression/entreprises/{company.id}/export/personnel.csv",
            f"/progression/entreprises/{company.id}/export/personnel.xlsx",
        ],
        "progress.cybersite": [f"/progression/cybersites/{site.id}"],
        "progress.cybersite_export": [
            f"/progression/cybersites/{site.id}/export/{name}.{fmt}"
            for name in ("promotions", "semaines", "apprenants")
            for fmt in ("csv", "xlsx")
        ],
        "progress.cohort": [f"/progression/promotions/{cohort.id}"],
        "progress.cohort_export": [
            f"/progression/promotions/{cohort.id}/export/{name}.{fmt}"
            for name in ("entreprises", "semaines", "apprenants")
            for fmt in ("csv", "xlsx")
        ],
        "progress.cohort_company": [
            f"/progression/promotions/{cohort.id}/entreprises/{company.id}",
            # The actor's own cohort with a company it does not accept: 404 even for its managers.
            f"/progression/promotions/{own_cohort.id}/entreprises/{company.id}",
        ],
        "progress.cohort_company_export": [
            f"/progression/promotions/{cohort.id}/entreprises/{company.id}/export/apprenants.{fmt}"
            for fmt in ("csv", "xlsx")
        ]
        + [f"/progression/promotions/{own_cohort.id}/entreprises/{company.id}/export/apprenants.csv"],
        "progress.course": [f"/progression/formations/{key}"],
        "progress.course_export": [
            f"/progression/formations/{key}/export/{name}.{fmt}"
            for name in ("entonnoir", "exercices")
            for fmt in ("csv", "xlsx")
        ],
        # Certificates are the signed-in learner's own: nobody here has one for this course.
        "progress.certificate": [f"/progression/formations/{key}/certificat"],
        "progress.certificate_pdf": [f"/progression/formations/{key}/certificat.pdf"],
    }


@pytest.fixture
def walk(app, world, progress_course):
    """Two courses: one followed by both cohorts, one only by Cybersite 1's; some progress everywhere."""
    course = progress_course(number="BOTH")
    follow(app, world, course)
    foreign_course = progress_course(number="ONLYB")
    with app.app_context():
        db.session.add(CohortCourse(cohort_id=world.cohorts[1].id, course_id=foreign_course.course_id))
        db.session.commit()
    return world, course, foreign_course


def test_the_walk_covers_every_route(app, walk):
    world, course, foreign_course = walk
    # The pages a GET reaches; the POST that asks for an export job has its own walk (test_export_jobs).
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("progress.") and "GET" in (rule.methods or ())
    }
    assert endpoints - PUBLIC - OWN_ONLY == set(foreign_urls(world, course, foreign_course))


ROLES = ("learner", "company_manager", "trainer", "cybersite_manager", "outsider")


@pytest.mark.parametrize("role", ROLES)
def test_every_route_refuses_foreign_ids(app, walk, learner_in, role):
    world, course, foreign_course = walk
    # Cybersite 1's learner has figures (and Cybersite 0's), so that a leak would show.
    learner_in(world.learners[2], course).view("u1")
    learner_in(world.learners[0], course).view("u1")
    user = {
        "learner": world.learners[0],
        "company_manager": world.managers[0],
        "trainer": world.trainers[0],
        "cybersite_manager": world.site_managers[0],
        "outsider": world.outsider,
    }[role]
    client = app.test_client()
    sign_in(client, user.email)
    for endpoint, urls in foreign_urls(world, course, foreign_course).items():
        for url in urls:
            response = client.get(url)
            assert response.status_code in (403, 404), (role, endpoint, url, response.status_code)
            assert world.learners[2].display_name not in response.get_data(as_text=True), (role, url)


def test_administrators_reach_every_route(app, walk, learner_in):
    world, course, foreign_course = walk
    learner_in(world.learners[2], course).view("u1")
    client = app.test_client()
    sign_in(client, world.admin.email)
    for endpoint, urls in foreign_urls(world, course, foreign_course).items():
        if endpoint.startswith("progress.certificate"):
            continue  # their own certificate: they have none
        for url in urls:
            if f"/promotions/{world.cohorts[0].id}/entreprises/{world.companies[2].id}" in url:
                continue  # that company is not in that cohort: 404 for everyone
            assert client.get(url).status_code == 200, (endpoint, url)


def test_signed_out_visitors_are_sent_to_sign_in(app, walk, client):
    world, course, foreign_course = walk
    for endpoint, urls in foreign_urls(world, course, foreign_course).items():
        for url in urls:
            response = client.get(url)
            assert response.status_code in (302, 401), (endpoint, url)
            if response.status_code == 302:
                assert "/compte/connexion" in response.headers["Location"]
    assert client.get("/progression/").status_code in (302, 401)


def test_own_ids_are_open_to_their_managers(app, walk, learner_in):
    world, course, _foreign = walk
    learner_in(world.learners[0], course).view("u1")
    allowed = {
        world.managers[0]: [
            f"/progression/entreprises/{world.companies[0].id}",
            f"/progression/apprenants/{world.learners[0].id}",
        ],
        world.site_managers[0]: [
            f"/progression/cybersites/{world.sites[0].id}",
            f"/progression/promotions/{world.cohorts[0].id}",
            f"/progression/promotions/{world.cohorts[0].id}/entreprises/{world.companies[0].id}",
            f"/progression/entreprises/{world.companies[1].id}",
            f"/progression/formations/{course.course_key}",
        ],
        world.trainers[0]: [f"/progression/formations/{course.course_key}", "/progression/formations"],
        world.learners[0]: ["/progression/", f"/progression/apprenants/{world.learners[0].id}"],
    }
    for user, urls in allowed.items():
        client = app.test_client()
        sign_in(client, user.email)
        for url in urls:
            assert client.get(url).status_code == 200, (user.email, url)


def test_learners_and_company_managers_see_no_cybersite_or_course_figures(app, walk):
    world, course, _foreign = walk
    for user in (world.learners[0], world.managers[0], world.outsider):
        client = app.test_client()
        sign_in(client, user.email)
        assert client.get(f"/progression/cybersites/{world.sites[0].id}").status_code == 403
        assert client.get(f"/progression/promotions/{world.cohorts[0].id}").status_code == 403
        assert client.get(f"/progression/formations/{course.course_key}").status_code == 403
        assert client.get("/progression/formations").status_code == 403
    # A learner does not see a colleague (here, their own manager), nor their company's table.
    client = app.test_client()
    sign_in(client, world.learners[0].email)
    assert client.get(f"/progression/apprenants/{world.managers[0].id}").status_code == 403
    assert client.get(f"/progression/entreprises/{world.companies[0].id}").status_code == 403
