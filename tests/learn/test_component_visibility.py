"""Visibility of components inside a unit every learner sees: a component's own ``group_access``,
``visible_to_staff_only`` or ``start`` hides it from learners on the unit page, in its handlers and in
progress, as Open edX's LMS does; course staff see it, marked (see ``app.courses.visibility``).

The unit holds, besides a text for everyone, a text for each content group, one for staff, one released
in 2099, and a third-party block (``testblock``: XBlock's own OLX reading, which keeps no attribute it
has no field for) restricted to the second group: the host gives it Open edX's visibility fields.
"""

from __future__ import annotations

import json
import re
import tarfile
from datetime import date
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

from app.accounts.models import Role
from app.cohorts.models import Cohort, CohortCourse, CohortMember
from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from app.courses.models import Enrolment
from app.progress.models import CourseProgress
from app.runtime.tree import forget_shared_trees
from tests.conftest import sign_in
from tests.learn.conftest import EN, page_token
from tests.learn.test_visibility import usage, write_course
from tests.plugins.video.conftest import in_browser, live_site, sign_in_page

__all__ = ["in_browser", "live_site"]

KEY = "course-v1:Cybermassif+COMPO+2026"
COURSE_XML = """<course display_name="Composants" language="fr">
  <chapter url_name="ch" display_name="Chapitre">
    <sequential url_name="seq" display_name="Séquence">
      <vertical url_name="u_mix" display_name="Unité mêlée">
        <html url_name="h_all"><p>Texte pour tous</p></html>
        <html url_name="h_nord" group_access='{{"50": [1]}}'><p>Texte du nord</p></html>
        <html url_name="h_sud" group_access='{{"50": [2]}}'><p>Texte du sud</p></html>
        <html url_name="h_staff" visible_to_staff_only="true"><p>Texte de l’équipe</p></html>
        <html url_name="h_later" start="2099-01-01T00:00:00Z"><p>Texte de plus tard</p></html>
        <testblock url_name="b_sud" group_access='{{"50": [2]}}'/>
        <testblock url_name="b_all"/>
      </vertical>
      <vertical url_name="u_texts" display_name="Unité de textes">
        <html url_name="t_nord" group_access='{{"50": [1]}}'><p>Lecture du nord</p></html>
        <html url_name="t_sud" group_access='{{"50": [2]}}'><p>Lecture du sud</p></html>
      </vertical>
      <vertical url_name="u_plain" display_name="Unité simple">
        <html url_name="h_plain"><p>Texte simple</p></html>
      </vertical>
    </sequential>
  </chapter>
</course>
"""
TEXTS = {
    "h_all": "Texte pour tous",
    "h_nord": "Texte du nord",
    "h_sud": "Texte du sud",
    "h_staff": "Texte de l’équipe",
    "h_later": "Texte de plus tard",
}


def unit_url(url_name: str) -> str:
    return f"/formations/{KEY}/unite/{usage('vertical', url_name, KEY)}"


def echo(client, url_name: str, token: str):
    return client.post(
        f"/xblock/{usage('testblock', url_name, KEY)}/handler/echo",
        data=json.dumps({"last": "x"}),
        headers={"X-CSRFToken": token, "Content-Type": "application/json", **EN},
    )


@pytest.fixture
def course(app, tmp_path):
    """The course, imported; returns its id."""
    with app.app_context():
        result = import_course(write_course(tmp_path / "compo", number="COMPO", xml=COURSE_XML), actor=None)
        db.session.commit()
        assert result.warnings == ()
        return result.course.id


@pytest.fixture
def people(app, course, make_cybersite, make_company, make_user):
    """A learner of each content group (through their cohorts), one of none, and a trainer."""
    site = make_cybersite()
    company = make_company(cybersite=site)
    found = {"trainer": make_user(roles=[(Role.TRAINER, site)], language="en")}
    for name in ("nord", "sud", "loner"):
        found[name] = make_user(roles=[(Role.LEARNER, company)], language="en")
    with app.app_context():
        for name, group in (("nord", 1), ("sud", 2), ("loner", None)):
            person = found[name]
            cohort_id = None
            if group is not None:
                cohort = Cohort(cybersite_id=site.id, name=name, starts_on=date(2026, 9, 1),
                                ends_on=date(2026, 12, 1), capacity=10)  # fmt: skip
                db.session.add(cohort)
                db.session.flush()
                cohort_id = cohort.id
                db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course, content_group_id=group))
                db.session.add(CohortMember(cohort_id=cohort.id, user_id=person.id, company_id=company.id))
            db.session.add(Enrolment(user_id=person.id, course_id=course, cohort_id=cohort_id))
        db.session.commit()
    return found


def _page(app, person) -> str:
    client = app.test_client()
    sign_in(client, person.email)
    response = client.get(unit_url("u_mix"), headers=EN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _seen(page: str) -> set[str]:
    return {name for name, text in TEXTS.items() if text in page}


def test_each_learner_sees_only_the_components_released_to_them(app, people):
    assert _seen(_page(app, people["nord"])) == {"h_all", "h_nord"}
    assert _seen(_page(app, people["sud"])) == {"h_all", "h_sud"}
    assert _seen(_page(app, people["loner"])) == {"h_all"}
    # The third-party block restricted to the south group: its wrapper is on the south learner's page only.
    south_block = usage("testblock", "b_sud", KEY)
    assert south_block in _page(app, people["sud"])
    assert south_block not in _page(app, people["nord"])
    assert usage("testblock", "b_all", KEY) in _page(app, people["nord"])


def test_a_page_seen_by_one_group_is_not_served_to_another(app, people):
    """A unit of texts only is rendered once and shared between learners when nothing in it depends on
    who looks; with restricted components it is rendered for each viewer (the south learner after the
    north one, in the same process, sees the south text and not the north one)."""
    for _ in range(2):
        north = _unit(app, people["nord"], "u_texts")
        south = _unit(app, people["sud"], "u_texts")
        assert "Lecture du nord" in north and "Lecture du sud" not in north
        assert "Lecture du sud" in south and "Lecture du nord" not in south
        assert "Texte simple" in _unit(app, people["nord"], "u_plain")


def _unit(app, person, url_name: str) -> str:
    client = app.test_client()
    sign_in(client, person.email)
    return client.get(unit_url(url_name), headers=EN).get_data(as_text=True)


def test_course_staff_see_every_component_marked(app, people):
    page = _page(app, people["trainer"])
    assert _seen(page) == set(TEXTS)
    assert page.count('class="visibility-marks"') == 5  # h_nord, h_sud, h_staff, h_later and b_sud
    assert "Group: Groupe Nord" in page and "Group: Groupe Sud" in page
    assert "Staff only" in page and "Released on" in page and "2099" in page


def test_handlers_of_hidden_components_are_refused_and_store_nothing(app, people):
    client = app.test_client()
    sign_in(client, people["nord"].email)
    token = page_token(client, unit_url("u_mix"))
    assert echo(client, "b_all", token).status_code == 200
    assert echo(client, "b_sud", token).status_code == 404
    south = app.test_client()
    sign_in(south, people["sud"].email)
    assert echo(south, "b_sud", page_token(south, unit_url("u_mix"))).status_code == 200
    fields = db.metadata.tables["xblock_field"]
    with app.app_context():
        stored = set(
            db.session.scalars(select(fields.c.scope_key).where(fields.c.user_id == people["nord"].id)).all()
        )
    assert usage("testblock", "b_sud", KEY) not in stored and usage("testblock", "b_all", KEY) in stored


def _progress(app, user_id: int) -> tuple[int, int]:
    with app.app_context():
        return tuple(
            db.session.execute(
                select(CourseProgress.completed, CourseProgress.total).where(
                    CourseProgress.user_id == user_id, CourseProgress.course_key == KEY
                )
            ).one()
        )


def test_progress_and_the_outline_count_only_the_components_a_learner_may_see(app, course, people):
    """The north learner has two texts to read in the mixed unit and the echo block for everyone
    (complete on a handler call), one text in the unit of texts and one in the plain unit: five; staff
    have ten (the south text and block, the staff text, the future text, the south reading). Once the
    north learner did their part, the course is complete for them and the outline marks every unit done;
    a rebuild of the figures agrees."""
    client = app.test_client()
    sign_in(client, people["nord"].email)
    client.get(unit_url("u_plain"), headers=EN)
    client.get(unit_url("u_texts"), headers=EN)
    token = page_token(client, unit_url("u_mix"))
    assert echo(client, "b_all", token).status_code == 200
    done, total = _progress(app, people["nord"].id)
    assert done == total == 5, (done, total)
    trainer = app.test_client()
    sign_in(trainer, people["trainer"].email)
    with app.app_context():
        db.session.add(Enrolment(user_id=people["trainer"].id, course_id=course))
        db.session.commit()
    trainer.get(unit_url("u_mix"), headers=EN)
    assert _progress(app, people["trainer"].id)[1] == 10
    outline = client.get(f"/formations/{KEY}", headers=EN).get_data(as_text=True)
    assert re.findall(r'<li class="complete">\s*<a [^>]*>([^<]+)</a>', outline) == [
        "Unité mêlée",
        "Unité de textes",
        "Unité simple",
    ]
    assert app.test_cli_runner().invoke(args=["progress", "rebuild", KEY]).exit_code == 0
    assert _progress(app, people["nord"].id) == (5, 5)
    assert _progress(app, people["trainer"].id)[1] == 10


def test_export_gives_the_components_visibility_back(app, people, tmp_path):
    archive = tmp_path / "out.tar.gz"
    with app.app_context():
        export_course(KEY, archive, actor=None)
    with tarfile.open(archive) as tar:
        names = {n.split("/", 1)[1]: n for n in tar.getnames() if "/" in n}
        read = lambda path: tar.extractfile(names[path]).read()  # noqa: E731
        html = etree.fromstring(read("html/h_nord.xml"))
        staff = etree.fromstring(read("html/h_staff.xml"))
        block = etree.fromstring(read("testblock/b_sud.xml"))
    assert json.loads(html.get("group_access")) == {"50": [1]}
    assert staff.get("visible_to_staff_only") == "true"
    assert json.loads(block.get("group_access")) == {"50": [2]}


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("group_access='nord'", "group_access: 'nord' is not a JSON object"),
        ('visible_to_staff_only="peut-être"', "visible_to_staff_only: 'peut-être' is not true or false"),
    ],
)
def test_a_component_whose_visibility_cannot_be_read_is_kept_hidden_with_a_warning(
    app, tmp_path, people, bad, expected
):
    """A component's settings are not the course's structure: the import keeps it and says so, and it is
    hidden from learners (not shown to every group) until corrected."""
    xml = COURSE_XML.replace("""group_access='{{"50": [1]}}'""", bad.replace("{", "{{").replace("}", "}}"))
    with app.app_context():
        result = import_course(write_course(tmp_path / "bad", number="COMPO", xml=xml), actor=None)
        db.session.commit()
        messages = [str(w) for w in result.warnings]
    forget_shared_trees()
    assert any(expected in m and "hidden from learners" in m and "h_nord" in m for m in messages), messages
    assert "Texte du nord" not in _page(app, people["nord"])
    assert "Texte du nord" in _page(app, people["trainer"])


def test_a_unit_with_restricted_components_costs_no_more_statements(app, people, count_statements):
    client = app.test_client()
    sign_in(client, people["nord"].email)
    counts = {}
    for url_name in ("u_texts", "u_plain"):  # texts only, restricted to groups or not
        client.get(unit_url(url_name), headers=EN)  # first views write their completions
        response, statements = count_statements(lambda u=url_name: client.get(unit_url(u), headers=EN))
        assert response.status_code == 200
        counts[url_name] = len(statements)
    assert counts["u_texts"] == counts["u_plain"] == 3, counts


@pytest.mark.browser
def test_in_chromium_a_learner_walks_only_what_is_released_to_them_and_staff_see_the_marks(
    app, people, in_browser
):
    """In the browser, as people reach it: the north learner's outline and sequence navigation offer the
    three units, each page shows only their components, with no error in the page; the trainer sees the
    restricted components marked."""

    def walk(email: str) -> Any:
        def scenario(page: Any) -> dict[str, Any]:
            sign_in_page(page, email)
            page.goto(f"/formations/{KEY}")
            units = page.locator("ol.outline-units li a").all_inner_texts()
            page.locator("ol.outline-units li a").first.click()
            texts = {}
            for _ in units:
                page.locator("main .vert-mod").wait_for()
                title = page.locator("main h1").inner_text()
                texts[title] = page.locator("main .vert-mod").inner_text()
                following = page.locator("a[rel=next]")
                if not following.count():
                    break
                following.first.click()
            page.goto(unit_url("u_mix"))
            marks = page.locator("main .vert-mod .visibility-marks").all_inner_texts()
            return {"units": units, "texts": texts, "marks": marks, "errors": page.errors}

        return in_browser(scenario)

    north = walk(people["nord"].email)
    assert north["units"] == ["Unité mêlée", "Unité de textes", "Unité simple"]
    assert north["errors"] == []
    mixed = north["texts"]["Unité mêlée"]
    assert "Texte pour tous" in mixed and "Texte du nord" in mixed
    assert not any(t in mixed for t in ("Texte du sud", "Texte de l’équipe", "Texte de plus tard"))
    assert "Lecture du nord" in north["texts"]["Unité de textes"]
    assert "Lecture du sud" not in north["texts"]["Unité de textes"]
    assert north["marks"] == []
    staff = walk(people["trainer"].email)
    assert staff["errors"] == []
    assert "Texte du sud" in staff["texts"]["Unité mêlée"]
    assert len(staff["marks"]) == 5 and any("Groupe Sud" in m for m in staff["marks"])
