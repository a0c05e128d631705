"""Trainers pin, close, hide and mark answers; learners get the controls neither in the page nor through
the handlers (403, nothing changed)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.forum.models import ForumPost, ForumThread
from tests.plugins.discussion.conftest import reply, start_thread

ONLY_TRAINERS = {"error": "Seuls les formateurs de la formation peuvent faire cela."}


@pytest.fixture
def discussion(forum_course, learner_in, as_user):
    """A learner's thread with a reply; returns (learner client, thread id, reply id)."""
    client = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(client, "Sujet à modérer", "Texte")
    return client, thread_id, reply(client, thread_id, "Une réponse")


def test_trainers_pin_close_hide_and_mark_answers(app, forum_course, trainer, as_user, discussion):
    _client, thread_id, post_id = discussion
    staff = as_user(trainer, forum_course)
    calls = [
        ("pin", {"thread_id": thread_id, "value": True}, "Le sujet est épinglé."),
        ("close", {"thread_id": thread_id, "value": True}, "Le sujet est fermé."),
        ("mark_answer", {"post_id": post_id, "value": True}, "La réponse est marquée comme solution."),
        ("hide", {"kind": "post", "id": post_id, "value": True}, "Le message est masqué aux apprenants."),
        ("hide", {"kind": "thread", "id": thread_id, "value": True}, "Le message est masqué aux apprenants."),
    ]
    for handler, data, message in calls:
        response = staff.call("discussion", "f1", handler, data)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["message"] == message
    with app.app_context():
        thread, post = db.session.get(ForumThread, thread_id), db.session.get(ForumPost, post_id)
        assert (thread.pinned, thread.closed, thread.hidden, thread.reply_count) == (True, True, True, 0)
        assert (post.is_answer, post.hidden) == (True, True)
        assert thread.hidden_at is not None and post.hidden_at is not None
    shown = staff.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
    assert "Masqué aux apprenants" in shown and "Montrer aux apprenants" in shown and "Désépingler" in shown
    assert "Rouvrir" in shown and "Retirer la marque de solution" in shown
    # And back.
    for handler, data, _message in calls:
        assert staff.call("discussion", "f1", handler, {**data, "value": False}).status_code == 200
    with app.app_context():
        thread, post = db.session.get(ForumThread, thread_id), db.session.get(ForumPost, post_id)
        assert (thread.pinned, thread.closed, thread.hidden, thread.reply_count) == (False, False, False, 1)
        assert (post.is_answer, post.hidden) == (False, False)


@pytest.mark.parametrize(
    ("handler", "data"),
    [
        ("pin", lambda t, p: {"thread_id": t, "value": True}),
        ("close", lambda t, p: {"thread_id": t, "value": True}),
        ("hide", lambda t, p: {"kind": "thread", "id": t, "value": True}),
        ("hide", lambda t, p: {"kind": "post", "id": p, "value": True}),
        ("mark_answer", lambda t, p: {"post_id": p, "value": True}),
    ],
)
def test_a_learner_calling_a_trainers_handler_is_refused(
    forum_course, learner_in, as_user, discussion, forum_state, handler, data
):
    author, thread_id, post_id = discussion
    before = forum_state()
    for client in (author, as_user(learner_in(forum_course), forum_course)):
        response = client.call("discussion", "f1", handler, data(thread_id, post_id))
        assert (response.status_code, response.get_json()) == (403, ONLY_TRAINERS)
    assert forum_state() == before


def test_learners_see_no_trainer_controls_and_trainers_do(forum_course, trainer, as_user, discussion):
    client, thread_id, _post_id = discussion
    shown = client.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
    for action in ("pin", "close", "hide", "mark_answer"):
        assert f'data-action="{action}"' not in shown
    staff = as_user(trainer, forum_course).call("discussion", "f1", "open_thread", {"thread_id": thread_id})
    for action in ("pin", "close", "hide", "mark_answer"):
        assert f'data-action="{action}"' in staff.get_json()["html"]


def test_hidden_messages_disappear_for_learners_only(forum_course, learner_in, trainer, as_user, discussion):
    client, thread_id, post_id = discussion
    staff = as_user(trainer, forum_course)
    staff.call("discussion", "f1", "hide", {"kind": "post", "id": post_id, "value": True})
    reader = as_user(learner_in(forum_course), forum_course)
    shown = reader.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
    assert "Une réponse" not in shown and "0 réponse" in shown
    assert "0 réponse" in reader.page()
    refused = reader.call("discussion", "f1", "flag", {"kind": "post", "id": post_id, "thread_id": thread_id})
    assert refused.status_code == 404

    staff.call("discussion", "f1", "hide", {"kind": "thread", "id": thread_id, "value": True})
    assert "Sujet à modérer" not in reader.page() and "Sujet à modérer" not in client.page()
    assert reader.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).status_code == 404
    assert client.call("discussion", "f1", "reply", {"thread_id": thread_id, "body": "?"}).status_code == 404
    listed = staff.page()
    assert "Sujet à modérer" in listed and "Masqué" in listed


def test_malformed_trainer_requests_are_refused(forum_course, trainer, as_user, discussion, forum_state):
    _client, thread_id, post_id = discussion
    staff = as_user(trainer, forum_course)
    before = forum_state()
    for handler, data in (
        ("pin", {"thread_id": thread_id, "value": "true"}),
        ("pin", {"thread_id": thread_id}),
        ("close", {"thread_id": "1", "value": True}),
        ("hide", {"kind": "user", "id": post_id, "value": True}),
        ("mark_answer", {"post_id": None, "value": True}),
    ):
        response = staff.call("discussion", "f1", handler, data)
        assert response.status_code == 400, (handler, data)
        assert response.get_json() == {"error": "La requête est mal formée : rechargez la page et réessayez."}
    for handler, data in (
        ("pin", {"thread_id": 999_999, "value": True}),
        ("mark_answer", {"post_id": 999_999, "value": True}),
    ):
        assert staff.call("discussion", "f1", handler, data).status_code == 404
    assert forum_state() == before


def test_trainers_start_threads_for_everyone_or_for_one_cohort(
    app, forum_course, make_cohort, trainer, as_user
):
    cohort_id = make_cohort(forum_course, "Promo Aurillac")
    staff = as_user(trainer, forum_course)
    page = staff.page()
    assert "Toutes les promotions" in page and "Promo Aurillac" in page
    everyone = start_thread(staff, "Pour tous")
    one = start_thread(staff, "Pour la promo", cohort_id=cohort_id)
    with app.app_context():
        cohorts = dict(db.session.execute(select(ForumThread.title, ForumThread.cohort_id)).all())
    assert cohorts == {"Pour tous": None, "Pour la promo": cohort_id}
    assert everyone != one
    refused = staff.call(
        "discussion", "f1", "create_thread", {"title": "T", "body": "B", "cohort_id": 999_999}
    )
    assert refused.status_code == 400
    assert refused.get_json() == {
        "error": "Choisissez l’une des promotions de votre Cybersite qui suivent cette formation."
    }
    listed = staff.page()
    assert "Promotion : Promo Aurillac" in listed
