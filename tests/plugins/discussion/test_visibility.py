"""Who sees which thread: a cohort-divided forum (the default) and a course-wide one, for learners of
the same cohort, of another cohort, of a cohort that shares its forum, of no cohort, and for trainers.
The rule is applied by the forum's queries: listing, opening and replying all follow it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import Enrolment
from app.forum.models import ForumThread
from tests.plugins.discussion.conftest import start_thread


@pytest.fixture
def people(forum_course, make_cohort, learner_in, trainer, as_user):
    """Two learners in each of the private cohorts A and B, two in the sharing cohort C, two without
    cohort, and a trainer; each learner's first client started a thread named after its group."""
    a, b = make_cohort(forum_course, "A"), make_cohort(forum_course, "B")
    c = make_cohort(forum_course, "C", within=False)
    clients = {}
    for group, cohort in (("A", a), ("B", b), ("C", c), ("N", None)):
        for n in (1, 2):
            clients[f"{group}{n}"] = as_user(learner_in(forum_course, cohort), forum_course)
    clients["T"] = as_user(trainer, forum_course)
    for name in ("A1", "B1", "C1", "N1", "T"):
        for forum in ("f1", "f2"):
            start_thread(clients[name], f"Sujet de {name} ({forum})", "Texte", forum=forum)
    return clients, {"A": a, "B": b, "C": c}


SEES_IN_DIVIDED_FORUM = {
    "A2": {"A1", "C1", "N1", "T"},
    "B2": {"B1", "C1", "N1", "T"},
    "C2": {"C1", "N1", "T"},
    "N2": {"C1", "N1", "T"},
    "T": {"A1", "B1", "C1", "N1", "T"},
}
EVERYONE = {"A1", "B1", "C1", "N1", "T"}


def _listed(client, forum: str) -> set[str]:
    html = client.call("discussion", forum, "list_threads", {"page": 1}).get_json()["html"]
    return {name for name in EVERYONE if f"Sujet de {name} ({forum})" in html}


@pytest.mark.parametrize("viewer", sorted(SEES_IN_DIVIDED_FORUM))
def test_a_divided_forum_shows_each_reader_their_cohorts_threads(app, people, viewer):
    clients, _cohorts = people
    assert _listed(clients[viewer], "f1") == SEES_IN_DIVIDED_FORUM[viewer]
    assert _listed(clients[viewer], "f2") == EVERYONE
    with app.app_context():
        ids = dict(db.session.execute(select(ForumThread.title, ForumThread.id)).all())
    for name in EVERYONE:
        thread_id = ids[f"Sujet de {name} (f1)"]
        opened = clients[viewer].call("discussion", "f1", "open_thread", {"thread_id": thread_id})
        replied = clients[viewer].call("discussion", "f1", "reply", {"thread_id": thread_id, "body": "Vu"})
        expected = 200 if name in SEES_IN_DIVIDED_FORUM[viewer] else 404
        assert (opened.status_code, replied.status_code) == (expected, expected), name
        course_wide = clients[viewer].call(
            "discussion", "f2", "open_thread", {"thread_id": ids[f"Sujet de {name} (f2)"]}
        )
        assert course_wide.status_code == 200


def test_threads_belong_to_their_authors_cohort_in_a_divided_forum_only(app, people):
    _clients, cohorts = people
    with app.app_context():
        rows = dict(db.session.execute(select(ForumThread.title, ForumThread.cohort_id)).all())
    assert rows == {
        "Sujet de A1 (f1)": cohorts["A"], "Sujet de B1 (f1)": cohorts["B"], "Sujet de C1 (f1)": cohorts["C"],
        "Sujet de N1 (f1)": None, "Sujet de T (f1)": None,
        **{f"Sujet de {name} (f2)": None for name in EVERYONE},
    }  # fmt: skip


def test_trainers_see_each_threads_cohort_and_learners_do_not(people):
    clients, _cohorts = people
    staff = clients["T"].call("discussion", "f1", "list_threads", {}).get_json()["html"]
    assert "Promotion : A" in staff and "Promotion : B" in staff and "Promotion : C" in staff
    learner = clients["A2"].call("discussion", "f1", "list_threads", {}).get_json()["html"]
    assert "Promotion :" not in learner


def test_the_page_tells_who_reads_the_threads(people):
    clients, _cohorts = people
    page = clients["A2"].page()
    assert "Les apprenants de votre promotion et les formateurs lisent ces sujets." in page
    assert "Tous les inscrits à la formation et les formateurs lisent ces sujets." in page


def test_a_learner_who_leaves_the_course_no_longer_reaches_its_forum(app, forum_course, learner_in, as_user):
    user = learner_in(forum_course)
    client = as_user(user, forum_course)
    thread_id = start_thread(client)
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
        enrolment.active = False
        db.session.commit()
    assert client.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).status_code == 403
