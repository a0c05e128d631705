"""A Cybersite manager links a cohort to a content group of each course it follows (Open edX's cohort ↔
content group link); the cohort's learners then see that group's units, and only those."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.cohorts.models import CohortCourse
from app.core.extensions import db
from app.courses.models import Course
from app.runtime.keys import CourseKey, usage_key_for
from tests.cohorts.conftest import EN, post, rows, signed_in

KEY = "course-v1:Cybermassif+GROUPS+2026"
PARTITIONS = [
    {
        "id": 50,
        "name": "Groupes",
        "scheme": "cohort",
        "groups": [{"id": 1, "name": "Nord"}, {"id": 2, "name": "Sud"}],
    }
]


def _unit(url_name: str, group: int) -> tuple:
    settings = {
        "display_name": f"Unité {url_name}",
        "xml_attributes": {"group_access": json.dumps({"50": [group]})},
    }
    return ("vertical", url_name, settings, [("html", f"h{url_name}", {"data": "<p>x</p>"}, [])])


@pytest.fixture
def grouped_course(app, make_tree) -> int:
    """A published course declaring two content groups, with one unit for each."""
    spec = ("course", "2026", {"xml_attributes": {"user_partitions": json.dumps(PARTITIONS)}}, [
        ("chapter", "c", {}, [("sequential", "s", {}, [_unit("nord", 1), _unit("sud", 2)])])])  # fmt: skip
    tree_id = make_tree(spec, course_key=KEY)
    with app.app_context():
        course = Course(course_key=KEY, org="Cybermassif", number="GROUPS", run="2026", title="Groupée",
                        published_tree_id=tree_id)  # fmt: skip
        db.session.add(course)
        db.session.commit()
        return course.id


@pytest.fixture
def cohort(world, make_cohort, grouped_course):
    return make_cohort(world.site, companies=[world.company], courses=[grouped_course, world.course],
                       members=[(world.learner, world.company)])  # fmt: skip


def _linked(app, cohort_id: int) -> dict[int, int | None]:
    statement = sa.select(CohortCourse.course_id, CohortCourse.content_group_id).where(
        CohortCourse.cohort_id == cohort_id
    )
    return dict(rows(app, statement))


def _unit_url(url_name: str) -> str:
    return f"/formations/{KEY}/unite/{usage_key_for(CourseKey.from_string(KEY), 'vertical', url_name)}"


def test_the_manager_links_the_cohort_to_a_content_group(app, world, cohort, grouped_course):
    client = signed_in(app.test_client(), world.manager)
    page = client.get(f"/cohortes/{cohort.id}", headers=EN).get_data(as_text=True)
    assert f'name="group-{grouped_course}"' in page and ">Nord</option>" in page and ">Sud</option>" in page
    assert f'name="group-{world.course}"' not in page  # a course without content groups offers none
    response = post(client, f"/cohortes/{cohort.id}/groupes", {f"group-{grouped_course}": "2"})
    assert response.status_code == 302
    assert _linked(app, cohort.id) == {grouped_course: 2, world.course: None}
    page = client.get(f"/cohortes/{cohort.id}", headers=EN).get_data(as_text=True)
    assert '<option value="2" selected>Sud</option>' in page

    learner = signed_in(app.test_client(), world.learner)
    assert learner.get(_unit_url("sud"), headers=EN).status_code == 200
    assert learner.get(_unit_url("nord"), headers=EN).status_code == 404
    # Back to no group: the learner sees neither group's unit.
    assert post(client, f"/cohortes/{cohort.id}/groupes", {f"group-{grouped_course}": ""}).status_code == 302
    assert _linked(app, cohort.id)[grouped_course] is None
    assert learner.get(_unit_url("sud"), headers=EN).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "status", "message"),
    [
        ("group", "7", 400, "Choose a content group the course declares."),
        ("other", "1", 400, "Choose a content group the course declares."),
        ("unfollowed", "1", 400, "Choose content groups for the courses this cohort follows."),
        ("group", "un", 400, None),
    ],
)
def test_bad_choices_are_refused_and_change_nothing(app, world, cohort, grouped_course, field, value, status,
                                                    message):  # fmt: skip
    course = {"group": grouped_course, "other": world.course, "unfollowed": world.other_course}[field]
    client = signed_in(app.test_client(), world.manager)
    before = _linked(app, cohort.id)
    response = post(client, f"/cohortes/{cohort.id}/groupes", {f"group-{course}": value})
    assert response.status_code == status
    if message:
        assert message in response.get_data(as_text=True)
    assert _linked(app, cohort.id) == before


def test_the_refusal_is_in_french(app, world, cohort, grouped_course, make_user):
    from app.accounts.models import Role

    manager = make_user(roles=[(Role.CYBERSITE_MANAGER, world.site)], language="fr")
    client = signed_in(app.test_client(), manager)
    response = client.post(f"/cohortes/{cohort.id}/groupes", data={
        "csrf_token": _token(client), f"group-{grouped_course}": "9"})  # fmt: skip
    assert response.status_code == 400
    assert "Choisissez un groupe de contenu que la formation déclare." in response.get_data(as_text=True)


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/cohortes")


def test_others_may_not_link_groups(app, world, cohort, grouped_course):
    for person in ("foreign_manager", "company_manager", "learner", "trainer"):
        client = signed_in(app.test_client(), getattr(world, person))
        response = post(client, f"/cohortes/{cohort.id}/groupes", {f"group-{grouped_course}": "1"})
        assert response.status_code in (403, 404), person
    assert _linked(app, cohort.id)[grouped_course] is None
