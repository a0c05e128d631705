"""A component whose content cannot be read does not refuse its course: it is kept as a placeholder that
learners see as unavailable, that counts for neither completion nor grades, that answers no handler, and
that every way in (command line, administration upload) reports as a warning with its file and line."""

from __future__ import annotations

import io
import json
import tarfile

from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.progress.models import CourseProgress
from app.runtime.models import StoredBlock
from tests.conftest import csrf_token, sign_in
from tests.progress.conftest import course_olx

BAD_PROBLEM = (
    '<problem display_name="Regex cassée">\n<p>Combien ?</p>\n\n'
    '<stringresponse answer="(euros" type="regexp"><textline/></stringresponse>\n</problem>'
)
SPEC = [
    (
        "ch1",
        [
            (
                "s1",
                {"graded": "true", "format": "Quiz"},
                [("u1", [("probe", "p1", 1.0), ("problem", "bad", 0)])],
            )
        ],
    )
]
POLICY = {
    "GRADER": [{"type": "Quiz", "min_count": 1, "drop_count": 0, "weight": 1.0, "short_label": "Q"}],
    "GRADE_CUTOFFS": {"Pass": 0.5},
}
EN = {"Accept-Language": "en"}


def _course(progress_course):
    # The unit points to problem/bad.xml (course_olx writes its problems inline, with no content).
    course = course_olx("Formation test", SPEC).replace(
        '<problem url_name="bad" display_name="Problème bad"/>', '<problem url_name="bad"/>'
    )
    files = {"course/2026.xml": course, "problem/bad.xml": BAD_PROBLEM}
    return progress_course(SPEC, POLICY, extra_files=files)


def test_the_learner_sees_a_notice_and_completes_the_course_without_it(
    app, progress_course, enrolled_learner
):
    course = _course(progress_course)
    user, learner = enrolled_learner(course, language="en")
    page = learner.view("u1")
    assert "This component could not be read from the course files; it is kept as is." in page
    assert "Combien ?" not in page  # nothing of it is shown
    assert learner.report("p1", completion=1.0, grade=1.0).status_code == 200
    with app.app_context():
        progress = db.session.scalar(select(CourseProgress).where(CourseProgress.user_id == user.id))
        assert (progress.completed, progress.total, progress.percent) == (1, 1, 1.0)
        assert progress.grade == 1.0 and progress.passed


def test_the_placeholder_answers_no_handler_and_nothing_changes(app, progress_course, enrolled_learner):
    course = _course(progress_course)
    user, learner = enrolled_learner(course)
    learner.view("u1")
    response = learner.client.post(
        f"/xblock/{course.usage('problem', 'bad')}/handler/problem_check",
        data=json.dumps({"answers": {}}),
        headers={"X-CSRFToken": learner.token, "Content-Type": "application/json"},
    )
    assert response.status_code == 404
    with app.app_context():
        progress = db.session.scalar(select(CourseProgress).where(CourseProgress.user_id == user.id))
        assert progress is None or (progress.completed, progress.grade) in ((0, None), (0, 0.0))


def test_the_command_line_lists_the_warning_with_file_and_line(app, tmp_path):
    from tests.runtime.olx_helpers import small_course, write_course

    root = write_course(
        tmp_path / "c",
        small_course(
            **{
                "vertical/u1.xml": '<vertical><html url_name="h1"/><problem url_name="bad"/></vertical>',
                "problem/bad.xml": BAD_PROBLEM,
            }
        ),
    )
    result = app.test_cli_runner().invoke(args=["courses", "import", str(root)])
    assert result.exit_code == 0, result.output
    assert "Imported course-v1:Cybermassif+T+2026" in result.stdout
    assert "1 part(s) could not be read, kept as they are (not shown):" in result.stderr
    assert "warning: problem/bad.xml:1: <problem> could not be read and is kept as it is" in result.stderr
    assert "Invalid regular expression" in result.stderr
    with app.app_context():
        kept = db.session.scalar(select(StoredBlock).where(StoredBlock.url_name == "bad"))
        assert kept.olx == BAD_PROBLEM


def _archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"course/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_the_administration_upload_lists_the_warning_in_the_readers_language(app, client, make_user):
    from tests.runtime.olx_helpers import small_course

    files = small_course(
        **{
            "vertical/u1.xml": '<vertical><html url_name="h1"/><problem url_name="bad"/></vertical>',
            "problem/bad.xml": BAD_PROBLEM,
        }
    )
    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)], language="fr")
    sign_in(client, admin.email)
    response = client.post(
        "/admin/formations/importer",
        data={
            "csrf_token": csrf_token(client, "/admin/formations"),
            "archive": (io.BytesIO(_archive(files)), "course.tar.gz"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "est importée et publiée" in page
    assert "1 partie de la formation n’a pas pu être lue" in page
    assert "<code>problem/bad.xml:1</code>" in page
    assert "n’a pas pu être lu ; il est gardé tel quel" in page
    with app.app_context():
        assert db.session.scalar(select(StoredBlock.olx).where(StoredBlock.url_name == "bad")) == BAD_PROBLEM
