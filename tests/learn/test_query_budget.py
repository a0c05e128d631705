"""Exact counters of the unit page: SQL statements whatever the unit's size, and no entry-point scans."""

from __future__ import annotations

import importlib.metadata
import json
from datetime import date

import pytest

from app.runtime import bridge
from app.runtime.registry import get_registry
from tests.conftest import sign_in
from tests.learn.conftest import EN, page_token
from tests.runtime.conftest import unit

# A view that only reads: the user and roles, the course and enrolment, the structure, the unit's fields,
# their stored values, the learner's completions (and transaction control, not counted).
BUDGET = 8
# A first view also records what it completed and keeps the learner's roll-ups up to date in the same
# transaction (their records read, containers and course upserted, the sequence settings of a course
# version this process has not seen yet, and a certificate when the view completes the course); on
# PostgreSQL, one more: the lock that serialises one learner's roll-ups in a course.
FIRST_VIEW_BUDGET = 13


@pytest.fixture
def fresh_disabled_types(app, monkeypatch):
    """The disabled block types read once, before counting (they are cached per process)."""
    monkeypatch.setattr(bridge, "DISABLED_TYPES_TTL", 3600.0)

    def refresh():
        with app.app_context():
            bridge.setup_for(app).refresh_disabled()

    return refresh


def test_the_unit_page_costs_the_same_few_statements_whatever_its_size(
    client, make_course, learner, enrol, count_statements, fresh_disabled_types
):
    counts = {}
    sign_in(client, learner.email)
    for size in (1, 50):
        course = make_course(unit(size), course_key=f"course-v1:Cybermassif+SIZE{size}+2026")
        enrol(learner, course)
        fresh_disabled_types()
        url = course.unit_url("unit1")
        response, statements = count_statements(lambda url=url: client.get(url, headers=EN))
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("<p>Bonjour</p>") == size
        counts[size] = len(statements)
        print(size, *statements, sep="\n")
        _, again = count_statements(lambda url=url: client.get(url, headers=EN))
        counts[f"{size} again"] = len(again)
    assert counts[1] == counts[50] <= FIRST_VIEW_BUDGET, counts
    assert counts["1 again"] == counts["50 again"] <= BUDGET, counts


def test_a_second_view_costs_no_more(
    client, make_course, learner, enrol, count_statements, fresh_disabled_types
):
    course = make_course(unit(10))
    enrol(learner, course)
    sign_in(client, learner.email)
    fresh_disabled_types()
    _, first = count_statements(lambda: client.get(course.unit_url("unit1"), headers=EN))
    _, second = count_statements(lambda: client.get(course.unit_url("unit1"), headers=EN))
    assert len(second) <= BUDGET < len(first) <= FIRST_VIEW_BUDGET


def test_rendering_and_handling_never_scan_entry_points(client, make_course, learner, enrol, monkeypatch):
    get_registry()  # built (and scanned) once per process, before any request
    course = make_course(
        (
            "course",
            "course",
            {},
            [
                (
                    "chapter",
                    "ch",
                    {},
                    [
                        (
                            "sequential",
                            "seq",
                            {},
                            [
                                (
                                    "vertical",
                                    "unit1",
                                    {},
                                    [
                                        ("html", "h", {"data": "<p>x</p>"}, []),
                                        ("testblock", "echo", {}, []),
                                        ("foo", "unknown", {}, []),
                                    ],
                                )
                            ],
                        )
                    ],
                )
            ],
        )
    )
    enrol(learner, course)
    sign_in(client, learner.email)
    client.get(course.unit_url("unit1"), headers=EN)  # first imports of block classes happen here
    token = page_token(client, course.unit_url("unit1"))

    calls = []
    original = importlib.metadata.entry_points

    def counting(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", counting)
    assert client.get(course.unit_url("unit1"), headers=EN).status_code == 200
    response = client.post(
        f"/xblock/{course.usage('testblock', 'echo')}/handler/echo",
        data=json.dumps({"a": 1}),
        content_type="application/json",
        headers={"X-CSRFToken": token, **EN},
    )
    assert response.status_code == 200
    assert client.get(course.home_url, headers=EN).status_code == 200
    assert calls == []


def test_a_handler_writes_its_block_changes_in_one_statement(
    client, make_course, learner, enrol, count_statements, fresh_disabled_types
):
    course = make_course(
        ("course", "c", {}, [("chapter", "ch", {}, [("sequential", "s", {}, [
            ("vertical", "unit1", {}, [("testblock", "echo", {}, [])])
        ])])])
    )  # fmt: skip
    enrol(learner, course)
    sign_in(client, learner.email)
    token = page_token(client, course.unit_url("unit1"))
    fresh_disabled_types()
    response, statements = count_statements(
        lambda: client.post(
            f"/xblock/{course.usage('testblock', 'echo')}/handler/echo",
            data=json.dumps({"last": "vidéo"}),
            content_type="application/json",
            headers={"X-CSRFToken": token, **EN},
        )
    )
    assert response.status_code == 200
    assert response.get_json()["count"] == 1
    # Three fields in two scopes (count and last: user_state; favourite: preferences): one upsert batch.
    writes = [s for s in statements if "xblock_field" in s and not s.lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1, writes


def _restricted_course(restricted: bool = True) -> tuple:
    """A course declaring content groups, with a unit for group 1, a staff-only one and a chapter of 2099
    (or the same course without any of these settings)."""
    partitions = json.dumps(
        [{"id": 50, "name": "G", "scheme": "cohort", "groups": [{"id": 1, "name": "Nord"}]}]
    )

    def kept(**attributes: str) -> dict:
        return {"xml_attributes": attributes} if restricted else {}

    text = {"data": "<p>x</p>"}
    return ("course", "c", kept(user_partitions=partitions), [
        ("chapter", "ch", {}, [("sequential", "s", {}, [
            ("vertical", "unit1", {}, [("testblock", "echo", {}, []), ("html", "h", text, [])]),
            ("vertical", "grouped", kept(group_access=json.dumps({"50": [1]})), [("html", "h2", text, [])]),
            ("vertical", "staff", kept(visible_to_staff_only="true"), []),
            ("vertical", "more", {}, [("html", "h4", {"data": "<p>x</p>"}, [])]),  # not seen: no certificate
        ])]),
        ("chapter", "later", kept(start="2099-01-01T00:00:00Z"), [("sequential", "s2", {}, [
            ("vertical", "future", {}, [("html", "h3", {"data": "<p>x</p>"}, [])]),
        ])]),
    ])  # fmt: skip


def test_visibility_rules_cost_no_statement(
    app, client, make_course, learner, enrol, count_statements, fresh_disabled_types
):
    """A course whose units are restricted (a content group, staff only, a future start) costs a learner of
    a cohort linked to a content group the same statements as the same course without restrictions, on
    the unit page (a first view recording progress included), the course page and a handler call; and a
    hidden unit is refused within the unit page's budget."""
    from app.cohorts.models import Cohort, CohortCourse
    from app.core.extensions import db
    from app.courses.models import Enrolment

    plain = make_course(_restricted_course(restricted=False), course_key="course-v1:Cybermassif+PLAIN+2026")
    restricted = make_course(_restricted_course(), course_key="course-v1:Cybermassif+RESTR+2026")
    enrol(learner, plain)
    with app.app_context():
        site = learner.roles[0].company.cybersite_id if learner.roles[0].company else None
        cohort = Cohort(
            cybersite_id=site, name="N", starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1), capacity=5
        )
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortCourse(cohort_id=cohort.id, course_id=restricted.course_id, content_group_id=1))
        db.session.add(Enrolment(user_id=learner.id, course_id=restricted.course_id, cohort_id=cohort.id))
        db.session.commit()
    sign_in(client, learner.email)
    counts = {}
    for name, course in (("plain", plain), ("restricted", restricted)):
        fresh_disabled_types()
        token = page_token(client, course.unit_url("unit1"))
        for page in ("unit1", "grouped"):
            response, statements = count_statements(
                lambda c=course, p=page: client.get(c.unit_url(p), headers=EN)
            )
            counts[(name, page)] = (response.status_code, len(statements))
        response, statements = count_statements(lambda c=course: client.get(c.home_url, headers=EN))
        counts[(name, "home")] = (response.status_code, len(statements))
        response, statements = count_statements(
            lambda c=course, t=token: client.post(
                f"/xblock/{c.usage('testblock', 'echo')}/handler/echo",
                data=json.dumps({"a": 1}),
                content_type="application/json",
                headers={"X-CSRFToken": t, **EN},
            )
        )
        counts[(name, "handler")] = (response.status_code, len(statements))
        for hidden in ("staff", "future"):
            response, statements = count_statements(
                lambda c=course, p=hidden: client.get(c.unit_url(p), headers=EN)
            )
            counts[(name, hidden)] = (response.status_code, len(statements))
    for page in ("unit1", "grouped", "home", "handler"):
        assert counts[("plain", page)][0] == counts[("restricted", page)][0] == 200, page
    assert counts[("restricted", "unit1")][1] <= BUDGET, counts
    assert counts[("restricted", "grouped")][1] <= FIRST_VIEW_BUDGET, counts
    for page in ("unit1", "grouped", "home", "handler"):
        assert counts[("plain", page)][1] == counts[("restricted", page)][1], (page, counts)
    for hidden in ("staff", "future"):
        assert counts[("plain", hidden)][0] == 200
        assert counts[("restricted", hidden)][0] == 404 and counts[("restricted", hidden)][1] <= BUDGET, (
            counts
        )
