"""``edx_sga``: a learner hands in one file (replaced until graded), their trainer downloads it safely,
grades and comments it and may give back an annotated copy; the grade is the learner's. Other Cybersites'
trainers and other learners reach nothing; every bad upload or grade is refused with nothing changed."""

from __future__ import annotations

import pytest

from tests.plugins.staff_graded.conftest import grade_row, kept_files, state, upload

PDF = b"%PDF-1.4 mon plan de sauvegarde"


def _hand_in(as_user, learner, course, content=PDF, name="plan été.pdf"):
    client = as_user(learner, course)
    response = upload(client, "edx_sga", "upload_assignment", "assignment", content, name)
    assert response.status_code == 200, response.get_data(as_text=True)
    return client


def _sga_part(page: str) -> str:
    start = page.index('data-block-type="edx_sga"')
    return page[start : page.index('data-block-type="staffgradedxblock"')]


def _grade(client, learner_id, grade, comment="Bien vu."):
    return client.call(
        "edx_sga", "sga", "grade_learner", {"learner_id": learner_id, "grade": grade, "comment": comment}
    )


def test_a_learner_hands_in_a_file_and_may_replace_it(app, course, site_learner, as_user):
    client = as_user(site_learner, course)
    page = _sga_part(client.page())
    assert "Plan de sauvegarde" in page and "You have not handed in a file yet." not in page
    assert "Vous n’avez pas encore rendu de fichier." in page
    assert 'name="assignment" type="file"' in page and "Solution" not in page

    response = upload(client, "edx_sga", "upload_assignment", "assignment", PDF, "plan été.pdf")
    assert response.status_code == 200
    assert response.json["message"] == "Votre fichier « plan été.pdf » est rendu."
    assert (
        "plan été.pdf" in response.json["html"]
        and "En attente de la note de votre formateur." in response.json["html"]
    )
    assert kept_files(app) == [(site_learner.id, "submission", "plan été.pdf", PDF)]

    second = upload(client, "edx_sga", "upload_assignment", "assignment", b"PK\x03\x04zip", "plan-v2.zip")
    assert second.status_code == 200
    assert kept_files(app) == [(site_learner.id, "submission", "plan-v2.zip", b"PK\x03\x04zip")]
    assert state(app, site_learner, course)["submitted_filename"] == "plan-v2.zip"

    download = client.client.get(course.handler_url("edx_sga", "sga", "download"))
    assert download.status_code == 200 and download.data == b"PK\x03\x04zip"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Type"] == "application/zip"


def test_the_trainer_downloads_grades_and_comments_and_the_learner_sees_it(
    app, course, site_trainer, site_learner, foreign_learner, as_user
):
    _hand_in(as_user, site_learner, course)
    _hand_in(as_user, foreign_learner, course, name="autre.pdf")
    trainer = as_user(site_trainer, course)
    panel = _sga_part(trainer.page())
    assert "Le travail de vos apprenants" in panel and "Léa Apprenante" in panel
    assert "Paul Ailleurs" not in panel and "autre.pdf" not in panel  # another Cybersite's learner
    assert f"download?learner={site_learner.id}" in panel and 'max="20.0"' in panel

    download = trainer.client.get(
        course.handler_url("edx_sga", "sga", "download") + f"?learner={site_learner.id}"
    )
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"plan _t_.pdf\"; filename*=UTF-8''plan%20%C3%A9t%C3%A9.pdf"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"].startswith("sandbox")

    response = _grade(trainer, site_learner.id, "15,5", "Bon plan.\n<script>alert(1)</script>")
    assert response.status_code == 200, response.get_data(as_text=True)
    saved = state(app, site_learner, course)
    assert saved["staff_grade"] == 15.5 and saved["staff_grader"] == "Claire Formatrice"
    # Counted as Open edX counts it: 15.5 of 20 points, for a weight of 2.
    assert grade_row(app, site_learner, course, "edx_sga", "sga") == (1.0, 1.55, 2.0)
    assert grade_row(app, site_trainer, course, "edx_sga", "sga") is None

    page = _sga_part(as_user(site_learner, course).page())
    assert "Votre note : 15,5 sur 20" in page
    assert "Bon plan.\n&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    # Graded: the solution shows (showanswer="finished"), cleaned; the file can no longer be replaced.
    assert "<strong>3-2-1</strong>" in page and "alert(1)</script>" not in page.split("Solution")[1]
    assert 'name="assignment"' not in page
    refused = upload(
        as_user(site_learner, course), "edx_sga", "upload_assignment", "assignment", b"new", "n.pdf"
    )
    assert refused.status_code == 409 and "ne peut plus être remplacé" in refused.json["error"]
    assert kept_files(app)[0][3] == PDF


def test_the_trainer_gives_back_an_annotated_copy(app, course, site_trainer, site_learner, as_user):
    _hand_in(as_user, site_learner, course)
    trainer = as_user(site_trainer, course)
    trainer.page()
    response = upload(
        trainer,
        "edx_sga",
        "upload_annotated",
        "annotated",
        b"%PDF annotated",
        "corrigé.pdf",
        learner_id=str(site_learner.id),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    learner = as_user(site_learner, course)
    assert "corrigé.pdf" in _sga_part(learner.page())
    copy = learner.client.get(course.handler_url("edx_sga", "sga", "download") + "?slot=annotated")
    assert copy.status_code == 200 and copy.data == b"%PDF annotated"


def test_a_learner_cannot_reach_another_learners_file_nor_grade(
    app, course, site_learner, site_learner_2, as_user
):
    _hand_in(as_user, site_learner, course)
    other = as_user(site_learner_2, course)
    other.page()
    url = course.handler_url("edx_sga", "sga", "download")
    assert other.client.get(url + f"?learner={site_learner.id}").status_code == 403
    assert other.client.get(url).status_code == 404  # they handed in nothing
    assert _grade(other, site_learner.id, 20).status_code == 403
    assert "staff_grade" not in state(app, site_learner, course)
    annotated = upload(
        other, "edx_sga", "upload_annotated", "annotated", b"x", "x.pdf", learner_id=str(site_learner.id)
    )
    assert annotated.status_code == 403
    assert [row[0] for row in kept_files(app)] == [site_learner.id]


def test_a_trainer_of_another_cybersite_reaches_nothing(app, course, foreign_trainer, site_learner, as_user):
    _hand_in(as_user, site_learner, course)
    trainer = as_user(foreign_trainer, course)
    assert "Léa Apprenante" not in _sga_part(trainer.page())
    url = course.handler_url("edx_sga", "sga", "download") + f"?learner={site_learner.id}"
    response = trainer.client.get(url)
    assert response.status_code == 403 and response.data != PDF
    graded = _grade(trainer, site_learner.id, 10)
    assert (
        graded.status_code == 403 and "n’est pas l’un des apprenants que vous suivez" in graded.json["error"]
    )
    annotated = upload(
        trainer, "edx_sga", "upload_annotated", "annotated", b"x", "x.pdf", learner_id=str(site_learner.id)
    )
    assert annotated.status_code == 403
    assert "staff_grade" not in state(app, site_learner, course)
    assert len(kept_files(app)) == 1


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        (b"", "vide.pdf", 400, "Le fichier est vide."),
        (b"x" * 1_000_001, "gros.pdf", 400, "Ce fichier est trop volumineux"),
        (b"<script>alert(1)</script>", "page.html", 400, "Les fichiers de ce type ne sont pas acceptés"),
        (b"<svg/>", "dessin.svg", 400, "Les fichiers de ce type ne sont pas acceptés"),
        (b"%PDF", "../../x.pdf", 400, "Le nom du fichier ne peut pas désigner de dossier"),
        (b"%PDF", ".htaccess", 400, "Le nom du fichier ne peut pas désigner de dossier"),
    ],
)
def test_bad_uploads_are_refused_with_nothing_kept(
    app, course, site_learner, as_user, content, name, status, message
):
    client = as_user(site_learner, course)
    response = upload(client, "edx_sga", "upload_assignment", "assignment", content, name)
    assert response.status_code == status
    assert message in response.json["error"]
    assert kept_files(app) == [] and state(app, site_learner, course) == {}


def test_a_request_over_the_handlers_limit_is_refused(app, course, site_learner, as_user):
    client = as_user(site_learner, course)
    response = upload(client, "edx_sga", "upload_assignment", "assignment", b"x" * 1_200_000, "gros.pdf")
    assert response.status_code == 413
    assert kept_files(app) == []


def test_an_upload_without_a_file_is_refused(app, course, site_learner, as_user):
    client = as_user(site_learner, course)
    response = client.call("edx_sga", "sga", "upload_assignment", {"assignment": "x"})
    assert response.status_code == 400 and response.json["error"] == "Choisissez d’abord un fichier."
    assert kept_files(app) == []


@pytest.mark.parametrize(
    ("grade", "message"),
    [
        (21, "La note doit être un nombre de 0 à 20."),
        (-1, "La note doit être un nombre de 0 à 20."),
        ("beaucoup", "La note doit être un nombre de 0 à 20."),
        ("NaN", "La note doit être un nombre de 0 à 20."),
        (None, "La note doit être un nombre de 0 à 20."),
    ],
)
def test_bad_grades_are_refused_with_nothing_changed(
    app, course, site_trainer, site_learner, as_user, grade, message
):
    _hand_in(as_user, site_learner, course)
    trainer = as_user(site_trainer, course)
    response = _grade(trainer, site_learner.id, grade)
    assert response.status_code == 400 and response.json["error"] == message
    assert "staff_grade" not in state(app, site_learner, course)
    assert grade_row(app, site_learner, course, "edx_sga", "sga") is None


def test_a_learner_who_handed_in_nothing_cannot_be_graded(app, course, site_trainer, site_learner, as_user):
    trainer = as_user(site_trainer, course)
    response = _grade(trainer, site_learner.id, 10)
    assert response.status_code == 409 and "n’a pas encore rendu de fichier" in response.json["error"]
    assert state(app, site_learner, course) == {}


def test_messages_are_in_english_for_english_readers(app, course, enrolled, as_user):
    client = as_user(enrolled(course, language="en"), course, "en")
    assert "You have not handed in a file yet." in _sga_part(client.page())
    response = upload(client, "edx_sga", "upload_assignment", "assignment", b"", "vide.pdf")
    assert response.status_code == 400 and response.json["error"] == "The file is empty."


def test_without_a_weight_the_grade_counts_in_points(
    app, olx_course, enrolled, make_company, site, site_trainer, as_user
):
    course = olx_course('<edx_sga url_name="sga" points="20"/>', course_key="course-v1:Cybermassif+SGA+2026")
    learner = enrolled(course, make_company(cybersite=site))
    _hand_in(as_user, learner, course)
    assert _grade(as_user(site_trainer, course), learner.id, 12).status_code == 200
    assert grade_row(app, learner, course, "edx_sga", "sga") == (1.0, 12.0, 20.0)
