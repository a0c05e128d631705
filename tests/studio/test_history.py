"""A course's history in the studio: its imports and the components saved through their editors, who and
when, newest first, paginated; only course staff read it; a failed save records nothing."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.extensions import db
from app.courses import history
from app.courses.models import CourseChange
from tests.plugins.conftest import BlockClient, OlxCourse
from tests.studio.test_studio import UNIT


def _changes(app: Flask, course: OlxCourse) -> list[tuple[str, str | None, int]]:
    with app.app_context():
        return [
            (c.kind, c.actor_name, c.blocks)
            for c in db.session.scalars(
                select(CourseChange)
                .where(CourseChange.course_id == course.course_id)
                .order_by(CourseChange.id)
            )
        ]


def _english(app: Flask, user: User) -> None:
    with app.app_context():
        db.session.get(User, user.id).language = "en"
        db.session.commit()


def _url(course: OlxCourse, page: int | None = None) -> str:
    return f"/studio/formations/{course.course_key}/historique" + (f"?page={page}" if page else "")


def test_an_import_and_a_saved_edit_are_in_the_history_newest_first(
    app: Flask, olx_course: Callable[..., OlxCourse], trainer: User, as_user: Callable[..., BlockClient]
):
    course = olx_course(UNIT)
    assert [kind for kind, _, _ in _changes(app, course)] == ["imported"]
    _english(app, trainer)
    author = as_user(trainer, course)
    author.studio_page()
    saved = author.studio_call(
        "editable", "e1", "studio_submit", {"text": "Après", "display_name": "Consignes"}
    )
    assert saved.status_code == 200
    assert _changes(app, course)[-1] == ("edited", trainer.display_name, 1)

    page = author.client.get(_url(course))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 changes, the newest first." in html
    edited, imported = html.index("1 component saved:"), html.index("New version imported")
    assert edited < imported and "Consignes" in html and trainer.display_name in html
    assert "command line" in html  # the test's import has no author
    outline = author.client.get(f"/studio/formations/{course.course_key}").get_data(as_text=True)
    assert _url(course) in outline


def test_the_history_is_in_french(
    app: Flask, olx_course: Callable[..., OlxCourse], trainer: User, as_user: Callable[..., BlockClient]
):
    course = olx_course(UNIT)
    with app.app_context():
        db.session.get(User, trainer.id).language = "fr"
        db.session.commit()
    response = as_user(trainer, course).client.get(_url(course))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Historique de" in html and "Nouvelle version importée (6 blocs)." in html
    assert "1 modification, la plus récente d’abord." in html


def test_a_refused_save_records_nothing(
    app: Flask, olx_course: Callable[..., OlxCourse], trainer: User, as_user: Callable[..., BlockClient]
):
    course = olx_course(UNIT)
    author = as_user(trainer, course)
    author.studio_page()
    assert author.studio_call("editable", "e1", "studio_submit", {"text": "x" * 101}).status_code == 400
    assert author.studio_call("editable", "e1", "studio_submit", {"text": "Avant"}).status_code == 200
    assert [kind for kind, _, _ in _changes(app, course)] == ["imported"]  # nothing changed: nothing noted


def test_learners_and_visitors_may_not_read_the_history(
    app: Flask, olx_course: Callable[..., OlxCourse], enrolled: Callable[..., User], as_user
):
    course = olx_course(UNIT)
    assert as_user(enrolled(course), course).client.get(_url(course)).status_code == 403
    visitor = app.test_client().get(_url(course))
    assert visitor.status_code == 302 and "/compte/connexion" in visitor.headers["Location"]
    assert as_user(enrolled(course), course).client.get(
        "/studio/formations/course-v1:Nobody+X+1/historique"
    ).status_code in (403, 404)


def test_pages_of_history_cost_the_same_statements_however_long_it_is(
    app: Flask,
    olx_course: Callable[..., OlxCourse],
    trainer: User,
    as_user: Callable[..., BlockClient],
    count_statements,
):
    course = olx_course(UNIT)
    _english(app, trainer)
    author = as_user(trainer, course)
    author.client.get(_url(course))  # the session and the process warmed up

    def add(count: int) -> None:
        with app.app_context():
            user = db.session.get(User, trainer.id)
            from app.courses.models import Course

            found = db.session.get(Course, course.course_id)
            for _ in range(count):
                history.record_import(found, user, 3)
            db.session.commit()

    counts = []
    for extra in (1, 3 * history.PER_PAGE):
        add(extra)
        response, statements = count_statements(lambda: author.client.get(_url(course, page=2)))
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    html = author.client.get(_url(course, page=2)).get_data(as_text=True)
    assert "Page 2 of 4" in html and 'rel="next"' in html and 'rel="prev"' in html
    # A page past the end, or not a number, shows the nearest page rather than failing.
    assert "Page 4 of 4" in author.client.get(_url(course, page=99)).get_data(as_text=True)
    assert author.client.get(_url(course) + "?page=abc").status_code == 200
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(CourseChange))
    assert total >= 3 * history.PER_PAGE + 2
