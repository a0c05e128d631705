"""VISTA tags of a course: read from its policy at import (bad ones refuse the import), shown on its home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.importing import ImportFailed, import_course
from app.courses.models import Course, Enrolment
from tests.conftest import sign_in
from tests.runtime.olx_helpers import small_course, write_course


def _course(tmp_path: Path, tags: object) -> Path:
    policy = {"course/2026": {"cybermassif_vista": tags}}
    return write_course(tmp_path / "c", small_course(**{"policies/2026/policy.json": json.dumps(policy)}))


def test_tags_are_shown_on_the_course_home_in_the_readers_language(
    app: Flask, tmp_path: Path, make_user, make_company
):
    with app.app_context():
        course = import_course(_course(tmp_path, {"D4": 1, "D2": 0.5}), actor=None).course
        course_id = course.id
        db.session.commit()
    learner = make_user(roles=[(Role.LEARNER, make_company())])
    with app.app_context():
        db.session.add(Enrolment(user_id=learner.id, course_id=course_id))
        db.session.commit()
    client = app.test_client()
    sign_in(client, learner.email)
    page = client.get("/formations/course-v1:Cybermassif+T+2026").get_data(as_text=True)
    assert "Dimensions VISTA développées par ce cours" in page
    assert page.index("D2 · Outils et préparation numériques") < page.index("D4 · Données et sécurité")
    reader = make_user(roles=[(Role.NETWORK_ADMIN, None)], language="en")
    english = app.test_client()
    sign_in(english, reader.email)
    assert "D4 · Data and security" in english.get("/formations/course-v1:Cybermassif+T+2026").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"D7": 1}, "unknown dimension 'D7'"),
        ({"D1": 0}, "the weight of D1 must be a number above 0"),
        ({"D1": -1}, "the weight of D1 must be a number above 0"),
        ({"D1": "1"}, "the weight of D1 must be a number above 0"),
        ({"D1": True}, "the weight of D1 must be a number above 0"),
        ({"D1": 11}, "at most 10"),
        (["D1"], "must be an object of dimensions"),
        ("{D1", "must be JSON"),
    ],
)
def test_bad_tags_refuse_the_import_and_write_nothing(app_ctx, tmp_path: Path, tags: object, message: str):
    with pytest.raises(ImportFailed) as failure:
        import_course(_course(tmp_path, tags), actor=None)
    assert [p.file for p in failure.value.problems] == ["policies/2026/policy.json"]
    assert message in str(failure.value.problems[0])
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_a_course_without_tags_shows_none(app: Flask, tmp_path: Path, make_user):
    with app.app_context():
        import_course(write_course(tmp_path / "c", small_course()), actor=None)
        db.session.commit()
    trainer_client = app.test_client()

    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)])
    sign_in(trainer_client, admin.email)
    page = trainer_client.get("/formations/course-v1:Cybermassif+T+2026").get_data(as_text=True)
    main = page.split("<main", 1)[1]  # the header's menu links to VISTA for administrators
    assert "VISTA" not in main
