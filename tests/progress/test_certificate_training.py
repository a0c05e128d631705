"""Certificates state the training's time and dates, as funders ask: on the page, the PDF and the public
verification page, read from the course's ``cybermassif_training_hours``; a malformed value refuses the
import with a clear reason."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from app.core.extensions import db
from app.courses.importing import ImportFailed
from app.courses.models import Course, Enrolment
from tests.progress.conftest import EN

SPEC = [("ch", [("s", {}, [("u", [("html", "h", 0)])])])]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _policy(hours):
    return {"policies/2026/policy.json": json.dumps({"course/2026": {"cybermassif_training_hours": hours}})}


def _certified(app, progress_course, enrolled_learner, hours, enrolled_at=None, language="fr"):
    course = progress_course(spec=SPEC, policy={"GRADER": []}, extra_files=_policy(hours))
    user, learner = enrolled_learner(course, language=language, display_name="Élodie Chassang")
    if enrolled_at is not None:
        with app.app_context():
            db.session.execute(
                update(Enrolment).where(Enrolment.user_id == user.id).values(created_at=enrolled_at)
            )
            db.session.commit()
    learner.view("u")
    return course, learner


def test_the_certificate_states_hours_and_dates(app, progress_course, enrolled_learner, client):
    course, learner = _certified(
        app, progress_course, enrolled_learner, "3,5", enrolled_at=datetime(2026, 3, 3, 9, tzinfo=UTC)
    )
    with app.app_context():
        assert db.session.scalar(select(Course.training_minutes).where(Course.id == course.course_id)) == 210
    today = datetime.now(UTC)
    page = learner.client.get(f"/progression/formations/{course.course_key}/certificat")
    text = _text(page.get_data(as_text=True))
    assert re.search(r"Formation de 3 h 30, du 3 mars 2026 au \d+ \w+ " + str(today.year), text), text
    pdf = learner.client.get(f"/progression/formations/{course.course_key}/certificat.pdf")
    printed = " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "Formation de 3 h 30, du 3 mars 2026 au" in printed, printed
    code = re.search(r"code ([A-Z2-9]{4}(?:-[A-Z2-9]{4}){4})", text).group(1)
    verify = _text(client.get(f"/progression/certificat/{code}", headers=EN).get_data(as_text=True))
    assert "Training time 3 h 30" in verify
    assert re.search(r"Training dates from March 3, 2026 to \w+ \d+, " + str(today.year), verify), verify


def test_whole_hours_and_a_single_day(app, progress_course, enrolled_learner):
    course, learner = _certified(app, progress_course, enrolled_learner, 7, language="en")
    text = _text(learner.client.get(f"/progression/formations/{course.course_key}/certificat").get_data(True))
    assert re.search(r"Training of 7 hours, on \w+ \d+, \d{4}", text), text


def test_a_course_without_declared_hours_still_gives_its_dates(app, progress_course, enrolled_learner):
    course = progress_course(spec=SPEC, policy={"GRADER": []})
    _user, learner = enrolled_learner(course, language="en")
    learner.view("u")
    text = _text(learner.client.get(f"/progression/formations/{course.course_key}/certificat").get_data(True))
    assert re.search(r"Training on \w+ \d+, \d{4}", text) and "hour" not in text, text


@pytest.mark.parametrize("hours", ["sept heures", -2, 0, 5000, True, [7], "nan"])
def test_a_malformed_training_time_refuses_the_import(app, progress_course, hours):
    with pytest.raises(ImportFailed) as raised:
        progress_course(spec=SPEC, policy={"GRADER": []}, extra_files=_policy(hours))
    problems = raised.value.problems
    assert [(p.file, p.code) for p in problems] == [("policies/2026/policy.json", "training_hours")]
    assert "cybermassif_training_hours must be a number of hours above 0, at most 2000" in problems[0].text
    with app.app_context():
        assert db.session.scalar(select(Course.id)) is None  # nothing was written
