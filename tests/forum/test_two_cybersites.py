"""Two Cybersites on one course: each trainer reads and moderates the forum of the learners they follow.

Cybersite A and Cybersite B each have a trainer, a cohort that keeps its forum to itself, a company and
learners, all on the same course. A's learners write, reply and report in A's cohort; B's trainer must not
read any of it (moderation queue, unit page, every handler), nor change it; the threads of no cohort are
the whole course's and every trainer moderates them; network administrators see everything.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.forum.models import ForumFlag, ForumPost, ForumThread
from tests.conftest import csrf_token, sign_in
from tests.plugins.discussion.conftest import reply, start_thread

PAGE = "/forum/moderation"
# What A's learners write and report: none of it may reach a page of B's trainer.
A_SECRETS = ("Secret de la promo A", "Ouverture réservée à A", "Réponse privée de A", "Motif de A")


@pytest.fixture
def two_sites(app, forum_course, forum_site, make_cybersite, make_user, make_cohort, learner_in, as_user):
    """A (``forum_site``) and B, with their trainers, cohorts and learners; A's learners' thread, reply
    (reported, hidden by nobody yet) and a second report on the thread; returns what the tests use."""
    site_b = make_cybersite(name="Cybersite d'Aurillac")
    cohort_a = make_cohort(forum_course, name="Promo Clermont", site=forum_site)
    cohort_b = make_cohort(forum_course, name="Promo Aurillac", site=site_b)
    author = learner_in(forum_course, cohort_a, display_name="Alice Auteur")
    reporter = learner_in(forum_course, cohort_a, display_name="Roger Rapporteur")
    learner_b = learner_in(forum_course, cohort_b, site=site_b, display_name="Berthe Apprenante")
    author_client = as_user(author, forum_course)
    thread_id = start_thread(author_client, A_SECRETS[0], A_SECRETS[1])
    post_id = reply(author_client, thread_id, A_SECRETS[2])
    reporter_client = as_user(reporter, forum_course)
    for kind, ident in (("post", post_id), ("thread", thread_id)):
        data = {"kind": kind, "id": ident, "thread_id": thread_id, "reason": A_SECRETS[3]}
        assert reporter_client.call("discussion", "f1", "flag", data).status_code == 200
    b_thread = start_thread(as_user(learner_b, forum_course), "Question de la promo B", "Bonjour d'Aurillac")
    return {
        "trainer_a": make_user(roles=[(Role.TRAINER, forum_site)], display_name="Anne Formatrice"),
        "trainer_b": make_user(roles=[(Role.TRAINER, site_b)], display_name="Bruno Formateur"),
        "admin": make_user(roles=[(Role.NETWORK_ADMIN, None)]),
        "author": author,
        "reporter": reporter,
        "learner_b": learner_b,
        "thread_id": thread_id,
        "post_id": post_id,
        "b_thread": b_thread,
        "cohort_a": cohort_a,
        "cohort_b": cohort_b,
    }


def _signed_in(app, user):
    client = app.test_client()
    sign_in(client, user.email)
    return client


def _assert_nothing_of_a(html: str) -> None:
    for secret in (*A_SECRETS, "Alice Auteur", "Roger Rapporteur", "Promo Clermont"):
        assert secret not in html, secret


def test_b_s_trainer_reads_nothing_of_a_in_the_moderation_queue(app, two_sites):
    trainer_b = _signed_in(app, two_sites["trainer_b"])
    for view in ("", "?vue=reported", "?vue=hidden", "?vue=reported&page=2", "?vue=hidden&page=9"):
        response = trainer_b.get(PAGE + view)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        _assert_nothing_of_a(html)
        assert "Signalés (0)" in html and "Masqués (0)" in html


def test_a_s_trainer_and_the_administrator_see_a_s_reports_with_their_authors(app, two_sites):
    for who in ("trainer_a", "admin"):
        html = _signed_in(app, two_sites[who]).get(PAGE).get_data(as_text=True)
        assert "Signalés (2)" in html, who
        for secret in A_SECRETS:
            assert secret in html, (who, secret)
        assert "Alice Auteur" in html and "Roger Rapporteur" in html


@pytest.mark.parametrize(
    ("kind", "action"),
    [(kind, action) for kind in ("sujet", "reponse") for action in ("masquer", "afficher", "classer")],
)
def test_b_s_trainer_cannot_moderate_a_s_messages_from_the_queue(app, two_sites, forum_state, kind, action):
    trainer_b = _signed_in(app, two_sites["trainer_b"])
    target = two_sites["thread_id"] if kind == "sujet" else two_sites["post_id"]
    before = forum_state()
    token = csrf_token(trainer_b, PAGE)
    response = trainer_b.post(f"{PAGE}/{kind}/{target}/{action}", data={"csrf_token": token})
    assert response.status_code == 404
    assert forum_state() == before


def test_a_s_trainer_moderates_a_s_messages_from_the_queue(app, two_sites):
    trainer_a = _signed_in(app, two_sites["trainer_a"])
    token = csrf_token(trainer_a, PAGE)
    response = trainer_a.post(f"{PAGE}/reponse/{two_sites['post_id']}/masquer", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ForumPost, two_sites["post_id"]).hidden


def test_b_s_trainer_sees_only_b_s_threads_on_the_unit_page(forum_course, two_sites, as_user):
    trainer_b = as_user(two_sites["trainer_b"], forum_course)
    page = trainer_b.page()
    _assert_nothing_of_a(page)
    assert "Question de la promo B" in page and "Promo Aurillac" in page
    listing = trainer_b.call("discussion", "f1", "list_threads", {"page": 1})
    assert listing.status_code == 200
    _assert_nothing_of_a(listing.get_json()["html"])
    assert "Question de la promo B" in listing.get_json()["html"]
    # A's trainer sees A's thread (and not B's private one).
    page_a = as_user(two_sites["trainer_a"], forum_course).page()
    assert A_SECRETS[0] in page_a and "Question de la promo B" not in page_a


def _handler_calls(thread_id: int, post_id: int) -> list[tuple[str, dict]]:
    return [
        ("open_thread", {"thread_id": thread_id}),
        ("reply", {"thread_id": thread_id, "body": "Intrusion"}),
        ("flag", {"kind": "thread", "id": thread_id, "thread_id": thread_id, "reason": "x"}),
        ("flag", {"kind": "post", "id": post_id, "thread_id": thread_id, "reason": "x"}),
        ("pin", {"thread_id": thread_id, "value": True}),
        ("close", {"thread_id": thread_id, "value": True}),
        ("hide", {"kind": "thread", "id": thread_id, "value": True}),
        ("hide", {"kind": "post", "id": post_id, "value": True}),
        ("mark_answer", {"post_id": post_id, "value": True}),
        ("edit", {"kind": "thread", "id": thread_id, "title": "Changé", "body": "Changé"}),
        ("edit", {"kind": "post", "id": post_id, "body": "Changé"}),
    ]


def test_b_s_trainer_is_refused_every_handler_on_a_s_thread_and_reply(
    forum_course, two_sites, as_user, forum_state
):
    trainer_b = as_user(two_sites["trainer_b"], forum_course)
    before = forum_state()
    for handler, data in _handler_calls(two_sites["thread_id"], two_sites["post_id"]):
        response = trainer_b.call("discussion", "f1", handler, data)
        assert response.status_code in (403, 404), (handler, response.status_code)
        _assert_nothing_of_a(response.get_data(as_text=True))
    assert forum_state() == before


def test_b_s_trainer_cannot_start_a_thread_in_a_s_cohort(forum_course, two_sites, as_user, forum_state):
    trainer_b = as_user(two_sites["trainer_b"], forum_course)
    before = forum_state()
    data = {"title": "Pour A", "body": "Intrusion", "cohort_id": two_sites["cohort_a"]}
    response = trainer_b.call("discussion", "f1", "create_thread", data)
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "Choisissez l’une des promotions de votre Cybersite qui suivent cette formation."
    }
    assert forum_state() == before
    own = {**data, "cohort_id": two_sites["cohort_b"]}
    assert trainer_b.call("discussion", "f1", "create_thread", own).status_code == 200


def test_a_s_trainer_moderates_a_s_thread_through_the_handlers(app, forum_course, two_sites, as_user):
    trainer_a = as_user(two_sites["trainer_a"], forum_course)
    for handler, data in _handler_calls(two_sites["thread_id"], two_sites["post_id"])[4:9]:
        response = trainer_a.call("discussion", "f1", handler, data)
        assert response.status_code == 200, (handler, response.get_data(as_text=True))
    with app.app_context():
        thread = db.session.get(ForumThread, two_sites["thread_id"])
        assert (thread.pinned, thread.closed, thread.hidden) == (True, True, True)


def test_threads_of_no_cohort_are_moderated_by_every_trainer_without_naming_foreign_reporters(
    app, forum_course, two_sites, as_user, learner_in
):
    """A thread of no cohort is the whole course's: B's trainer moderates it too, but is not told which
    learner of A reported it."""
    loner = learner_in(forum_course, None, display_name="Lucie Sanspromo")
    thread_id = start_thread(as_user(loner, forum_course), "Question à tous", "Pour toute la formation")
    reporter = as_user(two_sites["reporter"], forum_course)
    flagged = reporter.call(
        "discussion",
        "f1",
        "flag",
        {"kind": "thread", "id": thread_id, "thread_id": thread_id, "reason": "Hors sujet"},
    )
    assert flagged.status_code == 200, flagged.get_data(as_text=True)
    html_b = _signed_in(app, two_sites["trainer_b"]).get(PAGE).get_data(as_text=True)
    assert "Question à tous" in html_b and "« Hors sujet »" in html_b
    assert "une personne d’un autre Cybersite" in html_b and "Roger Rapporteur" not in html_b
    html_a = _signed_in(app, two_sites["trainer_a"]).get(PAGE).get_data(as_text=True)
    assert "Question à tous" in html_a and "Roger Rapporteur" in html_a
    trainer_b = as_user(two_sites["trainer_b"], forum_course)
    assert (
        trainer_b.call("discussion", "f1", "pin", {"thread_id": thread_id, "value": True}).status_code == 200
    )
    with app.app_context():
        assert db.session.get(ForumThread, thread_id).pinned


def test_the_administrator_reaches_every_cybersite_s_threads(app, forum_course, two_sites, as_user):
    admin = as_user(two_sites["admin"], forum_course)
    page = admin.page()
    assert A_SECRETS[0] in page and "Question de la promo B" in page
    opened = admin.call("discussion", "f1", "open_thread", {"thread_id": two_sites["thread_id"]})
    assert opened.status_code == 200 and A_SECRETS[2] in opened.get_json()["html"]


def test_a_learner_of_b_in_an_open_cohort_still_reads_a_s_open_threads(
    app, forum_course, forum_site, make_cohort, learner_in, as_user, two_sites
):
    """The trainers' reach does not narrow what learners read: a cohort that opens its forum is read by
    every learner of the course (Open edX's rule), whichever Cybersite runs it."""
    open_cohort = make_cohort(forum_course, name="Promo ouverte", within=False, site=forum_site)
    writer = learner_in(forum_course, open_cohort)
    start_thread(as_user(writer, forum_course), "Sujet ouvert de A", "Lisible par tous")
    assert "Sujet ouvert de A" in as_user(two_sites["learner_b"], forum_course).page()
    assert "Sujet ouvert de A" not in as_user(two_sites["trainer_b"], forum_course).page()
    with app.app_context():
        flags = db.session.scalars(select(ForumFlag.id)).all()
        assert len(flags) == 2  # only the fixture's two reports


def test_the_queue_costs_the_same_statements_for_few_and_many_reports(
    app, forum_course, two_sites, as_user, learner_in, count_statements
):
    """The reach is a condition of the queue's own statements: a fixed number whatever the reports."""

    def measure() -> dict[str, int]:
        counts = {}
        for who in ("trainer_a", "trainer_b", "admin"):
            client = _signed_in(app, two_sites[who])
            response, statements = count_statements(lambda client=client: client.get(PAGE))
            assert response.status_code == 200
            counts[who] = len(statements)
        return counts

    few = measure()
    reporter = as_user(two_sites["reporter"], forum_course)
    for n in range(11):
        author = as_user(learner_in(forum_course, two_sites["cohort_a"]), forum_course)
        thread_id = start_thread(author, f"Sujet {n}", "Texte")
        data = {"kind": "thread", "id": thread_id, "thread_id": thread_id, "reason": f"Motif {n}"}
        assert reporter.call("discussion", "f1", "flag", data).status_code == 200
    assert measure() == few
