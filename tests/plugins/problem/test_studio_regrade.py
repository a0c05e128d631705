"""An author's edit that changes how a course grades (a problem's weight) brings every learner's roll-ups
up to date in the same transaction; an edit that changes no figure (a text) leaves them alone."""

from __future__ import annotations

from sqlalchemy import select

from app.core.extensions import db
from app.progress.models import CourseProgress, ProgressRollup
from tests.plugins.problem.conftest import RIGHT
from tests.plugins.problem.test_studio import GOOD


def _unit_points(app, course, learner):
    with app.app_context():
        row = db.session.execute(
            select(ProgressRollup.earned, ProgressRollup.possible, ProgressRollup.updated_at).where(
                ProgressRollup.user_id == learner.id,
                ProgressRollup.usage_id == course.usage("vertical", "u1"),
            )
        ).one()
        progress = db.session.scalar(
            select(CourseProgress).where(
                CourseProgress.user_id == learner.id, CourseProgress.course_key == course.course_key
            )
        )
        return row, progress.tree_id


def test_changing_a_problems_weight_rebuilds_the_learners_figures(
    app, quiz_course, enrolled, trainer, as_user
):
    learner = enrolled(quiz_course)
    client = as_user(learner, quiz_course, language="fr")
    client.page()
    assert client.call("problem", "quiz", "submit", RIGHT).status_code == 200
    (earned, possible, _), _ = _unit_points(app, quiz_course, learner)
    assert (earned, possible) == (10.0, 10.0)  # the problem's weight

    author = as_user(trainer, quiz_course)
    author.studio_page()
    xml = open_quiz_xml(app, quiz_course)
    response = author.studio_call("problem", "quiz", "studio_submit", {**GOOD, "data": xml, "weight": "4"})
    assert response.status_code == 200, response.get_data(as_text=True)

    (earned, possible, _), _ = _unit_points(app, quiz_course, learner)
    assert (earned, possible) == (4.0, 4.0)  # no `flask progress rebuild` needed


def test_editing_a_text_rebuilds_nothing(app, olx_course, enrolled, trainer, as_user):
    course = olx_course('<html url_name="h1"><p>Avant</p></html><html url_name="h2"><p>Autre</p></html>')
    learner = enrolled(course)
    as_user(learner, course).page()  # completes the texts: the learner has roll-ups
    (_, _, before), _ = _unit_points(app, course, learner)
    author = as_user(trainer, course)
    author.studio_page()
    response = author.studio_call("html", "h1", "studio_submit", {"data": "<p>Après</p>"})
    assert response.status_code == 200, response.get_data(as_text=True)
    (_, _, after), _ = _unit_points(app, course, learner)
    assert after == before


def open_quiz_xml(app, course):
    """The problem's stored XML (the editor sends it back with the settings)."""
    from app.runtime.models import StoredBlock

    with app.app_context():
        content = db.session.scalar(
            select(StoredBlock.content).where(
                StoredBlock.tree_id == course.tree_id, StoredBlock.usage_id == course.usage("problem", "quiz")
            )
        )
    return content["data"]
