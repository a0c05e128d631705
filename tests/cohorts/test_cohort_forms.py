"""Creating and editing cohorts through their form: what is saved, and every kind of bad input refused with
a clear message, a 4xx status and nothing written."""

from __future__ import annotations

import sqlalchemy as sa

from app.cohorts.models import Cohort, CohortCourse
from app.courses.models import Course, Enrolment
from tests.cohorts.conftest import EN, count, post, rows, signed_in, snapshot

GOOD = {
    "name": "Promotion automne",
    "starts_on": "2026-09-14",
    "ends_on": "2026-12-18",
    "capacity": "12",
    "forum_within_cohort": "y",
}


def _create(client, world, **changes):
    data = {
        "cybersite_id": world.site.id,
        **GOOD,
        "course_ids": [world.course, world.other_course],
        **changes,
    }
    return post(client, "/cohortes/nouvelle", {k: v for k, v in data.items() if v is not None})


def test_a_cybersite_manager_creates_a_cohort_with_courses(app, client, world):
    signed_in(client, world.manager)
    response = _create(client, world)
    assert response.status_code == 302
    (cohort,) = rows(app, sa.select(Cohort))
    cohort = cohort[0]
    saved = (
        cohort.name,
        str(cohort.starts_on),
        str(cohort.ends_on),
        cohort.capacity,
        cohort.forum_within_cohort,
    )
    assert saved == (
        "Promotion automne", "2026-09-14", "2026-12-18", 12, True,
    )  # fmt: skip
    assert cohort.cybersite_id == world.site.id
    assert {r[0] for r in rows(app, sa.select(CohortCourse.course_id))} == {world.course, world.other_course}
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Promotion automne" in page and "Bureautique" in page and "Sécurité informatique" in page
    assert "The cohort “Promotion automne” is created." in page
    listing = client.get("/cohortes", headers=EN).get_data(as_text=True)
    assert "Promotion automne" in listing and "0 of 12" in listing


def test_the_forum_setting_can_be_left_off(app, client, world):
    signed_in(client, world.manager)
    assert _create(client, world, forum_within_cohort=None).status_code == 302
    assert rows(app, sa.select(Cohort.forum_within_cohort)) == [(False,)]


def _refused(app, client, world, expected: str, **changes):
    before = snapshot(app)
    response = _create(client, world, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert expected in page, page
    assert 'aria-invalid="true"' in page or "form-errors" in page
    assert snapshot(app) == before
    return page


def test_dates_in_the_wrong_order_are_refused(app, client, world):
    signed_in(client, world.manager)
    _refused(app, client, world, "The end date must not be before the start date.", ends_on="2026-09-01")


def test_malformed_and_missing_dates_are_refused(app, client, world):
    signed_in(client, world.manager)
    _refused(app, client, world, "Not a valid date value", starts_on="14/09/2026x")
    _refused(app, client, world, "Enter a date such as 2026-09-14.", ends_on="")


def test_a_capacity_of_zero_or_less_or_not_a_number_is_refused(app, client, world):
    signed_in(client, world.manager)
    for capacity in ("0", "-3", "douze", "100001", ""):
        _refused(
            app,
            client,
            world,
            "Enter the number of places as a whole number from 1 to 10000.",
            capacity=capacity,
        )


def test_a_duplicate_name_in_the_same_cybersite_is_refused_ignoring_case(app, client, world, make_cohort):
    make_cohort(world.site, name="Promotion Automne")
    make_cohort(world.other_site, name="Promotion automne 2")
    signed_in(client, world.manager)
    _refused(
        app, client, world, "This Cybersite already has a cohort with this name.", name="promotion automne"
    )


def test_the_same_name_at_another_cybersite_is_fine(app, client, world, make_cohort):
    make_cohort(world.other_site, name="Promotion automne")
    signed_in(client, world.manager)
    assert _create(client, world).status_code == 302


def test_a_foreign_cybersite_is_forbidden_and_writes_nothing(app, client, world):
    signed_in(client, world.manager)
    before = snapshot(app)
    assert _create(client, world, cybersite_id=world.other_site.id).status_code == 403
    assert _create(client, world, cybersite_id=999999).status_code == 400
    assert snapshot(app) == before


def test_unknown_or_unpublished_courses_are_refused(app, client, world):
    with app.app_context():
        from app.core.extensions import db

        draft = Course(course_key="course-v1:X+DRAFT+1", org="X", number="DRAFT", run="1", title="Brouillon")
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    signed_in(client, world.manager)
    message = "Choose courses from the list of published courses."
    _refused(app, client, world, message, course_ids=[world.course, draft_id])
    _refused(app, client, world, message, course_ids=[999999])
    _refused(app, client, world, "Invalid choice", course_ids=["'; DROP TABLE cohort; --"])


def test_an_overlong_name_is_refused(app, client, world):
    signed_in(client, world.manager)
    _refused(app, client, world, "Field cannot be longer than 120 characters.", name="x" * 121)


def test_people_without_a_cybersite_to_manage_cannot_create(app, world):
    for person in (world.company_manager, world.learner, world.trainer):
        client = signed_in(app.test_client(), person)
        assert client.get("/cohortes/nouvelle", headers=EN).status_code == 403
        assert _create(client, world).status_code == 403
    assert count(app, Cohort) == 0


def test_editing_adds_and_removes_courses_for_every_member(app, client, world, make_cohort):
    cohort = make_cohort(
        world.site,
        companies=[world.company],
        courses=[world.course],
        members=[(world.learner, world.company), (world.colleague, world.company)],
    )
    signed_in(client, world.manager)
    response = post(
        client,
        f"/cohortes/{cohort.id}/modifier",
        {**GOOD, "name": "Renommée", "capacity": "5", "course_ids": [world.other_course]},
    )
    assert response.status_code == 302
    enrolments = {
        (r.user_id, r.course_id): (r.active, r.cohort_id)
        for r in rows(
            app, sa.select(Enrolment.user_id, Enrolment.course_id, Enrolment.active, Enrolment.cohort_id)
        )
    }
    for person in (world.learner, world.colleague):
        assert enrolments[(person.id, world.course)] == (False, None)  # suspended, progress kept
        assert enrolments[(person.id, world.other_course)] == (True, cohort.id)
    assert rows(app, sa.select(Cohort.name, Cohort.capacity)) == [("Renommée", 5)]


def test_the_capacity_cannot_drop_below_the_people_enrolled(app, client, world, make_cohort):
    cohort = make_cohort(
        world.site,
        companies=[world.company],
        members=[(world.learner, world.company), (world.colleague, world.company)],
    )
    signed_in(client, world.manager)
    before = snapshot(app)
    response = post(client, f"/cohortes/{cohort.id}/modifier", {**GOOD, "capacity": "1"})
    assert response.status_code == 400
    assert (
        "The cohort already has 2 people enrolled or invited: the capacity cannot be lower."
        in response.get_data(as_text=True)
    )
    assert snapshot(app) == before
    assert count(app, Cohort, Cohort.capacity == 20) == 1


def test_a_foreign_cohort_cannot_be_edited(app, client, world, make_cohort):
    cohort = make_cohort(world.other_site)
    signed_in(client, world.manager)
    assert client.get(f"/cohortes/{cohort.id}/modifier", headers=EN).status_code == 403
    assert post(client, f"/cohortes/{cohort.id}/modifier", {**GOOD}).status_code == 403
    assert client.get("/cohortes/999999/modifier", headers=EN).status_code == 404
    assert rows(app, sa.select(Cohort.name)) == [(cohort.name,)]


def test_the_form_page_is_in_french_for_french_readers(client, world, make_user):
    from app.accounts.models import Role

    french = make_user(roles=[(Role.CYBERSITE_MANAGER, world.site)], language="fr")
    signed_in(client, french)
    page = client.get("/cohortes/nouvelle").get_data(as_text=True)
    assert "Nouvelle promotion" in page and "Capacité" in page and "Date de fin" in page
