"""The forum's reads cost a fixed number of SQL statements whatever the number of threads and replies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.core.extensions import db
from app.forum.models import ForumFlag, ForumPost, ForumReadState, ForumThread
from tests.plugins.discussion.conftest import start_thread


def _fill(app, course, author_id: int, reader_id: int, threads: int) -> int:
    """``threads`` threads in ``f1`` with replies, flags and read marks; returns the last thread's id."""
    now = datetime.now(UTC)
    with app.app_context():
        for n in range(threads):
            thread = ForumThread(
                course_key=course.course_key, discussion_id="ch1-forum",
                usage_id=course.usage("discussion", "f1"), author_id=author_id, title=f"Sujet {n}",
                body_markdown="x", body_html="<p>x</p>", reply_count=3,
                created_at=now - timedelta(hours=n), last_activity_at=now - timedelta(hours=n),
            )  # fmt: skip
            db.session.add(thread)
            db.session.flush()
            posts = [
                ForumPost(thread_id=thread.id, author_id=author_id, body_markdown="r", body_html="<p>r</p>",
                          is_answer=i == 0, created_at=now - timedelta(minutes=n * 10 + i))
                for i in range(3)
            ]  # fmt: skip
            db.session.add_all(posts)
            db.session.flush()
            db.session.add(ForumFlag(post_id=posts[1].id, user_id=reader_id, reason="spam"))
            db.session.add(
                ForumReadState(user_id=reader_id, thread_id=thread.id, last_read_at=now - timedelta(days=1))
            )
        db.session.commit()
        return thread.id


def test_listing_threads_costs_the_same_statements_for_1_and_50_threads(
    app, olx_course, learner_in, trainer, as_user, count_statements
):
    counts = {}
    for size in (1, 50):
        course = olx_course(
            '<discussion url_name="f1" discussion_id="ch1-forum"/>',
            course_key=f"course-v1:Cybermassif+SIZE{size}+2026",
        )
        author, reader = learner_in(course), learner_in(course)
        last = _fill(app, course, author.id, reader.id, size)
        for who, user in (("learner", reader), ("trainer", trainer)):
            client = as_user(user, course)
            client.page()
            page, statements = count_statements(client.page)
            assert f"Sujet {min(size, 20) - 1}" in page
            listed, listing = count_statements(
                lambda c=client: c.call("discussion", "f1", "list_threads", {"page": 1})
            )
            assert listed.status_code == 200 and listed.get_json()["html"].count(
                "cm-forum-thread-item"
            ) == min(size, 20)
            opened, opening = count_statements(
                lambda c=client, t=last: c.call("discussion", "f1", "open_thread", {"thread_id": t})
            )
            assert opened.status_code == 200 and opened.get_json()["html"].count("<p>r</p>") == 3
            counts[who, size] = (len(statements), len(listing), len(opening))
    print(counts)
    for who in ("learner", "trainer"):
        assert counts[who, 1] == counts[who, 50], counts


def test_a_new_thread_costs_a_fixed_number_of_statements(forum_course, learner_in, as_user, count_statements):
    client = as_user(learner_in(forum_course), forum_course)
    start_thread(client)
    counts = []
    for n in range(3):
        _, statements = count_statements(lambda n=n: start_thread(client, f"Sujet {n}"))
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2], counts
