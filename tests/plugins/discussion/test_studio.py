"""The forum's editor: course staff change its name, category, subject and who reads the threads through
``studio_submit`` on the studio's endpoint; a bad value is refused with a message and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import Course
from app.runtime.models import StoredBlock

VALID = {
    "display_name": "Forum renommé",
    "discussion_category": "Chapitre 2",
    "discussion_target": "Entraide",
    "visibility": "course",
}


def _settings(app, course) -> dict:
    with app.app_context():
        tree_id = db.session.get(Course, course.course_id).published_tree_id
        return db.session.scalar(
            select(StoredBlock.settings).where(
                StoredBlock.tree_id == tree_id, StoredBlock.usage_id == course.usage("discussion", "f1")
            )
        )


def test_the_editor_shows_the_forums_settings(forum_course, trainer, as_user):
    page = as_user(trainer, forum_course).studio_page()
    assert "cm-forum-studio" in page and 'value="Forum du chapitre 1"' in page
    assert 'value="Chapitre 1"' in page and 'value="Questions et retours"' in page
    assert 'value="cohort" checked' in page and "ch1-forum" in page
    assert "discussion-studio.js" in page


def test_course_staff_save_the_settings_and_learners_see_them(
    app, forum_course, trainer, learner_in, as_user
):
    staff = as_user(trainer, forum_course)
    staff.studio_page()
    response = staff.studio_call(
        "discussion", "f1", "studio_submit", {**VALID, "display_name": "  Forum   renommé "}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"result": "success"}
    settings = _settings(app, forum_course)
    assert {name: settings[name] for name in VALID} == VALID
    assert settings["discussion_id"] == "ch1-forum"  # the key threads are filed under never changes
    page = as_user(learner_in(forum_course), forum_course).page()
    assert "Forum renommé" in page and "Tous les inscrits à la formation" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"display_name": "   "}, "Donnez un nom au forum."),
        ({"visibility": "everyone"}, "Choisissez qui voit les sujets : la promotion, ou toute la formation."),
        ({"discussion_target": "x" * 256}, "Chaque champ accepte 255 caractères au plus."),
        ({"discussion_category": None}, "La requête est mal formée : rechargez la page et réessayez."),
        ({"visibility": ["course"]}, "La requête est mal formée : rechargez la page et réessayez."),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(app, forum_course, trainer, as_user, change, message):
    staff = as_user(trainer, forum_course)
    staff.studio_page()
    before = _settings(app, forum_course)
    response = staff.studio_call("discussion", "f1", "studio_submit", {**VALID, **change})
    assert (response.status_code, response.get_json()) == (400, {"error": message})
    assert _settings(app, forum_course) == before


def test_learners_cannot_change_the_settings(app, forum_course, learner_in, as_user):
    client = as_user(learner_in(forum_course), forum_course)
    client.page()
    before = _settings(app, forum_course)
    assert client.studio_call("discussion", "f1", "studio_submit", VALID).status_code == 403
    # Through the learners' endpoint, settings are read-only.
    assert client.call("discussion", "f1", "studio_submit", VALID).status_code == 400
    assert _settings(app, forum_course) == before
