"""The studio: course staff edit a unit's components through their editors; learners see the change."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.accounts.models import User
from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.models import Course
from app.runtime.models import StoredBlock
from tests.conftest import sign_in
from tests.plugins.conftest import BlockClient, OlxCourse

UNIT = '<editable url_name="e1" display_name="Bloc" text="Avant"/><html url_name="h1"><p>Texte</p></html>'


@pytest.fixture
def course(olx_course: Callable[..., OlxCourse]) -> OlxCourse:
    return olx_course(UNIT)


def stored_text(app: Flask, course: OlxCourse) -> tuple[str | None, object]:
    """The stored text of the editable block, and the course's version."""
    with app.app_context():
        content = db.session.scalar(
            select(StoredBlock.content).where(
                StoredBlock.tree_id == course.tree_id, StoredBlock.usage_id == course.usage("editable", "e1")
            )
        )
        version = db.session.scalar(select(Course.updated_at).where(Course.id == course.course_id))
        return content.get("text"), version


def test_a_trainer_opens_the_editors_of_a_unit(
    course: OlxCourse, trainer: User, as_user: Callable[..., BlockClient]
):
    html = as_user(trainer, course).studio_page()
    assert '<textarea class="editable-editor">Avant</textarea>' in html
    assert 'name="xblock-handler-url" content="/studio/xblock/__usage_id__/handler/__handler__"' in html
    assert (
        "Content-Security-Policy"
        in as_user(trainer, course)
        .client.get(f"/studio/formations/{course.course_key}/unite/{course.usage('vertical', 'u1')}")
        .headers
    )


def test_the_course_outline_links_every_unit(app: Flask, course: OlxCourse, trainer: User):
    client = app.test_client()
    sign_in(client, trainer.email)
    listing = client.get("/studio/formations").get_data(as_text=True)
    assert f"/studio/formations/{course.course_key}" in listing
    outline = client.get(f"/studio/formations/{course.course_key}").get_data(as_text=True)
    assert f"/studio/formations/{course.course_key}/unite/{course.usage('vertical', 'u1')}" in outline


def test_a_saved_edit_is_what_learners_see_next(
    app: Flask,
    course: OlxCourse,
    trainer: User,
    enrolled: Callable[..., User],
    as_user: Callable[..., BlockClient],
):
    learner = as_user(enrolled(course), course)
    assert '<p class="editable">Avant</p>' in learner.page()  # the process now shares this version
    _, version = stored_text(app, course)

    author = as_user(trainer, course)
    author.studio_page()
    response = author.studio_call(
        "editable", "e1", "studio_submit", {"text": "Après", "display_name": "Nouveau"}
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    text, new_version = stored_text(app, course)
    assert text == "Après" and new_version != version
    assert '<p class="editable">Après</p>' in learner.page()
    with app.app_context():
        name = db.session.scalar(
            select(StoredBlock.display_name).where(StoredBlock.usage_id == course.usage("editable", "e1"))
        )
    assert name == "Nouveau"


def test_an_edit_is_exported(
    app: Flask, course: OlxCourse, trainer: User, as_user: Callable[..., BlockClient], tmp_path: Path
):
    author = as_user(trainer, course)
    author.studio_page()
    assert author.studio_call("editable", "e1", "studio_submit", {"text": "Exportée"}).status_code == 200
    with app.app_context():
        export_course(course.course_key, tmp_path / "export.tar.gz", actor=None)
    with tarfile.open(tmp_path / "export.tar.gz", mode="r:gz") as archive:
        texts = [
            archive.extractfile(m).read().decode()
            for m in archive.getmembers()
            if m.isfile() and "editable" in m.name
        ]
    assert any('text="Exportée"' in t for t in texts), texts


def test_bad_input_to_an_editor_changes_nothing(
    app: Flask, course: OlxCourse, trainer: User, as_user: Callable[..., BlockClient]
):
    before = stored_text(app, course)
    author = as_user(trainer, course)
    author.studio_page()
    response = author.studio_call("editable", "e1", "studio_submit", {"text": "x" * 101})
    assert response.status_code == 400
    assert response.get_json() == {"error": "The text must be at most 100 characters."}
    assert stored_text(app, course) == before


def test_learners_may_not_edit(
    app: Flask, course: OlxCourse, enrolled: Callable[..., User], as_user: Callable[..., BlockClient]
):
    before = stored_text(app, course)
    learner = as_user(enrolled(course), course)
    learner.page()
    assert learner.client.get(f"/studio/formations/{course.course_key}").status_code == 403
    assert learner.client.get("/studio/formations").status_code == 403
    assert learner.studio_call("editable", "e1", "studio_submit", {"text": "Pirate"}).status_code == 403
    # Through the learner's endpoint, content is read-only.
    assert learner.call("editable", "e1", "studio_submit", {"text": "Pirate"}).status_code == 400
    assert stored_text(app, course) == before


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, course: OlxCourse):
    response = app.test_client().get(f"/studio/formations/{course.course_key}")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("block-v1:Cybermassif+PLG+2026+type@editable+block@nope", 404),  # no such block
        ("block-v1:Cybermassif+PLG+2026+type@vertical+block@u1", 404),  # containers are not edited here
        ("block-v1:Cybermassif+NOPE+2026+type@editable+block@e1", 404),  # no such course
        ("not a key", 404),
    ],
)
def test_editor_calls_for_what_is_not_a_component_of_a_course(
    app: Flask,
    course: OlxCourse,
    trainer: User,
    as_user: Callable[..., BlockClient],
    target: str,
    status: int,
):
    author = as_user(trainer, course)
    author.studio_page()
    response = author.client.post(
        f"/studio/xblock/{target}/handler/studio_submit",
        data=json.dumps({"text": "x"}),
        headers={"X-CSRFToken": author.token, "Content-Type": "application/json"},
    )
    assert response.status_code == status


def test_editor_calls_need_the_csrf_token_and_a_known_handler(
    app: Flask, course: OlxCourse, trainer: User, as_user: Callable[..., BlockClient]
):
    before = stored_text(app, course)
    author = as_user(trainer, course)
    author.studio_page()
    url = f"/studio/xblock/{course.usage('editable', 'e1')}/handler/studio_submit"
    assert author.client.post(url, data=json.dumps({"text": "sans jeton"})).status_code == 400
    assert author.studio_call("editable", "e1", "no_such_handler", {}).status_code == 404
    assert stored_text(app, course) == before


def test_links_to_other_blocks_lead_to_their_unit(
    olx_course: Callable[..., OlxCourse], enrolled: Callable[..., User], as_user: Callable[..., BlockClient]
):
    course = olx_course(
        '<html url_name="h1"><p><a href="/jump_to_id/h1">ici</a> '
        '<a href="/jump_to_id/inconnu">ailleurs</a></p></html>'
    )
    html = as_user(enrolled(course), course).page()
    assert f'<a href="{course.unit_url()}">ici</a>' in html
    assert '<a href="/jump_to_id/inconnu">ailleurs</a>' in html
