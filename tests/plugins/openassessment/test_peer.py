"""Peer assessment among a cohort's learners, through the real handler endpoint: who is given which
response (never one's own, only one's cohort's, the fewest assessed and oldest first), every refusal with
nothing stored, and the median peer score published for each learner once their steps are done."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.core.extensions import db
from app.courses.peer_models import PeerAssessment, PeerSubmission
from tests.plugins.openassessment.conftest import completion_row, make_cohort, ora_xml, stored_state

SUBMISSION = re.compile(r'data-submission="(\d+)"')


def _call(client, handler, data=None):
    return client.call("openassessment", "ora", handler, data)


@pytest.fixture
def course(olx_course):
    """An ORA whose steps are peers (assess 2, assessed by 2) then self."""
    return olx_course(ora_xml("peer", "self"))


@pytest.fixture
def people(app, course, cohort_member, site, other_site):
    """Three learners of one cohort of ``site`` (Anne, Bruno, Chloé) and one of another Cybersite's cohort."""
    first = make_cohort(app, site, "Promotion Aurillac")
    other = make_cohort(app, other_site, "Promotion Ailleurs")
    return {
        "anne": cohort_member(course, site, first, "Anne"),
        "bruno": cohort_member(course, site, first, "Bruno"),
        "chloe": cohort_member(course, site, first, "Chloé"),
        "dora": cohort_member(course, other_site, other, "Dora"),
    }


@pytest.fixture
def clients(people, course, as_user):
    return {name: as_user(user, course) for name, user in people.items()}


def _submit(clients, *names):
    for name in names:
        response = _call(clients[name], "submit", {"responses": [f"Réponse de {name}", f"Mesure de {name}"]})
        assert response.status_code == 200, response.get_data(as_text=True)


def _given(client):
    """The response handed to the learner: (submission id, html), or (None, html) when none waits."""
    response = _call(client, "peer_next")
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.json["html"]
    match = SUBMISSION.search(html)
    return (int(match.group(1)) if match else None), html


def _assess(client, submission_id, idees="riches", clarte="clair"):
    return _call(
        client,
        "peer_assess",
        {"submission_id": submission_id, "choices": {"idees": idees, "clarte": clarte}, "feedback": "Merci."},
    )


def _submission_of(app, user, course):
    with app.app_context():
        return db.session.scalar(
            select(PeerSubmission.id).where(
                PeerSubmission.user_id == user.id,
                PeerSubmission.usage_id == course.usage("openassessment", "ora"),
            )
        )


def test_learners_are_given_their_cohorts_responses_fewest_assessed_and_oldest_first(
    app, course, people, clients
):
    _submit(clients, "anne", "bruno", "chloe", "dora")
    bruno, chloe, anne = (_submission_of(app, people[n], course) for n in ("bruno", "chloe", "anne"))

    given, html = _given(clients["anne"])
    assert given == bruno  # the oldest response that is not hers
    assert "Réponse de bruno" in html and "Réponse de anne" not in html
    # Asking again gives the same response until it is assessed.
    assert _given(clients["anne"])[0] == bruno
    assert _assess(clients["anne"], bruno).status_code == 200

    # Bruno's now has one assessment: Chloé is given Anne's (none yet), the oldest of the fewest assessed.
    assert _given(clients["chloe"])[0] == anne
    assert _given(clients["anne"])[0] == chloe  # never the same response twice

    # Dora's cohort (another Cybersite) has no other response: nothing of the first cohort reaches her.
    given, html = _given(clients["dora"])
    assert given is None
    assert "Aucune réponse d’un autre apprenant de votre groupe n’attend encore d’être évaluée." in html
    for name in ("anne", "bruno", "chloe"):
        assert f"Réponse de {name}" not in html and f"Réponse de {name}" not in clients["dora"].page()


def test_a_learner_cannot_assess_their_own_a_response_not_given_or_twice(app, course, people, clients):
    early = _call(clients["anne"], "peer_next")
    assert early.status_code == 409 and early.json["error"] == "Envoyez d’abord votre réponse."
    _submit(clients, "anne", "bruno", "chloe")
    anne, bruno, chloe = (_submission_of(app, people[n], course) for n in ("anne", "bruno", "chloe"))
    assert _given(clients["anne"])[0] == bruno

    for target in (anne, chloe, 999_999):
        response = _assess(clients["anne"], target)
        assert response.status_code == 403
        assert response.json["error"] == "Cette réponse ne vous a pas été confiée pour évaluation."

    wrong = _assess(clients["anne"], bruno, idees="géniales")
    assert (
        wrong.status_code == 400 and wrong.json["error"] == "« géniales » n’est pas une option de « Idées »."
    )
    for wrong_id in ("1", 2**40, -1, True):
        bad = _call(clients["anne"], "peer_assess", {"submission_id": wrong_id, "choices": {}})
        assert bad.status_code == 400 and bad.json["error"] == "Indiquez la réponse que vous avez évaluée."
    with app.app_context():
        assert db.session.scalar(select(PeerAssessment.completed_at)) is None
        assert db.session.scalars(select(PeerSubmission.assessed_count)).all() == [0, 0, 0]

    assert _assess(clients["anne"], bruno).status_code == 200
    twice = _assess(clients["anne"], bruno, idees="aucune")
    assert twice.status_code == 409 and twice.json["error"] == "Vous avez déjà évalué cette réponse."
    with app.app_context():
        assert (
            db.session.scalar(select(PeerAssessment.points).where(PeerAssessment.submission_id == bruno)) == 7
        )


def test_the_median_peer_score_is_published_once_every_step_is_done(app, course, people, clients):
    _submit(clients, "anne", "bruno", "chloe")
    marks = {  # what each learner gives to each other learner's response (idees, clarte)
        ("anne", "bruno"): ("riches", "clair"),
        ("anne", "chloe"): ("quelques", "confus"),
        ("bruno", "anne"): ("quelques", "clair"),
        ("bruno", "chloe"): ("aucune", "confus"),
        ("chloe", "anne"): ("riches", "confus"),
        ("chloe", "bruno"): ("riches", "clair"),
    }
    owner = {_submission_of(app, people[n], course): n for n in ("anne", "bruno", "chloe")}
    for scorer in ("anne", "bruno", "chloe"):
        assert "Évaluez vos pairs" in clients[scorer].page()
        blocked = _call(clients[scorer], "self_assess", {"choices": {"idees": "riches", "clarte": "clair"}})
        assert blocked.status_code == 409  # the peer step comes first in this ORA
        for _ in range(2):
            given, _html = _given(clients[scorer])
            idees, clarte = marks[(scorer, owner[given])]
            assert _assess(clients[scorer], given, idees, clarte).status_code == 200
        done = _call(clients[scorer], "peer_next")
        assert done.status_code == 409
        assert done.json["error"] == "Vous avez évalué toutes les réponses que demande cette étape."

    # Every response has its two assessments, but the self step is still to do: no grade yet.
    assert all(
        completion_row(app, people[n], course) == (1.0, None, None) for n in ("anne", "bruno", "chloe")
    )
    response = _call(clients["anne"], "self_assess", {"choices": {"idees": "aucune", "clarte": "confus"}})
    assert response.status_code == 200
    # Anne's peers gave idees 3 and 5 (median rounded up: 4) and clarte 2 and 0 (median 1): 5 of 7; her
    # own low self-assessment does not count when peers assess, as in ORA.
    assert completion_row(app, people["anne"], course) == (1.0, 5.0, 7.0)
    html = response.json["html"]
    assert "Votre note : 5 sur 7." in html
    assert '<th scope="col">Pairs (médiane)</th>' in html and "Formateur" not in html
    assert "Anne" not in html and "Bruno" not in html and "Chloé" not in html  # peers stay anonymous
    assert "Les commentaires de vos pairs" in html and html.count('<div class="ora-text">Merci.</div>') == 2
    idees = html[html.index('<th scope="row">Idées</th>') : html.index('<th scope="row">Clarté</th>')]
    assert "4 points" in idees and "Aucune (0 point)" in idees
    assert "1 point" in html[html.index('<th scope="row">Clarté</th>') :]
    assert stored_state(app, people["anne"], course)["self_assessment"]["choices"] == {
        "idees": "aucune",
        "clarte": "confus",
    }
    # Bruno: idees 5 and 5, clarte 2 and 2 → 7.
    response = _call(clients["bruno"], "self_assess", {"choices": {"idees": "riches", "clarte": "clair"}})
    assert response.status_code == 200
    assert completion_row(app, people["bruno"], course) == (1.0, 7.0, 7.0)


def test_a_peer_only_ora_grades_the_author_when_their_last_assessment_arrives(
    app, olx_course, cohort_member, site, as_user
):
    course = olx_course(
        ora_xml(assessments='<assessment name="peer-assessment" must_grade="1" must_be_graded_by="1"/>')
    )
    cohort = make_cohort(app, site, "Promotion")
    anne, bruno = (cohort_member(course, site, cohort, name) for name in ("Anne", "Bruno"))
    a, b = as_user(anne, course), as_user(bruno, course)
    for client in (a, b):
        assert _call(client, "submit", {"responses": ["Texte", "Texte"]}).status_code == 200
    first, _html = _given(a)
    assert _assess(a, first, "quelques", "clair").status_code == 200
    # Anne assessed hers but received none yet; Bruno's response has its assessment but he has not assessed.
    assert completion_row(app, anne, course) == (1.0, None, None)
    assert completion_row(app, bruno, course) == (1.0, None, None)
    second, _html = _given(b)
    assert _assess(b, second, "riches", "confus").status_code == 200
    # Bruno's own last step publishes his grade, and Anne's (her last assessment arrived) in his request.
    assert completion_row(app, bruno, course) == (1.0, 5.0, 7.0)
    assert completion_row(app, anne, course) == (1.0, 5.0, 7.0)


def test_the_next_response_is_found_by_one_query_on_the_pool_index(app, course, people, clients):
    _submit(clients, "anne", "bruno", "chloe")
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("the plan is read with SQLite's EXPLAIN QUERY PLAN")
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert _given(clients["anne"])[0] is not None
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    (pool,) = [(sql, params) for sql, params in seen if "ORDER BY peer_submission.assessed_count" in sql]
    with engine.connect() as connection:
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + pool[0], pool[1]).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX ix_peer_submission_pool" in details, details
    assert "SCAN peer_submission" not in details, details


def test_learners_enrolled_without_a_cohort_share_a_pool_of_their_own(
    app, olx_course, cohort_member, site, as_user
):
    course = olx_course(ora_xml("peer", "self"))
    cohort = make_cohort(app, site, "Promotion")
    alone_a, alone_b = (cohort_member(course, site, None, name) for name in ("Alice", "Basile"))
    member = cohort_member(course, site, cohort, "Camille")
    clients = {user.display_name: as_user(user, course) for user in (member, alone_a, alone_b)}
    for name, client in clients.items():
        assert _call(client, "submit", {"responses": [f"De {name}", "."]}).status_code == 200
    assert _given(clients["Alice"])[0] == _submission_of(app, alone_b, course)
    assert _given(clients["Camille"])[0] is None  # alone in her cohort: nobody without one is given to her


def test_no_peer_assessment_outside_the_steps_dates(app, olx_course, cohort_member, site, as_user):
    steps = '<assessment name="peer-assessment" must_grade="1" must_be_graded_by="1" due="2021-01-01T00:00"/>'
    course = olx_course(ora_xml(assessments=steps))
    cohort = make_cohort(app, site, "Promotion")
    anne, bruno = (cohort_member(course, site, cohort, name) for name in ("Anne", "Bruno"))
    for user in (anne, bruno):
        client = as_user(user, course)
        assert _call(client, "submit", {"responses": ["Texte", "Texte"]}).status_code == 200
    response = _call(client, "peer_next")
    assert response.status_code == 403 and response.json["error"].startswith("Cette étape a fermé le ")
    with app.app_context():
        assert db.session.scalar(select(sa.func.count()).select_from(PeerAssessment)) == 0


def test_a_response_submitted_before_the_peer_step_existed_joins_the_pool(
    app, olx_course, cohort_member, site, as_user
):
    course = olx_course(ora_xml("self"))
    cohort = make_cohort(app, site, "Promotion")
    anne, bruno = (cohort_member(course, site, cohort, name) for name in ("Anne", "Bruno"))
    assert _call(as_user(anne, course), "submit", {"responses": ["D’Anne", "."]}).status_code == 200
    # The course is imported again with a peer step (the same block: Anne's response stays hers).
    course = olx_course(ora_xml("peer", "self"))
    assert _call(as_user(bruno, course), "submit", {"responses": ["De Bruno", "."]}).status_code == 200
    given, html = _given(as_user(anne, course))
    assert given == _submission_of(app, bruno, course) and "De Bruno" in html
    assert _given(as_user(bruno, course))[0] == _submission_of(app, anne, course)


def test_the_steps_are_taken_in_the_order_of_the_olx(app, olx_course, cohort_member, site, as_user):
    course = olx_course(ora_xml("self", "peer"))
    cohort = make_cohort(app, site, "Promotion")
    anne, bruno = (cohort_member(course, site, cohort, name) for name in ("Anne", "Bruno"))
    a = as_user(anne, course)
    for client in (a, as_user(bruno, course)):
        assert _call(client, "submit", {"responses": ["Texte", "Texte"]}).status_code == 200
    early = _call(a, "peer_next")
    assert (
        early.status_code == 409
        and early.json["error"] == "Terminez d’abord les étapes qui précèdent celle-ci."
    )
    assert _call(a, "self_assess", {"choices": {"idees": "riches", "clarte": "clair"}}).status_code == 200
    assert _given(a)[0] == _submission_of(app, bruno, course)
