"""Trainers and their learners' answers: who sees whom, grading end to end (the grade recorded for the
learner), every refusal with nothing stored, and a constant number of SQL statements for the list."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape
from sqlalchemy import event, func, insert, select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.models import Enrolment
from app.progress.models import BlockCompletion
from app.runtime import bridge
from app.runtime.models import FieldValue
from plugins.case_study.block import STAFF_PAGE
from tests.conftest import StatementCounter
from tests.plugins.case_study.conftest import ANSWERS, completion_row, stored_state


def _submit(as_user, user, course, answers=ANSWERS):
    response = as_user(user, course).call("case_study", "cas", "submit", {"answers": answers})
    assert response.status_code == 200, response.get_data(as_text=True)


def _staff_part(page: str) -> str:
    start = page.index('<section class="case-study-staff"')
    return page[start : page.index('class="xblock-json-init-args', start)]


def _grade(client, learner_id, grade, comment="Bien vu."):
    return client.call(
        "case_study", "cas", "grade_learner", {"learner_id": learner_id, "comment": comment, "grade": grade}
    )


def test_a_trainer_sees_their_learners_answers_and_grades_them(
    app, case_course, site_trainer, site_learner, foreign_learner, as_user
):
    _submit(as_user, site_learner, case_course)
    _submit(as_user, foreign_learner, case_course)
    trainer = as_user(site_trainer, case_course)
    panel = _staff_part(trainer.page())
    assert ">Les réponses de vos apprenants</h3>" in panel
    assert "Réponses envoyées : 1 sur 1." in panel
    assert ">Léa Apprenante</h4>" in panel and "Boulangerie du Lac · Envoyé le " in panel
    assert "<dt>Quels clients pourraient commander à distance ?</dt>" in panel
    assert ">Les touristes de l’été.\nEt les anciens clients.</dd>" in panel
    assert 'type="number" min="0" max="4.0"' in panel and "Note (de 0 à 4)" in panel
    assert "Paul Ailleurs" not in panel  # another Cybersite's learner

    response = _grade(trainer, site_learner.id, 3.5, "Bonne analyse.\nPensez aux délais.")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Noté 3,5 sur 4 par Claire Formatrice le " in response.json["html"]
    state = stored_state(app, site_learner, case_course)
    assert state["staff_grade"] == 3.5 and state["staff_comment"] == "Bonne analyse.\nPensez aux délais."
    assert state["staff_grader"] == "Claire Formatrice" and state["staff_graded_at"]
    # The grade is the learner's, not the trainer's.
    assert completion_row(app, site_learner, case_course) == (1.0, 3.5, 4.0)
    assert completion_row(app, site_trainer, case_course) is None
    assert stored_state(app, site_trainer, case_course) == {}

    feedback = as_user(site_learner, case_course).page()
    assert "Le retour de votre formateur" in feedback and "Note : 3,5 sur 4" in feedback
    assert '<div class="case-study-comment">Bonne analyse.\nPensez aux délais.</div>' in feedback
    assert "Par Claire Formatrice, le " in feedback


def test_a_trainer_may_change_a_grade(app, case_course, site_trainer, site_learner, as_user):
    _submit(as_user, site_learner, case_course)
    trainer = as_user(site_trainer, case_course)
    assert _grade(trainer, site_learner.id, 4).status_code == 200
    assert _grade(trainer, site_learner.id, "1,5", "Revu à la baisse.").status_code == 200
    assert completion_row(app, site_learner, case_course) == (1.0, 1.5, 4.0)
    assert stored_state(app, site_learner, case_course)["staff_comment"] == "Revu à la baisse."
    assert "Noté 1,5 sur 4" in _staff_part(trainer.page())


def test_learners_still_working_are_listed_without_their_drafts(
    app, case_course, site_trainer, site_learner, as_user
):
    as_user(site_learner, case_course).call(
        "case_study", "cas", "save_draft", {"answers": {"q1": "Brouillon secret"}}
    )
    panel = _staff_part(as_user(site_trainer, case_course).page())
    assert "Réponses envoyées : 0 sur 1." in panel
    assert "<h4>Pas encore envoyé</h4>" in panel and "<li>Léa Apprenante (Boulangerie du Lac)</li>" in panel
    assert "Brouillon secret" not in panel


def test_a_trainer_of_another_cybersite_neither_sees_nor_grades_them(
    app, case_course, make_user, make_cybersite, site_learner, as_user
):
    _submit(as_user, site_learner, case_course)
    stranger = as_user(make_user(roles=[(Role.TRAINER, make_cybersite())]), case_course)
    panel = _staff_part(stranger.page())
    assert "Léa Apprenante" not in panel and "Les touristes" not in panel
    assert "Aucun des apprenants que vous suivez n’est encore inscrit à ce cours." in panel
    response = _grade(stranger, site_learner.id, 2)
    assert response.status_code == 403
    assert response.json["error"] == "Cet apprenant ne fait pas partie des apprenants que vous suivez."
    assert "staff_grade" not in stored_state(app, site_learner, case_course)
    assert completion_row(app, site_learner, case_course) == (1.0, None, None)


def test_a_network_administrator_sees_every_learner(
    app, case_course, make_user, site_learner, foreign_learner, as_user
):
    _submit(as_user, site_learner, case_course)
    _submit(as_user, foreign_learner, case_course)
    admin = as_user(make_user(roles=[(Role.NETWORK_ADMIN, None)]), case_course)
    panel = _staff_part(admin.page())
    assert "Réponses envoyées : 2 sur 2." in panel
    assert "Léa Apprenante" in panel and "Paul Ailleurs" in panel and "Garage d’ailleurs" in panel
    assert _grade(admin, foreign_learner.id, 2).status_code == 200
    assert completion_row(app, foreign_learner, case_course) == (1.0, 2.0, 4.0)


def test_nobody_grades_their_own_answers(app, case_course, make_user, as_user):
    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)])
    with app.app_context():
        db.session.add(Enrolment(user_id=admin.id, course_id=case_course.course_id))
        db.session.commit()
    _submit(as_user, admin, case_course)
    response = _grade(as_user(admin, case_course), admin.id, 4)
    assert (
        response.status_code == 403
        and response.json["error"] == "Vous ne pouvez pas noter vos propres réponses."
    )
    assert completion_row(app, admin, case_course) == (1.0, None, None)


def test_a_learner_not_enrolled_cannot_be_graded(
    app, case_course, site_trainer, site_company, make_user, as_user
):
    former = make_user(roles=[(Role.LEARNER, site_company)], display_name="Ancien")
    response = _grade(as_user(site_trainer, case_course), former.id, 2)
    assert response.status_code == 404
    assert response.json["error"] == "Cet apprenant n’est pas inscrit à ce cours."
    assert stored_state(app, former, case_course) == {}
    assert completion_row(app, former, case_course) is None


def test_an_unenrolled_learner_leaves_the_list(app, case_course, site_trainer, site_learner, as_user):
    _submit(as_user, site_learner, case_course)
    with app.app_context():
        db.session.execute(Enrolment.__table__.update().values(active=False))
        db.session.commit()
    trainer = as_user(site_trainer, case_course)
    assert "Léa Apprenante" not in _staff_part(trainer.page())
    assert _grade(trainer, site_learner.id, 2).status_code == 404


def test_a_learner_who_has_not_submitted_cannot_be_graded(
    app, case_course, site_trainer, site_learner, as_user
):
    as_user(site_learner, case_course).call(
        "case_study", "cas", "save_draft", {"answers": {"q1": "En cours"}}
    )
    response = _grade(as_user(site_trainer, case_course), site_learner.id, 2)
    assert response.status_code == 409
    assert response.json["error"] == "Cet apprenant n’a pas encore envoyé ses réponses."
    assert "staff_grade" not in stored_state(app, site_learner, case_course)
    assert completion_row(app, site_learner, case_course) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"grade": 4.5}, "La note doit être un nombre de 0 à 4."),
        ({"grade": -1}, "La note doit être un nombre de 0 à 4."),
        ({"grade": "beaucoup"}, "La note doit être un nombre de 0 à 4."),
        ({"grade": None}, "La note doit être un nombre de 0 à 4."),
        ({"grade": True}, "La note doit être un nombre de 0 à 4."),
        ({"grade": "NaN"}, "La note doit être un nombre de 0 à 4."),
        ({"grade": 2, "learner_id": "quelqu’un"}, "Indiquez l’apprenant à noter."),
        ({"grade": 2, "learner_id": None}, "Indiquez l’apprenant à noter."),
        ({"grade": 2, "comment": ["liste"]}, "Le commentaire doit être un texte."),
        (
            {"grade": 2, "comment": "x" * 5001},
            "Le commentaire compte 5001 caractères ; la limite est de 5000.",
        ),
    ],
)
def test_bad_grades_are_refused_and_nothing_is_stored(
    app, case_course, site_trainer, site_learner, as_user, body, message
):
    _submit(as_user, site_learner, case_course)
    before = stored_state(app, site_learner, case_course)
    data = {"learner_id": site_learner.id, "comment": "Bien", **body}
    response = as_user(site_trainer, case_course).call("case_study", "cas", "grade_learner", data)
    assert response.status_code == 400
    assert response.json["error"] == message
    assert stored_state(app, site_learner, case_course) == before
    assert completion_row(app, site_learner, case_course) == (1.0, None, None)


def test_an_unknown_learner_is_out_of_scope(app, case_course, site_trainer, as_user):
    response = _grade(as_user(site_trainer, case_course), 999_999, 2)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BlockCompletion)) == 0


def test_answers_and_comments_with_markup_are_shown_as_text(
    app, case_course, site_trainer, site_learner, as_user
):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    _submit(as_user, site_learner, case_course, {"q1": hostile, "q2": hostile})
    trainer = as_user(site_trainer, case_course)
    for shown in (_staff_part(trainer.page()), _grade(trainer, site_learner.id, 1, hostile).json["html"]):
        assert "<script>alert" not in shown and "<img src=x" not in shown
        assert str(escape(hostile)) in shown
    feedback = as_user(site_learner, case_course).page()
    assert f'<div class="case-study-comment">{escape(hostile)}</div>' in feedback


def _add_submitted_learners(app, course, make_user, company, count):
    """``count`` more learners of ``company``, enrolled, whose submitted answers are stored."""
    users = [make_user(roles=[(Role.LEARNER, company)]) for _ in range(count)]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    usage = course.usage("case_study", "cas")
    with app.app_context():
        db.session.execute(
            insert(Enrolment), [{"user_id": u.id, "course_id": course.course_id} for u in users]
        )
        rows = [
            {"scope": "user_state", "user_id": u.id, "scope_key": usage, "field_name": name, "value": value,
             "updated_at": datetime.now(UTC)}
            for u in users
            for name, value in (("answers", ANSWERS), ("submitted", True), ("submitted_at", now))
        ]  # fmt: skip
        db.session.execute(insert(FieldValue), rows)
        db.session.commit()
    return users


def _listening(app, listener, action):
    """``action()``, with ``listener`` told of every SQL statement it runs."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        return action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_the_list_costs_the_same_statements_for_1_and_30_learners(
    app, case_course, site_trainer, site_learner, site_company, make_user, as_user, monkeypatch
):
    _submit(as_user, site_learner, case_course)
    trainer = as_user(site_trainer, case_course)
    trainer.page()  # the tree is loaded once per process
    # The disabled block types are re-read every few seconds: read them once, before counting.
    monkeypatch.setattr(bridge, "DISABLED_TYPES_TTL", 3600.0)

    def statements() -> tuple[str, list[str]]:
        counter = StatementCounter()
        with app.app_context():
            bridge.setup_for(app).refresh_disabled()
        return _listening(app, counter, trainer.page), counter.statements

    page, one = statements()
    assert "Réponses envoyées : 1 sur 1." in page
    _add_submitted_learners(app, case_course, make_user, site_company, 29)
    page, thirty = statements()
    assert "Réponses envoyées : 30 sur 30." in page and page.count('data-part="submission"') == STAFF_PAGE
    assert 'data-action="more" data-offset="20">Afficher les réponses suivantes (encore 10)' in page
    assert len(thirty) == len(one), (one, thirty)


def test_only_the_answers_of_the_page_shown_are_read(
    app, case_course, site_trainer, site_learner, site_company, make_user, as_user
):
    """A trainer may follow hundreds of learners: everyone's progress is counted, one page's answers read."""
    _submit(as_user, site_learner, case_course)
    others = _add_submitted_learners(app, case_course, make_user, site_company, 29)
    followed = {site_learner.id, *(u.id for u in others)}
    trainer = as_user(site_trainer, case_course)
    reads: list[tuple[str, int]] = []  # (statement, how many of the learners it names)

    def record(_conn, _cursor, statement, parameters, _context, _many):
        values = parameters.values() if isinstance(parameters, dict) else parameters
        if "FROM xblock_field" in statement:
            reads.append((statement, sum(1 for v in values if isinstance(v, int) and v in followed)))

    page = _listening(app, record, trainer.page)
    assert "Réponses envoyées : 30 sur 30." in page
    whole = [named for statement, named in reads if "field_name IN" not in statement and named]
    some = [named for statement, named in reads if "field_name IN" in statement]
    assert some == [30]  # whether each submitted and was graded
    assert whole == [STAFF_PAGE]  # the answers and comments of the page shown


def _more(client, offset):
    return client.call("case_study", "cas", "staff_works", {"offset": offset})


def test_answers_come_a_page_at_a_time_those_to_grade_first(
    app, case_course, site_trainer, site_learner, site_company, make_user, as_user
):
    learners = [site_learner, *_add_submitted_learners(app, case_course, make_user, site_company, 24)]
    _submit(as_user, site_learner, case_course)
    trainer = as_user(site_trainer, case_course)
    graded = learners[:3]
    for learner in graded:
        assert _grade(trainer, learner.id, 2).status_code == 200
    page = _staff_part(trainer.page())
    shown = [int(n) for n in re.findall(r'data-part="submission" data-learner="(\d+)"', page)]
    assert len(shown) == STAFF_PAGE and not {u.id for u in graded} & set(shown)  # to grade first
    assert "Afficher les réponses suivantes (encore 5)" in page

    response = _more(trainer, STAFF_PAGE)
    assert response.status_code == 200, response.get_data(as_text=True)
    rest = response.json
    following = [int(n) for n in re.findall(r'data-part="submission" data-learner="(\d+)"', rest["html"])]
    assert len(following) == 5 and {u.id for u in graded} <= set(following)
    assert set(shown) | set(following) == {u.id for u in learners}
    assert rest["next"] is None and rest["remaining"] == 0 and rest["more"] == ""
    assert 'class="case-study-grading"' in rest["html"]  # each with its grading form

    middle = _more(trainer, 10).json  # 10 + 20 is past the 25: the last page
    assert middle["next"] is None and middle["html"].count('data-part="submission"') == 15


def test_a_page_of_answers_refuses_bad_offsets_and_learners(
    app, case_course, site, site_trainer, site_learner, make_user, as_user
):
    _submit(as_user, site_learner, case_course)
    trainer = as_user(site_trainer, case_course)
    for offset in (-1, "20", True, None, 1.5, 10**7):
        response = _more(trainer, offset)
        assert response.status_code == 400, offset
        assert response.json["error"] == (
            "La page de réponses demandée n’existe pas. Veuillez recharger la page."
        )
    assert trainer.call("case_study", "cas", "staff_works", ["not", "an", "object"]).status_code == 400
    english_trainer = make_user(roles=[(Role.TRAINER, site)], language="en")
    in_english = as_user(english_trainer, case_course, language="en")
    english = in_english.call("case_study", "cas", "staff_works", {"offset": -5})
    assert english.status_code == 400
    assert english.json["error"] == "The page of answers asked for does not exist. Please reload the page."
    learner = as_user(site_learner, case_course)
    refused = learner.call("case_study", "cas", "staff_works", {"offset": 0})
    assert refused.status_code == 403 and site_learner.email not in refused.get_data(as_text=True)


def test_a_company_manager_who_sees_the_learner_is_not_course_staff(
    app, case_course, site_company, site_learner, make_user, as_user
):
    _submit(as_user, site_learner, case_course)
    manager = make_user(roles=[(Role.COMPANY_MANAGER, site_company)])
    with app.app_context():
        db.session.add(Enrolment(user_id=manager.id, course_id=case_course.course_id))
        db.session.commit()
    client = as_user(manager, case_course)
    assert "Les réponses de vos apprenants" not in client.page()
    response = _grade(client, site_learner.id, 4)
    assert response.status_code == 403
    assert response.json["error"] == "Seuls les formateurs du cours peuvent faire cela."
    assert completion_row(app, site_learner, case_course) == (1.0, None, None)
