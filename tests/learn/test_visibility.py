"""Visibility and scheduling: what learners and course staff see of a course imported from OLX with a
chapter opening in 2099, a staff-only unit, a sequence hidden after its past due date and two units of
two content groups (see ``app.courses.visibility``)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.accounts.models import Role
from app.cohorts.models import Cohort, CohortCourse, CohortMember
from app.core.extensions import db
from app.courses.importing import ImportFailed, import_course
from app.courses.models import Course, Enrolment
from app.progress.models import CourseProgress
from app.runtime.keys import CourseKey, usage_key_for
from app.runtime.models import StoredBlock
from app.runtime.tree import forget_shared_trees
from tests.conftest import csrf_token, sign_in
from tests.learn.conftest import EN, page_token

KEY = "course-v1:Cybermassif+VISI+2026"
PARTITIONS = [
    {
        "id": 50,
        "name": "Content Groups",
        "scheme": "cohort",
        "version": 3,
        "groups": [{"id": 1, "name": "Groupe Nord"}, {"id": 2, "name": "Groupe Sud"}],
    }
]
COURSE_XML = """<course display_name="Visibilité" language="fr"{extra}>
  <chapter url_name="open" display_name="Ouvert">
    <sequential url_name="seq_open" display_name="Séquence ouverte">
      <vertical url_name="u_open" display_name="Pour tous"><testblock url_name="b_open"/></vertical>
      <vertical url_name="u_staff" display_name="Réservé" visible_to_staff_only="true">
        <testblock url_name="b_staff"/></vertical>
      <vertical url_name="u_g1" display_name="Unité nord" group_access='{{"50": [1]}}'>
        <testblock url_name="b_g1"/></vertical>
      <vertical url_name="u_g2" display_name="Unité sud" group_access='{{"50": [2]}}'>
        <testblock url_name="b_g2"/></vertical>
    </sequential>
    <sequential url_name="seq_due" display_name="Échue" hide_after_due="true" due="2020-01-01T00:00:00Z">
      <vertical url_name="u_due" display_name="Après échéance"><testblock url_name="b_due"/></vertical>
    </sequential>
  </chapter>
  <chapter url_name="future" display_name="Chapitre futur" start="2099-01-01T00:00:00Z">
    <sequential url_name="seq_future" display_name="Plus tard">
      <vertical url_name="u_future" display_name="Unité future"><testblock url_name="b_future"/></vertical>
    </sequential>
  </chapter>
</course>
"""
# Each unit also holds a text: progress counts two blocks a unit, both complete once the unit is seen.
COURSE_XML = re.sub(
    r'<testblock url_name="b_(\w+)"/>',
    r'<testblock url_name="b_\1"/><html url_name="h_\1"><p>\1</p></html>',
    COURSE_XML,
)
HIDDEN = ("u_staff", "u_g2", "u_due", "u_future")  # from a learner of group 1
TITLES = {"u_staff": "Réservé", "u_g1": "Unité nord", "u_g2": "Unité sud", "u_due": "Après échéance",
          "u_future": "Unité future"}  # fmt: skip


def write_course(root: Path, *, number: str = "VISI", extra: str = "", policy: dict | None = None,
                 xml: str = COURSE_XML) -> Path:  # fmt: skip
    """An OLX folder of the test course."""
    (root / "course").mkdir(parents=True)
    (root / "policies" / "2026").mkdir(parents=True)
    (root / "course.xml").write_text(f'<course url_name="2026" org="Cybermassif" course="{number}"/>')
    (root / "course" / "2026.xml").write_text(xml.format(extra=extra), encoding="utf-8")
    entry = {"user_partitions": PARTITIONS} if policy is None else policy
    (root / "policies" / "2026" / "policy.json").write_text(json.dumps({"course/2026": entry}))
    return root


def usage(block_type: str, url_name: str, key: str = KEY) -> str:
    return str(usage_key_for(CourseKey.from_string(key), block_type, url_name))


def unit_url(url_name: str, key: str = KEY) -> str:
    return f"/formations/{key}/unite/{usage('vertical', url_name, key)}"


@pytest.fixture
def course(app, tmp_path):
    """The test course, imported; returns its id."""
    with app.app_context():
        result = import_course(write_course(tmp_path / "visi"), actor=None)
        db.session.commit()
        return result.course.id


@pytest.fixture
def people(app, course, make_cybersite, make_company, make_user):
    """A learner of a cohort linked to group 1, a learner outside any cohort, a trainer."""
    site = make_cybersite()
    company = make_company(cybersite=site)
    north = make_user(roles=[(Role.LEARNER, company)], language="en")
    loner = make_user(roles=[(Role.LEARNER, company)], language="en")
    trainer = make_user(roles=[(Role.TRAINER, site)], language="en")
    with app.app_context():
        cohort = Cohort(cybersite_id=site.id, name="Nord", starts_on=date(2026, 9, 1),
                        ends_on=date(2026, 12, 1), capacity=10)  # fmt: skip
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course, content_group_id=1))
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=north.id, company_id=company.id))
        db.session.add(Enrolment(user_id=north.id, course_id=course, cohort_id=cohort.id))
        db.session.add(Enrolment(user_id=loner.id, course_id=course))
        db.session.commit()
    return {"north": north, "loner": loner, "trainer": trainer, "course": course}


def handler(client, url_name: str, token: str):
    return client.post(
        f"/xblock/{usage('testblock', url_name)}/handler/echo",
        data=json.dumps({"last": "x"}),
        headers={"X-CSRFToken": token, "Content-Type": "application/json", **EN},
    )


def test_a_learner_of_group_one_sees_only_what_is_released_to_them(client, people):
    sign_in(client, people["north"].email)
    outline = client.get(f"/formations/{KEY}", headers=EN).get_data(as_text=True)
    assert "Pour tous" in outline and "Unité nord" in outline
    for url_name in HIDDEN:
        assert TITLES[url_name] not in outline, url_name
        assert client.get(unit_url(url_name), headers=EN).status_code == 404, url_name
    assert "Chapitre futur" not in outline and "Échue" not in outline
    assert "Staff only" not in outline
    page = client.get(unit_url("u_g1"), headers=EN)
    assert page.status_code == 200
    # The navigation of the sequence names only the units the learner sees.
    navigation = page.get_data(as_text=True)
    assert "Pour tous" in navigation and "Unité sud" not in navigation and "Réservé" not in navigation


def test_handlers_of_hidden_blocks_are_refused(client, app, people):
    sign_in(client, people["north"].email)
    token = page_token(client, unit_url("u_open"))
    assert handler(client, "b_open", token).status_code == 200
    assert handler(client, "b_g1", token).status_code == 200
    for url_name in ("b_staff", "b_g2", "b_due", "b_future"):
        assert handler(client, url_name, token).status_code == 404, url_name
    with app.app_context():
        stored = db.session.scalars(
            select(db.metadata.tables["xblock_field"].c.scope_key).where(
                db.metadata.tables["xblock_field"].c.user_id == people["north"].id
            )
        ).all()
    # Preferences are kept per block type; learner state only for the blocks the learner may see.
    assert set(stored) - {"testblock"} == {usage("testblock", "b_open"), usage("testblock", "b_g1")}


def test_a_learner_outside_any_group_sees_neither_group(client, people):
    sign_in(client, people["loner"].email)
    outline = client.get(f"/formations/{KEY}", headers=EN).get_data(as_text=True)
    assert "Unité nord" not in outline and "Unité sud" not in outline and "Pour tous" in outline
    assert client.get(unit_url("u_g1"), headers=EN).status_code == 404
    assert client.get(unit_url("u_open"), headers=EN).status_code == 200


def test_course_staff_see_everything_marked(client, people):
    sign_in(client, people["trainer"].email)
    outline = client.get(f"/formations/{KEY}", headers=EN).get_data(as_text=True)
    for url_name, title in TITLES.items():
        assert title in outline, url_name
    assert "Staff only" in outline
    assert "Released on" in outline and "2099" in outline
    assert "Hidden after due date" in outline
    assert "Group: Groupe Nord" in outline and "Group: Groupe Sud" in outline
    for url_name in (*HIDDEN, "u_g1"):
        assert client.get(unit_url(url_name), headers=EN).status_code == 200, url_name
    staff_page = client.get(unit_url("u_staff"), headers=EN).get_data(as_text=True)
    assert 'data-mark="staff_only"' in staff_page
    assert "Released on" in client.get(unit_url("u_future"), headers=EN).get_data(as_text=True)
    token = page_token(client, unit_url("u_staff"))
    assert handler(client, "b_staff", token).status_code == 200


def test_the_marks_are_in_french(client, people, make_user):
    trainer = make_user(roles=[(Role.TRAINER, people["trainer"].roles[0].cybersite)], language="fr")
    sign_in(client, trainer.email)
    outline = client.get(f"/formations/{KEY}").get_data(as_text=True)
    assert "Réservé à l’équipe" in outline and "Masqué après l’échéance" in outline
    assert "Groupe : Groupe Nord" in outline and "Publié le" in outline


def test_once_its_start_has_passed_the_chapter_is_seen(client, app, people):
    sign_in(client, people["north"].email)
    assert client.get(unit_url("u_future"), headers=EN).status_code == 404
    _release_the_future_chapter(app)
    assert client.get(unit_url("u_future"), headers=EN).status_code == 200
    assert "Unité future" in client.get(f"/formations/{KEY}", headers=EN).get_data(as_text=True)


def _release_the_future_chapter(app) -> None:
    """Move the stored start of the 2099 chapter into the past (a new version of the course for pages)."""
    with app.app_context():
        block = db.session.scalar(
            select(StoredBlock).where(StoredBlock.usage_id == usage("chapter", "future"))
        )
        settings = dict(block.settings)
        settings["xml_attributes"] = {**settings["xml_attributes"], "start": "2020-01-01T00:00:00Z"}
        block.settings = settings
        db.session.execute(update(Course).where(Course.course_key == KEY).values(title="Visibilité"))
        db.session.commit()
    forget_shared_trees()


def test_a_course_that_has_not_started_shows_its_presentation_and_no_units(client, app, tmp_path, make_user,
                                                                            make_company):  # fmt: skip
    key = "course-v1:Cybermassif+LATER+2026"
    with app.app_context():
        import_course(write_course(tmp_path / "later", number="LATER", extra=' start="2099-09-01T08:00:00Z"'),
                      actor=None)  # fmt: skip
        db.session.commit()
    learner = make_user(roles=[(Role.LEARNER, make_company())], language="en")
    sign_in(client, learner.email)
    token = csrf_token(client, "/formations")
    assert client.post(f"/formations/{key}/inscription", data={"csrf_token": token}).status_code == 302
    page = client.get(f"/formations/{key}", headers=EN)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "This course starts on" in text and "2099" in text
    assert "Pour tous" not in text and "Start the course" not in text
    assert client.get(unit_url("u_open", key), headers=EN).status_code == 404


def test_a_course_without_invitation_only_accepts_self_enrolment(
    client, app, course, make_user, make_company
):
    learner = make_user(roles=[(Role.LEARNER, make_company())], language="en")
    sign_in(client, learner.email)
    assert f'action="/formations/{KEY}/inscription"' in client.get("/formations", headers=EN).get_data(
        as_text=True
    )
    response = client.post(
        f"/formations/{KEY}/inscription", data={"csrf_token": csrf_token(client, "/formations")}
    )
    assert response.status_code == 302
    assert client.get(unit_url("u_open"), headers=EN).status_code == 200


def test_an_invitation_only_course_refuses_self_enrolment(app, tmp_path, make_user, make_company):
    key = "course-v1:Cybermassif+INVIT+2026"
    with app.app_context():
        import_course(
            write_course(tmp_path / "invit", number="INVIT", extra=' invitation_only="true"'), actor=None
        )
        db.session.commit()
        assert db.session.scalar(select(Course.open_enrolment).where(Course.course_key == key)) is False
    company = make_company()
    for language, message in (
        ("en", "This course is by invitation only"),
        ("fr", "Cette formation est sur invitation"),
    ):
        learner = make_user(roles=[(Role.LEARNER, company)], language=language)
        client = app.test_client()
        sign_in(client, learner.email)
        assert f"/formations/{key}/inscription" not in client.get("/formations").get_data(as_text=True)
        token = csrf_token(client, "/formations")
        response = client.post(f"/formations/{key}/inscription", data={"csrf_token": token})
        assert response.status_code == 403
        assert message in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalars(select(Enrolment).where(Enrolment.user_id == learner.id)).all() == []


@pytest.mark.parametrize(
    ("extra_xml", "policy", "expected"),
    [
        (' start="demain"', None, "course/2026: start: 'demain' is not an ISO 8601 date"),
        ("", {"user_partitions": "nord"}, "user_partitions: expected a list of partitions"),
    ],
)
def test_malformed_visibility_settings_refuse_the_import(app, tmp_path, extra_xml, policy, expected):
    with app.app_context():
        with pytest.raises(ImportFailed) as refused:
            import_course(
                write_course(tmp_path / "bad", number="BAD", extra=extra_xml, policy=policy), actor=None
            )
        assert any(expected in str(p) for p in refused.value.problems), refused.value.problems
        assert db.session.scalar(select(Course).where(Course.course_key.like("%BAD%"))) is None


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("group_access='nord'", "vertical/u_g1: group_access: 'nord' is not a JSON object"),
        ('group_access=\'{"50": ["un"]}\'', "the groups of partition 50 are not a list of group ids"),
        ('visible_to_staff_only="peut-être"', "visible_to_staff_only: 'peut-être' is not true or false"),
    ],
)
def test_malformed_unit_settings_refuse_the_import(app, tmp_path, bad, expected):
    xml = COURSE_XML.replace("""group_access='{{"50": [1]}}'""", bad.replace("{", "{{").replace("}", "}}"))
    with app.app_context():
        with pytest.raises(ImportFailed) as refused:
            import_course(write_course(tmp_path / "bad", number="BAD", xml=xml), actor=None)
        assert any(expected in str(p) for p in refused.value.problems), refused.value.problems


def _progress(app, user_id: int) -> tuple[int, int]:
    with app.app_context():
        row = db.session.execute(
            select(CourseProgress.completed, CourseProgress.total).where(
                CourseProgress.user_id == user_id, CourseProgress.course_key == KEY
            )
        ).one()
        return tuple(row)


def test_progress_counts_only_what_the_learner_may_see(client, app, people):
    """Not released, staff only and another group's units count neither for nor against the learner; the
    sequence hidden after its due date still counts (as Open edX's grades and completion)."""
    sign_in(client, people["north"].email)
    assert client.get(unit_url("u_open"), headers=EN).status_code == 200
    assert _progress(app, people["north"].id) == (2, 6)  # u_open, u_g1 and u_due: two blocks each
    page = client.get("/progression/", headers=EN).get_data(as_text=True)
    assert "Ouvert" in page and "Chapitre futur" not in page
    loner = app.test_client()
    sign_in(loner, people["loner"].email)
    loner.get(unit_url("u_open"), headers=EN)
    assert _progress(app, people["loner"].id) == (2, 4)  # u_open and u_due
    trainer = app.test_client()
    sign_in(trainer, people["trainer"].email)
    with app.app_context():
        db.session.add(Enrolment(user_id=people["trainer"].id, course_id=people["course"]))
        db.session.commit()
    trainer.get(unit_url("u_open"), headers=EN)
    assert _progress(app, people["trainer"].id) == (2, 12)  # course staff: every unit
    # Recomputing the whole course gives the same figures.
    assert app.test_cli_runner().invoke(args=["progress", "rebuild", KEY]).exit_code == 0
    assert _progress(app, people["north"].id) == (2, 6)
    assert _progress(app, people["loner"].id) == (2, 4)
    assert _progress(app, people["trainer"].id) == (2, 12)


def test_progress_counts_a_chapter_once_it_is_released(client, app, people):
    sign_in(client, people["north"].email)
    client.get(unit_url("u_open"), headers=EN)
    assert _progress(app, people["north"].id) == (2, 6)
    _release_the_future_chapter(app)
    assert client.get(unit_url("u_future"), headers=EN).status_code == 200
    assert _progress(app, people["north"].id) == (4, 8)


def test_my_progress_costs_no_more_statements_for_a_restricted_course(
    app, people, make_course, make_user, count_statements
):
    from tests.runtime.conftest import unit

    plain = make_course(unit(2), course_key="course-v1:Cybermassif+PLAINP+2026")
    other = make_user(roles=[(Role.LEARNER, people["north"].roles[0].company)], language="en")
    with app.app_context():
        db.session.add(Enrolment(user_id=other.id, course_id=plain.course_id))
        db.session.commit()
    counts = {}
    for name, person in (("restricted", people["north"]), ("plain", other)):
        client = app.test_client()
        sign_in(client, person.email)
        client.get("/progression/", headers=EN)
        response, statements = count_statements(lambda c=client: c.get("/progression/", headers=EN))
        assert response.status_code == 200
        counts[name] = len(statements)
    assert counts["restricted"] == counts["plain"], counts
