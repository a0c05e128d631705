"""``staffgradedxblock``: learners read the instructions (Markdown, cleaned) and see their score once a
trainer gives it, one by one or from a CSV file of scores; the file is checked whole, each bad row named,
and nothing changes when one is wrong. Other Cybersites' learners are out of the trainer's reach."""

from __future__ import annotations

import pytest

from tests.plugins.staff_graded.conftest import grade_row, state, upload


def _sgp_part(page: str) -> str:
    start = page.index('data-block-type="staffgradedxblock"')
    return page[start : page.index('class="xblock-json-init-args', start)]


def _import(client, content: bytes, name: str = "notes.csv"):
    return upload(client, "staffgradedxblock", "import_grades", "csv", content, name)


def _sgp_state(app, user, course):
    return state(app, user, course, "staffgradedxblock", "sgp")


def test_learners_see_the_instructions_cleaned_and_their_score_once_given(
    app, course, site_trainer, site_learner, as_user
):
    learner = as_user(site_learner, course)
    page = _sgp_part(learner.page())
    assert "<p>Réalisez l’audit <strong>avec</strong> votre formateur.</p>" in page
    assert "onerror" not in page
    assert "Votre formateur note ce travail : 10 points possibles." in page

    trainer = as_user(site_trainer, course)
    panel = _sgp_part(trainer.page())
    assert "Léa Apprenante" in panel and "Envoyer un fichier de notes" in panel
    response = trainer.call(
        "staffgradedxblock",
        "sgp",
        "grade_learner",
        {"learner_id": site_learner.id, "grade": 7, "comment": "Bien."},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert grade_row(app, site_learner, course, "staffgradedxblock", "sgp") == (1.0, 7.0, 10.0)
    assert "Votre note : 7 sur 10" in _sgp_part(learner.page())


def test_a_csv_file_of_scores_grades_every_learner_it_names(
    app, course, site_trainer, site_learner, site_learner_2, as_user
):
    trainer = as_user(site_trainer, course)
    trainer.page()
    content = (
        "user_id;username;email;points;comment\n"
        f";;LEA@example.fr;8,5;Très bien\n"
        f";user{site_learner_2.id};;4;\n"
    ).encode("cp1252")
    response = _import(trainer, content)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["message"] == "2 notes enregistrées."
    assert _sgp_state(app, site_learner, course)["staff_grade"] == 8.5
    assert _sgp_state(app, site_learner, course)["staff_comment"] == "Très bien"
    assert _sgp_state(app, site_learner_2, course)["staff_grade"] == 4.0
    assert grade_row(app, site_learner_2, course, "staffgradedxblock", "sgp") == (1.0, 4.0, 10.0)

    exported = trainer.client.get(course.handler_url("staffgradedxblock", "sgp", "export_grades"))
    assert exported.status_code == 200 and exported.headers["Content-Disposition"].startswith("attachment;")
    text = exported.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "user_id,username,full_name,email,points,comment"
    assert f"{site_learner.id},user{site_learner.id},Léa Apprenante,lea@example.fr,8.5,Très bien" in text
    # The exported file imports back as it is.
    assert _import(trainer, exported.data).status_code == 200


def test_a_file_without_a_comment_column_keeps_the_comments(app, course, site_trainer, site_learner, as_user):
    trainer = as_user(site_trainer, course)
    trainer.call(
        "staffgradedxblock",
        "sgp",
        "grade_learner",
        {"learner_id": site_learner.id, "grade": 2, "comment": "Gardé"},
    )
    assert _import(trainer, b"email,points\nlea@example.fr,9\n").status_code == 200
    saved = _sgp_state(app, site_learner, course)
    assert saved["staff_grade"] == 9.0 and saved["staff_comment"] == "Gardé"


@pytest.mark.parametrize(
    ("content", "messages"),
    [
        (b"", ["Le fichier est vide."]),
        (b"nom,note_finale\nLea,3\n", ["La première ligne doit nommer les colonnes"]),
        (
            b"email,points\nlea@example.fr,3\ninconnu@example.fr,4\npaul@ailleurs.fr,2\nlea@example.fr,x\n",
            [
                "Rien n’a été modifié. Corrigez le fichier et envoyez-le de nouveau :",
                "Ligne 3 : « inconnu@example.fr » n’est pas l’un de vos apprenants dans cette formation.",
                "Ligne 4 : « paul@ailleurs.fr » n’est pas l’un de vos apprenants",
                "Ligne 5 : la note « x » n’est pas un nombre de 0 à 10.",
            ],
        ),
        (b"email,points\nlea@example.fr,11\n", ["Ligne 2 : la note « 11 » n’est pas un nombre de 0 à 10."]),
        (
            b"email,points\nlea@example.fr,3\nlea@example.fr,4\n",
            ["Ligne 3 : cet apprenant a déjà une note à la ligne 2."],
        ),
        (b"email,points\nlea@example.fr,\n", ["Le fichier ne donne aucune note : rien n’a été modifié."]),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ["Le fichier n’est pas un fichier texte (CSV)."]),
        (
            b"email,points\n" + b"lea@example.fr,1\n" * 40_000,
            ["Le fichier est trop volumineux : 512 ko au plus."],
        ),
    ],
)
def test_a_bad_file_of_scores_changes_nothing(
    app, course, site_trainer, site_learner, foreign_learner, as_user, content, messages
):
    # paul@ailleurs.fr is not even a learner of the course; foreign_learner is, of another Cybersite.
    trainer = as_user(site_trainer, course)
    trainer.page()
    response = _import(trainer, content)
    assert response.status_code == 400
    for message in messages:
        assert message in response.json["error"]
    assert _sgp_state(app, site_learner, course) == {}
    assert grade_row(app, site_learner, course, "staffgradedxblock", "sgp") is None


def test_a_valid_row_is_not_saved_when_another_is_bad(app, course, site_trainer, site_learner, as_user):
    trainer = as_user(site_trainer, course)
    response = _import(trainer, b"email,points\nlea@example.fr,5\nlea@example.fr,50\n")
    assert response.status_code == 400
    assert _sgp_state(app, site_learner, course) == {}


def test_learners_and_foreign_trainers_cannot_send_scores(
    app, course, site_learner, foreign_trainer, as_user
):
    for person, status, message in (
        (site_learner, 403, "Seuls les formateurs de la formation peuvent faire cela."),
        (foreign_trainer, 400, "« lea@example.fr » n’est pas l’un de vos apprenants"),
    ):
        client = as_user(person, course)
        client.page()
        response = _import(client, b"email,points\nlea@example.fr,10\n")
        assert response.status_code == status and message in response.json["error"]
        graded = client.call(
            "staffgradedxblock", "sgp", "grade_learner", {"learner_id": site_learner.id, "grade": 10}
        )
        assert graded.status_code == 403
    assert _sgp_state(app, site_learner, course) == {}
    learner = as_user(site_learner, course)
    assert (
        learner.client.get(course.handler_url("staffgradedxblock", "sgp", "export_grades")).status_code == 403
    )


@pytest.mark.parametrize(
    ("data", "raw", "message"),
    [
        (None, b"{pas du json", "La requête n’a pas pu être lue (ce n’est pas du JSON valide)."),
        ([1, 2], None, "La note n’a pas été envoyée sous la forme attendue. Veuillez recharger la page."),
        ({"learner_id": True, "grade": 5}, None, "Indiquez l’apprenant à noter."),
        (
            {"learner_id": "LEARNER", "grade": 5, "comment": ["liste"]},
            None,
            "Le commentaire doit être un texte.",
        ),
        (
            {"learner_id": "LEARNER", "grade": 5, "comment": "x" * 5001},
            None,
            "Le commentaire fait 5001 caractères ; la limite est de 5000.",
        ),
        ({"learner_id": "LEARNER", "grade": "11"}, None, "La note doit être un nombre de 0 à 10."),
        ({"learner_id": "LEARNER", "grade": "nan"}, None, "La note doit être un nombre de 0 à 10."),
    ],
)
def test_a_malformed_grade_is_refused_in_the_blocks_own_french_and_changes_nothing(
    app, course, site_trainer, site_learner, as_user, data, raw, message
):
    # The checks are shared with the case study (plugins.support), the wording is this block's own.
    if isinstance(data, dict) and data.get("learner_id") == "LEARNER":
        data = {**data, "learner_id": site_learner.id}
    trainer = as_user(site_trainer, course)
    trainer.page()
    response = trainer.call("staffgradedxblock", "sgp", "grade_learner", data, raw=raw)
    assert response.status_code == 400 and response.json["error"] == message
    assert _sgp_state(app, site_learner, course) == {}


def test_a_handler_answers_only_post_in_french(course, site_trainer, as_user):
    trainer = as_user(site_trainer, course)
    response = trainer.client.get(course.handler_url("staffgradedxblock", "sgp", "grade_learner"))
    assert response.status_code == 405
    assert response.json["error"] == "Cette adresse ne répond qu’aux requêtes POST."
