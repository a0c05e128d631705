"""Learners post threads and replies through the block's handlers; what is stored, shown and refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.core.extensions import db
from app.forum.models import BODY_MAX, ForumFlag, ForumPost, ForumThread
from app.progress.models import BlockCompletion
from tests.plugins.discussion.conftest import assert_safe, read_state, reply, start_thread


def test_a_thread_and_its_replies_are_stored_listed_and_shown(app, forum_course, learner_in, as_user):
    author, reader = learner_in(forum_course), learner_in(forum_course)
    client = as_user(author, forum_course)
    html = client.page()
    assert "Forum du chapitre 1" in html and "Chapitre 1" in html and "Questions et retours" in html
    assert "Aucun sujet pour l’instant" in html
    thread_id = start_thread(client, "Facturation en ligne ?", "Quel outil utilisez-vous ?")
    reply(client, thread_id, "Nous utilisons un logiciel libre.")

    with app.app_context():
        thread = db.session.get(ForumThread, thread_id)
        assert (thread.course_key, thread.discussion_id) == (forum_course.course_key, "ch1-forum")
        assert thread.usage_id == forum_course.usage("discussion", "f1")
        assert thread.author_id == author.id and thread.reply_count == 1 and thread.cohort_id is None
        assert thread.body_markdown == "Quel outil utilisez-vous ?"
        assert thread.body_html == "<p>Quel outil utilisez-vous ?</p>"

    other = as_user(reader, forum_course)
    page = other.page()
    assert "Facturation en ligne ?" in page and "1 réponse" in page
    answer = other.call("discussion", "f1", "open_thread", {"thread_id": thread_id})
    assert answer.status_code == 200
    shown = answer.get_json()["html"]
    assert (
        "<p>Quel outil utilisez-vous ?</p>" in shown and "<p>Nous utilisons un logiciel libre.</p>" in shown
    )


def test_the_first_post_completes_the_block_once(app, forum_course, learner_in, as_user):
    learner = learner_in(forum_course)
    client = as_user(learner, forum_course)
    client.page()

    def completions():
        with app.app_context():
            return db.session.execute(
                select(BlockCompletion.usage_id, BlockCompletion.completion).where(
                    BlockCompletion.user_id == learner.id, BlockCompletion.block_type == "discussion"
                )
            ).all()

    assert completions() == []  # seeing the forum does not complete it
    thread_id = start_thread(client)
    assert completions() == [(forum_course.usage("discussion", "f1"), 1.0)]
    with app.app_context():
        first = db.session.scalar(
            select(BlockCompletion.completed_at).where(BlockCompletion.user_id == learner.id)
        )
    reply(client, thread_id)
    reply(client, thread_id, "Encore un mot")
    client.page()
    assert completions() == [(forum_course.usage("discussion", "f1"), 1.0)]
    with app.app_context():
        again = db.session.scalar(
            select(BlockCompletion.completed_at).where(BlockCompletion.user_id == learner.id)
        )
    assert again == first  # no second completion event was recorded


def test_a_reply_completes_the_block_of_a_learner_who_never_started_a_thread(
    app, forum_course, learner_in, as_user
):
    author, replier = learner_in(forum_course), learner_in(forum_course)
    thread_id = start_thread(as_user(author, forum_course))
    reply(as_user(replier, forum_course), thread_id)
    with app.app_context():
        done = db.session.scalar(
            select(BlockCompletion.completion).where(BlockCompletion.user_id == replier.id)
        )
    assert done == 1.0


HOSTILE = (
    "**gras** et _italique_\n\n"
    "<script>alert(1)</script>\n\n"
    '<img src=x onerror="alert(2)">\n\n'
    "[piège](javascript:alert(3)) [ok](https://example.org/page)\n\n"
    "![image](https://example.org/x.png)\n\n"
    '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>\n\n'
    "> citation\n\n- un\n- deux\n\n`<b>code</b>`"
)


def test_markdown_is_rendered_and_everything_hostile_is_escaped_or_dropped(
    app, forum_course, learner_in, as_user
):
    client = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(client, '<b onmouseover="alert(4)">Titre</b>', HOSTILE)
    with app.app_context():
        stored = db.session.get(ForumThread, thread_id)
        html = stored.body_html
        assert stored.body_markdown == HOSTILE
        assert stored.title == '<b onmouseover="alert(4)">Titre</b>'
    assert "<strong>gras</strong>" in html and "<em>italique</em>" in html
    assert "<blockquote>" in html and "<li>un</li>" in html
    assert "<code>&lt;b&gt;code&lt;/b&gt;</code>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/page" rel="nofollow noopener">ok</a>' in html
    assert_safe(html)
    page = client.page()
    assert "&lt;b onmouseover=&#34;alert(4)&#34;&gt;Titre&lt;/b&gt;" in page
    assert '<b onmouseover="alert(4)">' not in page
    shown = client.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
    assert html in shown and '<b onmouseover="alert(4)">' not in shown
    # The Markdown offered for editing is escaped too (it cannot close its textarea).
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    for tag in ("<script", "<img", "<iframe"):
        assert tag not in shown


def test_ids_in_the_page_and_in_an_open_thread_are_unique(forum_course, learner_in, trainer, as_user):
    author = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(author)
    reply(author, thread_id)
    start_thread(author, forum="f2")
    for client in (author, as_user(trainer, forum_course)):
        page = client.page()
        shown = client.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
        ids = re.findall(r'(?<![\w-])id="([^"]+)"', page + shown)
        assert len(ids) == len(set(ids)), ids
        for target in re.findall(r'\bfor="([^"]+)"', page + shown):
            assert target in ids  # every label names its field


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "Bonjour"}, "Donnez un titre au sujet."),
        ({"title": "   \t ", "body": "Bonjour"}, "Donnez un titre au sujet."),
        ({"title": "Question", "body": ""}, "Écrivez un message avant de publier."),
        ({"title": "Question", "body": " \n\n  \x00 "}, "Écrivez un message avant de publier."),
        ({"title": "T" * 201, "body": "Bonjour"}, "Le titre est trop long : 200 caractères au plus."),
        (
            {"title": "Question", "body": "x" * (BODY_MAX + 1)},
            "Le message est trop long : 10000 caractères au plus (il en compte 10001).",
        ),
        ({"title": "Question", "body": 42}, "La requête est mal formée : rechargez la page et réessayez."),
        ({"title": None, "body": "Bonjour"}, "La requête est mal formée : rechargez la page et réessayez."),
        ({"body": "Bonjour"}, "La requête est mal formée : rechargez la page et réessayez."),
    ],
)
def test_an_empty_oversized_or_malformed_thread_is_refused_and_nothing_is_stored(
    forum_course, learner_in, as_user, forum_state, data, message
):
    client = as_user(learner_in(forum_course), forum_course)
    before = forum_state()
    response = client.call("discussion", "f1", "create_thread", data)
    assert response.status_code == 400
    assert response.get_json() == {"error": message}
    assert forum_state() == before


def test_an_empty_or_oversized_reply_is_refused_and_nothing_is_stored(
    forum_course, learner_in, as_user, forum_state
):
    client = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(client)
    before = forum_state()
    for body, message in (
        ("   ", "Écrivez un message avant de publier."),
        ("é" * (BODY_MAX + 1), "Le message est trop long : 10000 caractères au plus (il en compte 10001)."),
    ):
        response = client.call("discussion", "f1", "reply", {"thread_id": thread_id, "body": body})
        assert (response.status_code, response.get_json()) == (400, {"error": message})
    assert forum_state() == before


def test_a_message_of_exactly_the_maximum_length_is_accepted(app, forum_course, learner_in, as_user):
    client = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(client, "T" * 200, "b" * BODY_MAX)
    with app.app_context():
        assert len(db.session.get(ForumThread, thread_id).body_markdown) == BODY_MAX


def test_control_characters_and_lone_surrogates_are_dropped(app, forum_course, learner_in, as_user):
    client = as_user(learner_in(forum_course), forum_course)
    raw = b'{"title": "Nul\\u0000 part", "body": "a\\u0000b\\ud800c\\u0007d"}'
    response = client.call("discussion", "f1", "create_thread", raw=raw)
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        thread = db.session.get(ForumThread, response.get_json()["thread_id"])
        assert (thread.title, thread.body_markdown) == ("Nul part", "abcd")


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'"texte"', b"\xff\xfe", b'{"thread_id": "abc", "body": "x"}',
     b'{"thread_id": 1099511627776, "body": "x"}', b'{"thread_id": true, "body": "x"}',
     b'{"thread_id": -3, "body": "x"}', b'{"thread_id": 1.5, "body": "x"}'],
)  # fmt: skip
def test_malformed_requests_are_refused_with_a_message(forum_course, learner_in, as_user, forum_state, raw):
    client = as_user(learner_in(forum_course), forum_course)
    start_thread(client)
    before = forum_state()
    response = client.call("discussion", "f1", "reply", raw=raw)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("La requête")
    assert forum_state() == before


def test_handlers_answer_only_post(forum_course, learner_in, as_user):
    client = as_user(learner_in(forum_course), forum_course)
    response = client.client.get(forum_course.handler_url("discussion", "f1", "list_threads"))
    assert response.status_code == 405
    assert response.get_json() == {"error": "Cette adresse ne répond qu’aux requêtes POST."}


def test_a_closed_thread_takes_no_reply(forum_course, learner_in, trainer, as_user, forum_state):
    client = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(client)
    staff = as_user(trainer, forum_course)
    assert staff.call("discussion", "f1", "close", {"thread_id": thread_id, "value": True}).status_code == 200
    before = forum_state()
    response = client.call("discussion", "f1", "reply", {"thread_id": thread_id, "body": "Encore ?"})
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "Ce sujet est fermé : il n’accepte plus de réponses ni de modifications."
    }
    assert forum_state() == before
    shown = client.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
    assert (
        "Ce sujet est fermé : il n’accepte plus de réponses." in shown and 'data-action="reply"' not in shown
    )


NOT_FOUND = {"error": "Ce sujet ou ce message n’existe pas, ou ne vous est pas visible."}


def test_unknown_threads_and_threads_of_another_discussion_or_course_are_not_found(
    olx_course, forum_course, learner_in, as_user, forum_state
):
    other_course = olx_course(
        '<discussion url_name="f1" discussion_id="ch1-forum"/>', course_key="course-v1:Cybermassif+AUTRE+2026"
    )
    client = as_user(learner_in(forum_course), forum_course)
    in_open_forum = start_thread(client, forum="f2")
    elsewhere = start_thread(as_user(learner_in(other_course), other_course))
    before = forum_state()
    for thread_id in (in_open_forum, elsewhere, 999_999):
        for handler, data in (
            ("open_thread", {"thread_id": thread_id}),
            ("reply", {"thread_id": thread_id, "body": "Bonjour"}),
            ("flag", {"kind": "thread", "id": thread_id, "thread_id": thread_id}),
            ("edit", {"kind": "thread", "id": thread_id, "title": "T", "body": "B"}),
        ):
            response = client.call("discussion", "f1", handler, data)
            assert (response.status_code, response.get_json()) == (404, NOT_FOUND), (handler, thread_id)
    assert forum_state() == before


def test_authors_edit_their_own_messages_within_the_window(app, forum_course, learner_in, as_user):
    client = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(client, "Avant", "Texte avant")
    post_id = reply(client, thread_id, "Réponse avant")
    response = client.call(
        "discussion",
        "f1",
        "edit",
        {"kind": "thread", "id": thread_id, "title": "Après", "body": "*Texte* après"},
    )
    assert (
        response.status_code == 200
        and response.get_json()["message"] == "Vos modifications sont enregistrées."
    )
    response = client.call(
        "discussion", "f1", "edit", {"kind": "post", "id": post_id, "body": "Réponse après"}
    )
    assert response.status_code == 200
    assert "modifié le" in response.get_json()["html"]
    with app.app_context():
        thread, post = db.session.get(ForumThread, thread_id), db.session.get(ForumPost, post_id)
        assert (thread.title, thread.body_html, post.body_markdown) == (
            "Après",
            "<p><em>Texte</em> après</p>",
            "Réponse après",
        )
        assert thread.edited_at is not None and post.edited_at is not None


def test_nobody_edits_someone_elses_message(forum_course, learner_in, trainer, as_user, forum_state):
    author = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(author)
    post_id = reply(author, thread_id)
    before = forum_state()
    for person in (as_user(learner_in(forum_course), forum_course), as_user(trainer, forum_course)):
        for data in (
            {"kind": "thread", "id": thread_id, "title": "Piraté", "body": "Piraté"},
            {"kind": "post", "id": post_id, "body": "Piraté"},
        ):
            response = person.call("discussion", "f1", "edit", data)
            assert response.status_code == 403
            assert response.get_json() == {"error": "Vous ne pouvez modifier que vos propres messages."}
    assert forum_state() == before
    shown = (
        as_user(learner_in(forum_course), forum_course)
        .call("discussion", "f1", "open_thread", {"thread_id": thread_id})
        .get_json()["html"]
    )
    assert 'data-action="edit"' not in shown


def test_a_message_cannot_be_edited_after_the_window(app, forum_course, learner_in, as_user, forum_state):
    client = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(client)
    post_id = reply(client, thread_id)
    long_ago = datetime.now(UTC) - timedelta(minutes=31)
    with app.app_context():
        db.session.execute(update(ForumThread).values(created_at=long_ago))
        db.session.execute(update(ForumPost).values(created_at=long_ago))
        db.session.commit()
    before = forum_state()
    message = (
        "Ce message ne peut plus être modifié : un message peut être changé pendant 30 minutes "
        "après sa publication."
    )
    for data in (
        {"kind": "thread", "id": thread_id, "title": "Tard", "body": "Tard"},
        {"kind": "post", "id": post_id, "body": "Tard"},
    ):
        response = client.call("discussion", "f1", "edit", data)
        assert (response.status_code, response.get_json()) == (403, {"error": message})
    assert forum_state() == before
    shown = client.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
    assert 'data-action="edit"' not in shown


def test_a_reader_reports_a_message_once(app, forum_course, learner_in, as_user, forum_state):
    author = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(author)
    post_id = reply(author, thread_id)
    reader = learner_in(forum_course)
    client = as_user(reader, forum_course)
    for kind, target in (("thread", thread_id), ("post", post_id)):
        data = {"kind": kind, "id": target, "thread_id": thread_id, "reason": "  Propos   déplacés "}
        response = client.call("discussion", "f1", "flag", data)
        assert response.status_code == 200
        assert response.get_json()["message"] == "Merci : les formateurs vont examiner ce message."
        before = forum_state()
        again = client.call("discussion", "f1", "flag", data)
        assert (again.status_code, again.get_json()) == (409, {"error": "Vous avez déjà signalé ce message."})
        assert forum_state() == before
    with app.app_context():
        flags = db.session.execute(
            select(ForumFlag.thread_id, ForumFlag.post_id, ForumFlag.user_id, ForumFlag.reason)
        ).all()
    assert sorted(flags, key=str) == sorted(
        [(thread_id, None, reader.id, "Propos déplacés"), (None, post_id, reader.id, "Propos déplacés")],
        key=str,
    )
    shown = client.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
    assert shown.count("Vous avez signalé ce message.") == 2


def test_nobody_reports_their_own_message_nor_with_an_oversized_reason(
    forum_course, learner_in, as_user, forum_state
):
    author = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(author)
    before = forum_state()
    response = author.call(
        "discussion", "f1", "flag", {"kind": "thread", "id": thread_id, "thread_id": thread_id}
    )
    assert (response.status_code, response.get_json()) == (
        403,
        {"error": "Vous ne pouvez pas signaler votre propre message."},
    )
    other = as_user(learner_in(forum_course), forum_course)
    data = {"kind": "thread", "id": thread_id, "thread_id": thread_id, "reason": "r" * 201}
    response = other.call("discussion", "f1", "flag", data)
    assert (response.status_code, response.get_json()) == (
        400,
        {"error": "Le motif est trop long : 200 caractères au plus."},
    )
    response = other.call("discussion", "f1", "flag", {**data, "kind": "everything", "reason": ""})
    assert response.status_code == 400
    assert forum_state() == before


def test_unread_replies_are_counted_and_marked(app, forum_course, learner_in, as_user):
    author_user, reader_user = learner_in(forum_course), learner_in(forum_course)
    author, reader = as_user(author_user, forum_course), as_user(reader_user, forum_course)
    thread_id = start_thread(author)
    assert "Nouveau" not in author.page()  # one's own thread is not new
    assert "Nouveau" in reader.page()
    reader.call("discussion", "f1", "open_thread", {"thread_id": thread_id})
    assert read_state(app, reader_user.id, thread_id) is not None
    assert "Nouveau" not in reader.page()
    reply(author, thread_id, "Premier ajout")
    reply(author, thread_id, "Second ajout")
    listed = reader.call("discussion", "f1", "list_threads", {"page": 1}).get_json()["html"]
    assert "2 nouvelles réponses" in listed
    shown = reader.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
    assert shown.count("cm-forum-message is-new") == 2
    assert "nouvelle" not in reader.call("discussion", "f1", "list_threads", {}).get_json()["html"]
    # The author's own replies are never new to them.
    assert "nouvelle" not in author.call("discussion", "f1", "list_threads", {}).get_json()["html"]


def test_threads_are_paged_twenty_at_a_time_pinned_first(app, forum_course, learner_in, trainer, as_user):
    client = as_user(learner_in(forum_course), forum_course)
    ids = [start_thread(client, f"Sujet numéro {n:02d}", "Texte") for n in range(21)]
    first = client.page()
    assert "Sujet numéro 20" in first and "Sujet numéro 01" in first and "Sujet numéro 00" not in first
    assert "Page 1 sur 2" in first
    second = client.call("discussion", "f1", "list_threads", {"page": 2}).get_json()
    assert (
        second["page"] == 2
        and "Sujet numéro 00" in second["html"]
        and "Sujet numéro 01" not in second["html"]
    )
    beyond = client.call("discussion", "f1", "list_threads", {"page": 99}).get_json()
    assert beyond["page"] == 2
    for bad in (0, -1, "2", True, 10**9):
        assert client.call("discussion", "f1", "list_threads", {"page": bad}).status_code == 400
    staff = as_user(trainer, forum_course)
    assert staff.call("discussion", "f1", "pin", {"thread_id": ids[0], "value": True}).status_code == 200
    listed = client.call("discussion", "f1", "list_threads", {"page": 1}).get_json()["html"]
    assert listed.index("Sujet numéro 00") < listed.index("Sujet numéro 20") and "Épinglé" in listed


def test_replies_are_paged_and_a_new_reply_shows_the_last_page(app, forum_course, learner_in, as_user):
    client = as_user(learner_in(forum_course), forum_course)
    thread_id = start_thread(client)
    with app.app_context():
        db.session.add_all(
            ForumPost(thread_id=thread_id, author_id=None, body_markdown=f"r{n}",
                      body_html=f"<p>réponse {n:02d}</p>",
                      created_at=datetime.now(UTC) - timedelta(minutes=60 - n))
            for n in range(50)
        )  # fmt: skip
        db.session.execute(update(ForumThread).values(reply_count=50))
        db.session.commit()
    first = client.call("discussion", "f1", "open_thread", {"thread_id": thread_id}).get_json()["html"]
    assert "réponse 00" in first and "réponse 49" in first and "Page 1 sur 1" not in first
    answer = client.call(
        "discussion", "f1", "reply", {"thread_id": thread_id, "body": "La cinquante et unième"}
    )
    last = answer.get_json()["html"]
    assert "La cinquante et unième" in last and "réponse 49" not in last and "Page 2 sur 2" in last
    assert "51 réponses" in last and "un ancien membre" in first
