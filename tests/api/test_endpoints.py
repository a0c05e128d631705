"""Every endpoint of /api/v1, through HTTP with a bearer token: own and foreign ids for every role,
tokens of each scope, bad bodies and queries, forged and stale cursors, and lists that agree with the
access policy row by row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from app.accounts.models import Company, Cybersite, User
from app.accounts.policy import Action, can
from app.api import pagination
from app.cohorts.models import Cohort, CohortMember
from app.core.extensions import db
from app.courses.models import Enrolment
from tests.api.conftest import snapshot

PROBLEM = "application/problem+json"
ROLES = ("admin", "manager", "foreign_manager", "company_manager", "learner", "trainer")


@dataclass
class Net:
    """The cohorts' world with one cohort in each Cybersite and a token per role."""

    world: object
    cohort: Cohort  # A's, accepting A1, with the learner
    foreign_cohort: Cohort  # B's, accepting B1, with the foreign learner
    tokens: dict[str, str]


@pytest.fixture
def net(world, make_cohort, token_for) -> Net:
    cohort = make_cohort(
        world.site,
        companies=[world.company],
        courses=[world.course],
        members=[(world.learner, world.company)],
    )
    foreign = make_cohort(
        world.other_site,
        companies=[world.foreign_company],
        courses=[world.course],
        members=[(world.foreign_learner, world.foreign_company)],
    )
    tokens = {role: token_for(getattr(world, role)) for role in ROLES}
    return Net(world, cohort, foreign, tokens)


def _expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


def _reads(n: Net) -> list[tuple[str, dict[str, int]]]:
    w = n.world
    return [
        (f"/people/{w.learner.id}", _expect(404, admin=200, manager=200, company_manager=200, learner=200)),
        (f"/people/{w.foreign_learner.id}", _expect(404, admin=200, foreign_manager=200)),
        (
            f"/companies/{w.company.id}",
            _expect(200, foreign_manager=404),
        ),
        (f"/companies/{w.foreign_company.id}", _expect(404, admin=200, foreign_manager=200)),
        (f"/cybersites/{w.site.id}", _expect(404, admin=200, manager=200, trainer=200)),
        (f"/cybersites/{w.other_site.id}", _expect(404, admin=200, foreign_manager=200)),
        (f"/cohorts/{n.cohort.id}", _expect(404, admin=200, manager=200, company_manager=200)),
        (f"/cohorts/{n.foreign_cohort.id}", _expect(404, admin=200, foreign_manager=200)),
        (f"/cohorts/{n.cohort.id}/members", _expect(404, admin=200, manager=200, company_manager=200)),
        (f"/cohorts/{n.foreign_cohort.id}/members", _expect(404, admin=200, foreign_manager=200)),
        (f"/courses/{w.course}", _expect(200)),
        (f"/courses/{2**40}", _expect(404)),
        (
            f"/progress/learners/{w.learner.id}",
            _expect(404, admin=200, manager=200, company_manager=200, learner=200),
        ),
        (f"/progress/learners/{w.foreign_learner.id}", _expect(404, admin=200, foreign_manager=200)),
        (
            f"/progress/companies/{w.company.id}",
            _expect(403, admin=200, manager=200, company_manager=200, foreign_manager=404),
        ),
        (f"/progress/companies/{w.foreign_company.id}", _expect(404, admin=200, foreign_manager=200)),
        (f"/progress/cohorts/{n.cohort.id}", _expect(404, admin=200, manager=200)),
        (f"/progress/cohorts/{n.foreign_cohort.id}", _expect(404, admin=200, foreign_manager=200)),
        (f"/progress/courses/{w.course}", _expect(200, company_manager=404, learner=404)),
        (
            f"/vista/companies/{w.company.id}/report",
            _expect(404, admin=200, manager=200, company_manager=200),
        ),
        (f"/vista/companies/{w.foreign_company.id}/report", _expect(404, admin=200, foreign_manager=200)),
        (f"/people/{2**40}", _expect(404)),
    ]


def test_every_read_endpoint_with_own_and_foreign_ids_for_every_role(net, api):
    failures = []
    for path, expected in _reads(net):
        for role, status in expected.items():
            response = api(net.tokens[role], "GET", path)
            if response.status_code != status:
                failures.append((path, role, response.status_code, status))
            if status != 200:
                assert response.mimetype == PROBLEM and response.json["status"] == status
    assert not failures


def test_foreign_rows_never_show_in_a_body_a_role_gets(net, api):
    """What B's people own never appears in what A's people read (and the reverse)."""
    w = net.world
    for path in ("/people", "/companies", "/cohorts", "/enrolments", "/cybersites"):
        for role in ("manager", "company_manager", "learner", "trainer"):
            text = api(net.tokens[role], "GET", path).get_data(as_text=True)
            assert "Porcelaine Leroy" not in text and "Olga Other" not in text and "Limousin" not in text
        text = api(net.tokens["foreign_manager"], "GET", path).get_data(as_text=True)
        assert "Fromagerie Dupont" not in text and w.learner.email not in text


def test_a_course_s_funnel_counts_only_the_viewer_s_cybersites(net, api):
    course = net.world.course
    assert api(net.tokens["manager"], "GET", f"/progress/courses/{course}").json["enrolled"] == 1
    assert api(net.tokens["admin"], "GET", f"/progress/courses/{course}").json["enrolled"] == 2


LISTS = {
    "/people": (User, Action.VIEW_USER),
    "/companies": (Company, Action.VIEW_COMPANY),
    "/cybersites": (Cybersite, Action.VIEW_CYBERSITE),
    "/cohorts": (Cohort, Action.VIEW_COHORT),
}


def test_each_list_shows_exactly_what_the_policy_allows_row_by_row(app, net, api):
    for path, (model, action) in LISTS.items():
        for role in ROLES:
            listed = {item["id"] for item in api(net.tokens[role], "GET", path + "?limit=1000").json["items"]}
            with app.app_context():
                user = db.session.get(User, getattr(net.world, role).id)
                allowed = {o.id for o in db.session.scalars(sa.select(model)) if can(user, action, o)}
            assert listed == allowed, (path, role)
    with app.app_context():
        every = list(db.session.scalars(sa.select(Enrolment)))
        for role in ROLES:
            user = db.session.get(User, getattr(net.world, role).id)
            allowed = {
                e.id
                for e in every
                if can(user, Action.VIEW_LEARNER_PROGRESS, db.session.get(User, e.user_id))
            }
            listed = {item["id"] for item in api(net.tokens[role], "GET", "/enrolments").json["items"]}
            assert listed == allowed, role


def test_filters_narrow_the_lists(net, api):
    w = net.world
    admin = net.tokens["admin"]
    companies = api(admin, "GET", f"/companies?cybersite_id={w.other_site.id}").json["items"]
    assert [c["legal_name"] for c in companies] == ["Porcelaine Leroy"]
    people = api(admin, "GET", f"/people?company_id={w.company.id}").json["items"]
    assert {p["id"] for p in people} == {w.company_manager.id, w.learner.id, w.colleague.id}
    enrolments = api(admin, "GET", f"/enrolments?cohort_id={net.foreign_cohort.id}").json["items"]
    assert [e["user_id"] for e in enrolments] == [w.foreign_learner.id]
    cohorts = api(admin, "GET", f"/cohorts?cybersite_id={w.site.id}&course_id={w.course}").json["items"]
    assert [c["id"] for c in cohorts] == [net.cohort.id]
    assert cohorts[0]["company_ids"] == [w.company.id] and cohorts[0]["course_ids"] == [w.course]
    sites = api(admin, "GET", "/cybersites?departement=87").json["items"]
    assert [s["name"] for s in sites] == ["Cybersite Limousin"]


# --- Writes -------------------------------------------------------------------------------------------


def test_a_cybersite_manager_and_a_company_manager_enrol_a_colleague(app, net, api):
    w = net.world
    for role, person in (("manager", w.colleague), ("company_manager", w.company_manager)):
        response = api(
            net.tokens[role],
            "POST",
            f"/cohorts/{net.cohort.id}/members",
            json={"user_id": person.id, "company_id": w.company.id},
        )
        assert response.status_code == 201, response.json
        assert response.json["user_id"] == person.id and response.json["cohort_id"] == net.cohort.id
    with app.app_context():
        enrolled = set(
            db.session.scalars(
                sa.select(Enrolment.user_id).where(
                    Enrolment.cohort_id == net.cohort.id, Enrolment.course_id == w.course
                )
            )
        )
    assert {w.colleague.id, w.company_manager.id, w.learner.id} == enrolled
    again = api(
        net.tokens["manager"],
        "POST",
        f"/cohorts/{net.cohort.id}/members",
        json={"user_id": w.colleague.id, "company_id": w.company.id},
    )
    assert again.status_code == 422 and again.mimetype == PROBLEM and again.json["code"] == "refused"


def test_refused_enrolments_change_nothing(app, net, api):
    w = net.world
    body = {"user_id": w.colleague.id, "company_id": w.company.id}
    cases = [
        # (role, cohort, body, status)
        ("learner", net.cohort.id, body, 404),
        ("trainer", net.cohort.id, body, 404),
        ("foreign_manager", net.cohort.id, body, 404),
        ("manager", net.foreign_cohort.id, body, 404),
        ("manager", net.cohort.id, {"user_id": w.foreign_learner.id, "company_id": w.company.id}, 404),
        ("manager", net.cohort.id, {"user_id": w.colleague.id, "company_id": w.foreign_company.id}, 404),
        ("manager", net.cohort.id, {"user_id": w.sister_learner.id, "company_id": w.sister.id}, 422),
        ("company_manager", net.cohort.id, {"user_id": w.sister_learner.id, "company_id": w.sister.id}, 404),
        ("manager", 2**40, body, 404),
        ("manager", net.cohort.id, {"user_id": 2**40, "company_id": w.company.id}, 404),
    ]
    before = snapshot(app)
    for role, cohort_id, data, status in cases:
        response = api(net.tokens[role], "POST", f"/cohorts/{cohort_id}/members", json=data)
        assert response.status_code == status, (role, cohort_id, data, response.json)
        assert response.mimetype == PROBLEM
    assert snapshot(app) == before


def test_a_full_cohort_refuses_one_more(app, world, make_cohort, token_for, api):
    cohort = make_cohort(
        world.site, companies=[world.company], capacity=1, members=[(world.learner, world.company)]
    )
    before = snapshot(app)
    response = api(
        token_for(world.manager),
        "POST",
        f"/cohorts/{cohort.id}/members",
        json={"user_id": world.colleague.id, "company_id": world.company.id},
    )
    assert response.status_code == 422 and "room" in response.json["detail"]
    assert snapshot(app) == before


def _new_cohort(site_id: int, **extra: object) -> dict[str, object]:
    return {
        "cybersite_id": site_id,
        "name": "Promotion printemps",
        "starts_on": "2027-03-01",
        "ends_on": "2027-06-30",
        "capacity": 12,
        **extra,
    }


def test_a_cybersite_manager_opens_a_cohort(app, net, api):
    w = net.world
    response = api(
        net.tokens["manager"], "POST", "/cohorts", json=_new_cohort(w.site.id, course_ids=[w.course])
    )
    assert response.status_code == 201, response.json
    assert response.json["course_ids"] == [w.course] and response.json["starts_on"] == "2027-03-01"
    with app.app_context():
        made = db.session.get(Cohort, response.json["id"])
        assert made.cybersite_id == w.site.id and made.starts_on == date(2027, 3, 1)


def test_refused_or_malformed_cohorts_change_nothing(app, net, api):
    w = net.world
    manager = net.tokens["manager"]
    cases = [
        ("foreign_manager", _new_cohort(w.site.id), 404, None),
        ("company_manager", _new_cohort(w.site.id), 404, None),
        ("trainer", _new_cohort(w.site.id), 403, None),
        ("manager", _new_cohort(w.other_site.id), 404, None),
        ("manager", _new_cohort(2**40), 404, None),
        ("manager", _new_cohort(w.site.id, capacity="12"), 422, "capacity"),
        ("manager", _new_cohort(w.site.id, capacity=0), 422, "capacity"),
        ("manager", _new_cohort(w.site.id, name="x" * 121), 422, "name"),
        ("manager", _new_cohort(w.site.id, starts_on="demain"), 422, "starts_on"),
        ("manager", _new_cohort(w.site.id, cybersite_id="1"), 422, "cybersite_id"),
        ("manager", _new_cohort(w.site.id, course_ids=[2**40]), 422, None),
        ("manager", _new_cohort(w.site.id, ends_on="2027-01-01"), 422, None),
        ("manager", _new_cohort(w.site.id, owner="me"), 422, "owner"),
        ("manager", [1, 2], 422, "_schema"),
        ("manager", {"name": "Sans site"}, 422, "cybersite_id"),
    ]
    before = snapshot(app)
    for role, data, status, field in cases:
        response = api(net.tokens[role], "POST", "/cohorts", json=data)
        assert response.status_code == status, (role, data, response.json)
        assert response.mimetype == PROBLEM
        if field is not None:
            assert field in response.json["errors"], response.json
    not_json = api(manager, "POST", "/cohorts", data="{not json", content_type="application/json")
    assert not_json.status_code == 400 and not_json.json["code"] == "invalid-json"
    form = api(manager, "POST", "/cohorts", data={"name": "x"})
    assert form.status_code == 415 and form.json["code"] == "unsupported-media-type"
    huge = api(manager, "POST", "/cohorts", json=_new_cohort(w.site.id, name="x" * 70000))
    assert huge.status_code in (413, 422)
    assert snapshot(app) == before


# --- Scopes -------------------------------------------------------------------------------------------


def test_a_token_of_each_scope_reaches_its_resources_only(net, token_for, api):
    w = net.world
    reads = {
        "people": f"/people/{w.learner.id}",
        "organisations": f"/companies/{w.company.id}",
        "cohorts": f"/cohorts/{net.cohort.id}",
        "courses": f"/courses/{w.course}",
        "progress": f"/progress/learners/{w.learner.id}",
        "vista": f"/vista/companies/{w.company.id}/report",
    }
    for resource in reads:
        token = token_for(w.manager, [f"{resource}:read"])
        for other, path in reads.items():
            response = api(token, "GET", path)
            wanted = 200 if other == resource else 403
            assert response.status_code == wanted, (resource, path, response.json)
            if wanted == 403:
                assert response.json["code"] == "insufficient-scope"
    enrol = {"user_id": w.colleague.id, "company_id": w.company.id}
    for scopes in (["read"], ["cohorts:read"], ["people:read", "progress:read"]):
        token = token_for(w.manager, scopes)
        response = api(token, "POST", f"/cohorts/{net.cohort.id}/members", json=enrol)
        assert response.status_code == 403 and response.json["code"] == "insufficient-scope", scopes
    writer = token_for(w.manager, ["cohorts:write"])
    assert api(writer, "GET", f"/cohorts/{net.cohort.id}").status_code == 200  # write implies read
    assert api(writer, "GET", f"/people/{w.learner.id}").status_code == 403
    assert api(writer, "POST", f"/cohorts/{net.cohort.id}/members", json=enrol).status_code == 201
    reader = token_for(w.manager, ["read"])
    assert all(api(reader, "GET", path).status_code == 200 for path in reads.values())


def test_a_scope_never_widens_the_policy(net, token_for, api):
    """A learner's write token enrols nobody: the token acts as its user."""
    w = net.world
    token = token_for(w.learner, ["write"])
    response = api(
        token,
        "POST",
        f"/cohorts/{net.cohort.id}/members",
        json={"user_id": w.colleague.id, "company_id": w.company.id},
    )
    assert response.status_code == 404


# --- Pages and cursors -----------------------------------------------------------------------------


def test_a_cursor_walks_the_whole_list_once(net, api):
    admin = net.tokens["admin"]
    seen, cursor, pages = [], None, 0
    while True:
        path = "/people?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = api(admin, "GET", path).json
        seen += [p["id"] for p in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    everyone = [p["id"] for p in api(admin, "GET", "/people?limit=1000").json["items"]]
    assert seen == everyone == sorted(everyone) and pages == -(-len(everyone) // 3)


def test_forged_foreign_and_stale_cursors_are_refused(net, api, monkeypatch):
    admin = net.tokens["admin"]
    cursor = api(admin, "GET", "/people?limit=2").json["next_cursor"]
    assert cursor
    forged = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    cases = {
        f"/people?limit=2&cursor={forged}": "invalid-cursor",
        "/people?limit=2&cursor=eyJhIjo5OTk5OX0": "invalid-cursor",
        f"/people?limit=2&active=true&cursor={cursor}": "stale-cursor",
        f"/companies?limit=2&cursor={cursor}": "stale-cursor",
        f"/people?limit=2&cursor={'x' * 600}": "invalid-query",
    }
    for path, code in cases.items():
        response = api(admin, "GET", path)
        assert response.status_code == 400 and response.mimetype == PROBLEM, path
        assert response.json["code"] == code, (path, response.json)
    monkeypatch.setattr(pagination, "MAX_AGE", -1)
    expired = api(admin, "GET", f"/people?limit=2&cursor={cursor}")
    assert expired.status_code == 400 and expired.json["code"] == "stale-cursor"


def test_bad_query_parameters_are_refused(net, api):
    admin = net.tokens["admin"]
    for query, field in (
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("company_id=abc", "company_id"),
        ("active=perhaps", "active"),
        ("colour=blue", "colour"),
        ("limit=2&limit=3", "limit"),
    ):
        response = api(admin, "GET", f"/people?{query}")
        assert response.status_code == 400 and response.json["code"] == "invalid-query", query
        assert field in response.json["errors"], (query, response.json)


def test_unknown_addresses_and_methods_under_the_api_answer_problems(net, api):
    admin = net.tokens["admin"]
    missing = api(admin, "GET", "/nothing-here")
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    wrong = api(admin, "DELETE", "/people")
    assert wrong.status_code == 405 and wrong.mimetype == PROBLEM and "GET" in wrong.headers["Allow"]


def test_a_french_client_reads_a_known_refusal_in_french(net, api):
    response = api(net.tokens["learner"], "GET", f"/progress/companies/{net.world.company.id}", lang="fr")
    assert response.status_code == 403
    assert response.json["detail"] == "Vous n'êtes pas autorisé à effectuer cette action."


# --- Statement budget ----------------------------------------------------------------------------


def _add_enrolments(app, cohort: Cohort, company: Company, course_id: int, count: int) -> None:
    with app.app_context():
        for n in range(count):
            person = User(email=f"bulk{count}-{n}@example.fr", display_name=f"Bulk {n}")
            db.session.add(person)
            db.session.flush()
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=person.id, company_id=company.id))
            db.session.add(Enrolment(user_id=person.id, course_id=course_id, cohort_id=cohort.id))
        db.session.commit()


def test_a_list_takes_the_same_statements_for_10_rows_as_for_200(
    app, world, make_cohort, token_for, api, count_statements
):
    cohort = make_cohort(world.site, companies=[world.company], courses=[world.course])
    token = token_for(world.admin, ["read"])
    api(token, "GET", "/enrolments")  # the token's first use is recorded once, outside the count
    counts = []
    for size in (10, 200):
        with app.app_context():
            db.session.execute(sa.delete(Enrolment))
            db.session.commit()
        _add_enrolments(app, cohort, world.company, world.course, size)
        for path in (
            "/enrolments?limit=1000",
            f"/cohorts/{cohort.id}/members?limit=1000",
            "/people?limit=1000",
        ):
            response, statements = count_statements(lambda p=path: api(token, "GET", p))
            assert response.status_code == 200
            counts.append((path, len(statements)))
        assert len(api(token, "GET", "/enrolments?limit=1000").json["items"]) == size
    assert counts[:3] == counts[3:], counts
