"""The editor of both assignments: the form shows the OLX settings; a save is checked whole (every problem
named, nothing changed) and, once right, is what learners see next and what export writes."""

from __future__ import annotations

import tarfile

import pytest
from lxml import etree

from app.courses.exporting import export_course
from tests.plugins.staff_graded.conftest import state

SGA_EDIT = {
    "display_name": "Plan de reprise",
    "points": "30",
    "weight": "",
    "showanswer": "always",
    "solution": "<p>Trois copies.</p>",
}


def _exported(app, course, tmp_path, path):
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        return etree.fromstring(tar.extractfile(path).read())


def test_the_editor_shows_the_settings(course, trainer, as_user):
    page = as_user(trainer, course).studio_page()
    assert 'name="points" type="number" min="1" max="10000" step="1" required value="20"' in page
    assert '<option value="finished" selected>Une fois noté (finished)</option>' in page
    assert "Réalisez l’audit **avec** votre formateur." in page  # the Markdown, as written


def test_an_author_edits_an_assignment_and_export_follows(
    app, course, trainer, site_learner, as_user, tmp_path
):
    author = as_user(trainer, course)
    author.studio_page()
    response = author.studio_call("edx_sga", "sga", "studio_submit", SGA_EDIT)
    assert response.status_code == 200, response.get_data(as_text=True)
    element = _exported(app, course, tmp_path, "PLG-2026/edx_sga/sga.xml")
    assert element.get("display_name") == "Plan de reprise" and element.get("points") == "30"
    assert element.get("weight") is None and element.get("showanswer") == "always"
    assert element.get("solution") == "<p>Trois copies.</p>"
    page = as_user(site_learner, course).page()
    assert "Plan de reprise" in page and "<p>Trois copies.</p>" in page  # shown always, before any work

    edited = author.studio_call(
        "staffgradedxblock",
        "sgp",
        "studio_submit",
        {"display_name": "", "weight": "12,5", "instructions": ""},
    )
    assert edited.status_code == 200
    element = _exported(app, course, tmp_path, "PLG-2026/staffgradedxblock/sgp.xml")
    assert element.get("weight") == "12.5" and element.get("instructions") == ""
    assert element.get("display_name") is None


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"points": "beaucoup"}, ["Le score maximal doit être un nombre entier de 1 à 10000."]),
        (
            {"points": "0", "weight": "-1"},
            ["Le score maximal doit être", "Le poids doit être un nombre de 0 à 1000."],
        ),
        ({"showanswer": "demain"}, ["Choisissez dans la liste quand la solution est montrée."]),
        ({"display_name": "x" * 300}, ["Le titre dépasse 255 caractères."]),
        ({"solution": "x" * 50_001}, ["Un texte dépasse 50000 caractères."]),
    ],
)
def test_a_bad_form_changes_nothing(app, course, trainer, as_user, tmp_path, changes, messages):
    author = as_user(trainer, course)
    author.studio_page()
    response = author.studio_call("edx_sga", "sga", "studio_submit", {**SGA_EDIT, **changes})
    assert response.status_code == 400
    errors = response.json["error"].split("\n")
    for message in messages:
        assert any(message in error for error in errors), errors
    element = _exported(app, course, tmp_path, "PLG-2026/edx_sga/sga.xml")
    assert element.get("display_name") == "Plan de sauvegarde" and element.get("points") == "20"


def test_a_weight_is_required_for_staff_graded_points(app, course, trainer, as_user):
    author = as_user(trainer, course)
    author.studio_page()
    response = author.studio_call("staffgradedxblock", "sgp", "studio_submit", {"weight": ""})
    assert (
        response.status_code == 400 and "Le poids doit être un nombre de 0 à 1000." in response.json["error"]
    )


def test_a_learner_cannot_edit(app, course, site_learner, as_user):
    learner = as_user(site_learner, course)
    response = learner.call("edx_sga", "sga", "studio_submit", SGA_EDIT)
    assert response.status_code == 403
    assert state(app, site_learner, course) == {}
    assert "Plan de sauvegarde" in learner.page()
