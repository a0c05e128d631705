"""The moderation page (/forum/moderation): trainers see reported and hidden messages of every course and
hide, show again or dismiss reports (CSRF forms, POST-redirect-GET); everyone else gets 403."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.forum.models import ForumFlag, ForumPost, ForumThread
from tests.conftest import csrf_token, sign_in
from tests.plugins.discussion.conftest import reply, start_thread

PAGE = "/forum/moderation"


@pytest.fixture
def reported(forum_course, learner_in, as_user):
    """A thread and a reply by one learner, the reply reported by two readers; returns their ids."""
    author = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(author, "Sujet signalé", "Ouverture")
    post_id = reply(author, thread_id, "Réponse **grossière**")
    for reason in ("Insultes", ""):
        reader = as_user(learner_in(forum_course), forum_course)
        data = {"kind": "post", "id": post_id, "thread_id": thread_id, "reason": reason}
        assert reader.call("discussion", "f1", "flag", data).status_code == 200
    return thread_id, post_id


@pytest.fixture
def moderator(client, trainer):
    """A client signed in as a trainer."""
    sign_in(client, trainer.email)
    return client


def _act(client, kind: str, target_id: int, action: str, **fields):
    token = csrf_token(client, PAGE)
    return client.post(f"/forum/moderation/{kind}/{target_id}/{action}", data={"csrf_token": token, **fields})


def test_trainers_see_reported_messages_with_who_reported_them_and_why(moderator, forum_course, reported):
    _thread_id, _post_id = reported
    page = moderator.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Modération des forums" in html and "Signalés (1)" in html and "Masqués (0)" in html
    assert "Sujet signalé" in html and "Réponse <strong>grossière</strong>" in html
    assert "Signalements (2) :" in html and "« Insultes »" in html
    assert "Cours de test" in html
    assert f'<a href="{forum_course.unit_url()}">Sujet signalé</a>' in html
    ids = re.findall(r'(?<![\w-])id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), ids  # one form per action, and no duplicate ids
    assert 'href="/forum/moderation"' in html  # the navigation entry


def test_hiding_from_the_queue_hides_for_learners_and_settles_the_reports(
    app, moderator, forum_course, reported, learner_in, as_user
):
    thread_id, post_id = reported
    response = _act(moderator, "reponse", post_id, "masquer", show="reported", page="1")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/forum/moderation?vue=reported&page=1"
    )
    assert "Le message est masqué aux apprenants." in moderator.get(PAGE).get_data(as_text=True)
    with app.app_context():
        post = db.session.get(ForumPost, post_id)
        assert post.hidden and db.session.get(ForumThread, thread_id).reply_count == 0
        assert db.session.scalar(select(ForumFlag.id).where(ForumFlag.dismissed_at.is_(None))) is None
    shown = as_user(learner_in(forum_course), forum_course).call(
        "discussion", "f1", "open_thread", {"thread_id": thread_id}
    )
    assert "grossière" not in shown.get_json()["html"]
    hidden = moderator.get(PAGE + "?vue=hidden").get_data(as_text=True)
    assert "Masqués (1)" in hidden and "grossière" in hidden and "Montrer de nouveau aux apprenants" in hidden
    assert _act(moderator, "reponse", post_id, "afficher").status_code == 302
    with app.app_context():
        assert not db.session.get(ForumPost, post_id).hidden
        assert db.session.get(ForumThread, thread_id).reply_count == 1


def test_dismissing_reports_keeps_the_message_and_empties_the_queue(app, moderator, reported):
    _thread_id, post_id = reported
    assert _act(moderator, "reponse", post_id, "classer").status_code == 302
    html = moderator.get(PAGE).get_data(as_text=True)
    assert "Les signalements sont classés ; le message reste tel quel." in html
    assert "Aucun message signalé : rien à faire." in html
    with app.app_context():
        assert not db.session.get(ForumPost, post_id).hidden
        flags = db.session.scalars(select(ForumFlag)).all()
        assert len(flags) == 2 and all(f.dismissed_at is not None for f in flags)


def test_a_thread_can_be_hidden_from_the_queue(app, moderator, reported, forum_course, learner_in, as_user):
    thread_id, _post_id = reported
    assert _act(moderator, "sujet", thread_id, "masquer").status_code == 302
    with app.app_context():
        assert db.session.get(ForumThread, thread_id).hidden
    assert "Sujet signalé" not in as_user(learner_in(forum_course), forum_course).page()


def test_learners_and_visitors_are_kept_out(app, client, reported, forum_course, learner_in, forum_state):
    _thread_id, post_id = reported
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and "/compte/connexion" in anonymous.headers["Location"]
    learner = learner_in(forum_course)
    sign_in(client, learner.email)
    assert client.get(PAGE).status_code == 403
    before = forum_state()
    token = csrf_token(client, "/")  # a valid token of the learner's own session
    response = client.post(f"/forum/moderation/reponse/{post_id}/masquer", data={"csrf_token": token})
    assert response.status_code == 403
    assert forum_state() == before
    assert 'href="/forum/moderation"' not in client.get("/").get_data(as_text=True)


def test_forged_unknown_and_malformed_actions_change_nothing(moderator, reported, forum_state):
    _thread_id, post_id = reported
    before = forum_state()
    assert moderator.post(f"/forum/moderation/reponse/{post_id}/masquer").status_code == 400  # no CSRF token
    assert _act(moderator, "reponse", 999_999, "masquer").status_code == 404
    assert _act(moderator, "sujet", 999_999, "classer").status_code == 404
    assert _act(moderator, "utilisateur", post_id, "masquer").status_code == 404
    assert _act(moderator, "reponse", post_id, "supprimer").status_code == 404
    assert moderator.get(f"/forum/moderation/reponse/{post_id}/masquer").status_code == 405
    assert forum_state() == before


def test_the_queue_is_paged(app, moderator, forum_course, reported, learner_in):
    thread_id, _post_id = reported
    reader = learner_in(forum_course)
    with app.app_context():
        for n in range(25):
            post = ForumPost(
                thread_id=thread_id, author_id=None, body_markdown="x", body_html=f"<p>message {n}</p>"
            )
            db.session.add(post)
            db.session.flush()
            db.session.add(ForumFlag(post_id=post.id, user_id=reader.id))
        db.session.commit()
    first = moderator.get(PAGE).get_data(as_text=True)
    assert "Signalés (26)" in first and "Page 1 sur 2" in first
    assert len(re.findall(r'class="card"', first)) == 20
    second = moderator.get(PAGE + "?page=2").get_data(as_text=True)
    assert len(re.findall(r'class="card"', second)) == 6
    assert moderator.get(PAGE + "?page=abc&vue=nimporte").status_code == 200
