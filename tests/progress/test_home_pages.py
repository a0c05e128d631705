"""The signed-in home page, role by role: its figures equal those of the dashboards it summarises (read
from their CSV exports), the access policy limits them (two Cybersites side by side), it speaks French and
English, and it costs the same number of SQL statements for a small and a large Cybersite."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from xblock.fields import Scope

from app.accounts.models import Role
from app.core.extensions import db
from app.core.mail import OutboxMessage
from app.courses.models import Enrolment
from app.forum.models import ForumFlag, ForumPost, ForumThread
from app.runtime.models import FieldValue
from app.runtime.store import scope_name
from tests.conftest import sign_in
from tests.progress.conftest import enrol, follow
from tests.progress.test_query_counts import SMALL_SPEC, _build_site, _large_spec

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}
USER_STATE = scope_name(Scope.user_state)


def figures(html: str, section_id: str) -> dict[str, int]:
    """The key figures of a section: its ``<li><strong>n</strong> label</li>`` items, by label."""
    start = html.index(f'id="{section_id}"')
    block = html[start : html.index("</ul>", start)]
    return {
        re.sub(r"\s+", " ", label).strip(): int(n)
        for n, label in re.findall(r"<li><strong>(\d+)</strong>([^<]*)</li>", block)
    }


def home(app, user, headers=EN):
    """A new client signed in as ``user`` and the text of their home page."""
    client = app.test_client()
    sign_in(client, user.email)
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    return client, response.get_data(as_text=True)


def export(client, url):
    """A dashboard's CSV export as dictionaries by column."""
    response = client.get(url, headers=EN)
    assert response.status_code == 200, url
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


@pytest.fixture
def network(app, world, progress_course, learner_in):
    """The world's two Cybersites following one course; learner 0 (site 0) has finished it, learner 2
    (site 1) has started it."""
    course = progress_course()
    follow(app, world, course)
    first = learner_in(world.learners[0], course)
    first.view("u1")
    for probe in ("p1", "p2", "p3"):
        first.report(probe, grade=1.0, max=1.0, completion=1.0)
    for unit in ("u2", "u3", "u4"):
        first.view(unit)
    other = learner_in(world.learners[2], course)
    other.view("u1")
    other.view("u2")
    return course


def test_the_learner_sees_their_courses_with_a_resume_link_to_the_last_unit(app, world, network):
    client, html = home(app, world.learners[2])
    assert figures(html, "home-learner") == {
        "course under way": 1,
        "unread replies": 0,
        "certificates": 0,
    }
    assert network.title in html
    assert f'href="{network.unit_url("u2")}"' in html  # the exact unit last seen
    assert "Resume" in html
    # The same percentage as "My progress".
    percent = re.search(r'<span class="home-percent">([^<]+)</span>', html).group(1)
    assert percent in client.get("/progression/", headers=EN).get_data(as_text=True)
    # The cohort's end date is the course's deadline.
    assert "To finish by December 18, 2026" in html


def test_a_course_started_without_a_unit_opened_here_offers_to_continue(app, world, network, learner_in):
    # Progress recorded without the learner opening a unit page (a score sent by a tool, say): no unit
    # to resume, but the course has begun, so the page does not offer to start it.
    learner = learner_in(world.learners[1], network)
    learner.report("p1", grade=1.0, max=1.0, completion=1.0)
    with app.app_context():  # the report opened a unit to get its token: forget that position
        db.session.execute(
            update(Enrolment).where(Enrolment.user_id == world.learners[1].id).values(last_usage_id=None)
        )
        db.session.commit()
    _client, html = home(app, world.learners[1])
    assert "Continue" in html and "Start" not in html and "Resume" not in html


def test_the_learner_sees_unread_replies_comments_and_certificates(app, world, network):
    learner = world.learners[0]
    with app.app_context():
        thread = ForumThread(
            course_key=network.course_key,
            discussion_id="d1",
            usage_id="none",
            author_id=learner.id,
            title="Ma question",
            body_markdown="?",
            body_html="?",
        )
        db.session.add(thread)
        db.session.flush()
        db.session.add_all(
            [
                ForumPost(
                    thread_id=thread.id, author_id=world.trainers[0].id, body_markdown="a", body_html="a"
                ),
                ForumPost(
                    thread_id=thread.id, author_id=world.learners[1].id, body_markdown="b", body_html="b"
                ),
                ForumPost(thread_id=thread.id, author_id=learner.id, body_markdown="c", body_html="c"),
                ForumPost(
                    thread_id=thread.id,
                    author_id=world.trainers[0].id,
                    body_markdown="d",
                    body_html="d",
                    hidden=True,
                ),
            ]
        )
        db.session.add(
            FieldValue(
                scope=USER_STATE,
                user_id=learner.id,
                scope_key=network.usage("probe", "p1"),
                field_name="staff_comment",
                value="Très bonne analyse",
            )
        )
        db.session.commit()
    _client, html = home(app, learner)
    assert figures(html, "home-learner") == {"courses under way": 0, "unread replies": 2, "certificate": 1}
    assert "Ma question" in html
    assert "Très bonne analyse" in html
    assert f'href="{network.unit_url("u2")}"' in html  # the comment links to its unit
    assert f"/progression/certificats/{network.course_key}" in html or "certificat" in html


def test_the_company_manager_sees_their_staff_as_their_dashboard_does(app, world, network):
    client, html = home(app, world.managers[0])
    rows = export(client, f"/progression/entreprises/{world.companies[0].id}/export/personnel.csv")
    shown = figures(html, f"home-company-{world.companies[0].id}")
    assert shown["course finished"] == sum(r["Status"] == "Completed" for r in rows) == 1
    assert shown["people"] == len({r["E-mail address"] for r in rows})
    assert world.learners[0].display_name in html
    # Another company's people are not there.
    assert world.learners[1].display_name not in html and world.learners[2].display_name not in html


def test_the_cybersite_manager_sees_their_cohorts_as_their_dashboard_does(app, world, network):
    site = world.sites[0]
    client, html = home(app, world.site_managers[0])
    rows = export(client, f"/progression/cybersites/{site.id}/export/promotions.csv")
    shown = figures(html, f"home-site-{site.id}")
    assert shown["cohort"] == len(rows) == 1
    assert shown["enrolments"] == sum(int(r["Enrolments"]) for r in rows) == 2
    assert shown["course started"] == sum(int(r["Started"]) for r in rows) == 1
    assert shown["course completed"] == sum(int(r["Completed"]) for r in rows) == 1
    assert "Follow-up of the Cybersite" in html
    # The quiet company: company 1 has done nothing; company 0 worked today.
    quiet = html[html.index("Companies without activity") :]
    assert world.companies[1].legal_name in quiet and world.companies[0].legal_name not in quiet
    # The other Cybersite's cohort and companies are not shown.
    assert world.cohorts[1].name not in html
    assert world.companies[2].legal_name not in html and world.companies[3].legal_name not in html


def test_the_trainer_sees_answers_to_grade_reports_and_their_courses_funnel(app, world, network):
    answer = network.usage("probe", "p2")
    moment = datetime.now(UTC).isoformat()
    with app.app_context():
        for learner in (world.learners[0], world.learners[1], world.learners[2]):
            db.session.add(
                FieldValue(
                    scope=USER_STATE,
                    user_id=learner.id,
                    scope_key=answer,
                    field_name="submitted_at",
                    value=moment,
                )
            )
        # Learner 1's answer is graded already.
        db.session.add(
            FieldValue(
                scope=USER_STATE,
                user_id=world.learners[1].id,
                scope_key=answer,
                field_name="staff_graded_at",
                value=moment,
            )
        )
        thread = ForumThread(
            course_key=network.course_key,
            discussion_id="d1",
            usage_id="none",
            author_id=world.learners[0].id,
            title="Spam",
            body_markdown="x",
            body_html="x",
        )
        db.session.add(thread)
        db.session.flush()
        db.session.add(ForumFlag(thread_id=thread.id, user_id=world.learners[1].id, reason="spam"))
        db.session.commit()
    client, html = home(app, world.trainers[0])
    shown = figures(html, "home-trainer")
    # Learner 0 only: learner 1 is graded, learner 2 belongs to the other Cybersite.
    assert shown["answer to grade"] == 1
    assert "Exercice p2" in html
    moderation = client.get("/forum/moderation", headers=EN).get_data(as_text=True)
    assert shown["reported message"] == 1 and "Spam" in moderation
    funnel = export(client, f"/progression/formations/{network.course_key}/export/entonnoir.csv")
    steps = {r["Step"]: int(r["Learners"]) for r in funnel}
    row = re.search(r"<tr><th scope=\"row\"><a[^>]*>[^<]*</a></th>\s*(.*?)</tr>", html, flags=re.S).group(1)
    cells = [int(n) for n in re.findall(r"<td>(\d+)", row)]
    assert cells == [steps["Enrolled"], steps["Started"], steps["Completed the course"], steps["Passed"]]
    assert cells == [2, 1, 1, 1]
    # The other Cybersite's trainer counts only their learners.
    _client, other = home(app, world.trainers[1])
    assert figures(other, "home-trainer")["answer to grade"] == 1  # learner 2's


def test_the_administrator_sees_the_networks_figures_and_failed_mail(app, world, network):
    with app.app_context():
        db.session.add(
            OutboxMessage(recipient="x@example.fr", subject="Invitation", body="…", error="refused")
        )
        db.session.add(
            OutboxMessage(recipient="y@example.fr", subject="Ok", body="…", sent_at=datetime.now(UTC))
        )
        db.session.commit()
    _client, html = home(app, world.admin)
    shown = figures(html, "home-network")
    assert shown["Cybersites in the network"] >= 2 and shown["companies"] >= 4
    assert shown["learners active this month"] >= 2
    assert shown["completion this month"] >= 1 or shown["completions this month"] >= 1
    assert shown["e-mail failed"] == 1
    assert "x@example.fr" in html and "y@example.fr" not in html


def test_other_roles_do_not_see_the_networks_figures_or_others_sections(app, world, network):
    for user in (world.learners[0], world.managers[0], world.site_managers[0], world.trainers[0]):
        _client, html = home(app, user)
        assert 'id="home-network"' not in html
    _client, html = home(app, world.learners[0])
    assert "home-trainer" not in html and "home-site-" not in html and "home-company-" not in html


def test_a_person_with_several_roles_sees_each_section(app, world, network, make_user):
    both = make_user(
        roles=[
            (Role.TRAINER, world.sites[0]),
            (Role.CYBERSITE_MANAGER, world.sites[0]),
            (Role.LEARNER, world.companies[0]),
        ],
        language="en",
    )
    _client, html = home(app, both)
    assert 'id="home-trainer"' in html and f'id="home-site-{world.sites[0].id}"' in html
    assert 'id="home-learner"' in html


def test_the_home_page_speaks_french(app, world, network, make_user):
    manager = make_user(roles=[(Role.CYBERSITE_MANAGER, world.sites[0])], language="fr")
    _client, html = home(app, manager, FR)
    assert "Suivi du Cybersite" in html
    assert "Entreprises sans activité depuis 30 jours" in html
    assert "Promotions à risque" in html
    learner = make_user(roles=[(Role.LEARNER, world.companies[0])], language="fr")
    enrol(app, learner, network)
    _client, html = home(app, learner, FR)
    assert "Ma formation" in html
    assert "Commencer" in html and "formation en cours" in html


def test_the_cybersite_managers_progress_page_is_titled_for_follow_up(app, world, network, make_user):
    manager = make_user(roles=[(Role.CYBERSITE_MANAGER, world.sites[0])], language="fr")
    client = app.test_client()
    sign_in(client, manager.email)
    html = client.get("/progression/", headers=FR).get_data(as_text=True)
    assert "<h1>Suivi de la progression</h1>" in html
    assert "Ma progression" not in html and "Aucune formation pour le moment" not in html
    learner = app.test_client()
    sign_in(learner, world.learners[0].email)
    assert "<h1>My progress</h1>" in learner.get("/progression/", headers=EN).get_data(as_text=True)


def test_every_home_page_costs_the_same_whatever_the_size(
    app, make_cybersite, make_company, make_user, progress_course, learner_in, count_statements
):
    small = _build_site(
        app,
        make_cybersite,
        make_company,
        make_user,
        progress_course,
        learner_in,
        companies=1,
        staff=1,
        spec=SMALL_SPEC,
        number="HSMALL",
    )
    large = _build_site(
        app,
        make_cybersite,
        make_company,
        make_user,
        progress_course,
        learner_in,
        companies=3,
        staff=5,
        spec=_large_spec(),
        number="HLARGE",
    )
    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)], language="en")
    budgets = {}
    for role in ("learners", "manager", "site_manager", "trainer", "admin"):
        counts = []
        for site in (small, large):
            user = admin if role == "admin" else getattr(site, role)
            user = user[0] if role == "learners" else user
            client = app.test_client()
            sign_in(client, user.email)
            client.get("/")  # the course structure is worked out once per process: not what is counted
            response, statements = count_statements(lambda c=client: c.get("/"))
            assert response.status_code == 200
            assert not [
                s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            ]
            counts.append(len(statements))
        assert counts[0] == counts[1], (role, counts)
        budgets[role] = counts[0]
    # The sign-in's user and roles, then each section's own statements (see app.learn.homepage).
    assert budgets == {"learners": 7, "manager": 6, "site_manager": 5, "trainer": 6, "admin": 3}, budgets


def test_the_learners_home_page_costs_the_same_with_one_course_or_many(
    app, world, progress_course, learner_in, make_user, count_statements
):
    courses = [progress_course(number=f"MANY{i}", title=f"Formation {i}") for i in range(4)]
    few = make_user(roles=[(Role.LEARNER, world.companies[0])], language="en")
    many = make_user(roles=[(Role.LEARNER, world.companies[0])], language="en")
    enrol(app, few, courses[0])
    for course in courses:
        enrol(app, many, course)
    for course in courses:
        learner_in(many, course).view("u1")
    learner_in(few, courses[0]).view("u1")
    with app.app_context():
        for i, course in enumerate(courses):
            thread = ForumThread(
                course_key=course.course_key,
                discussion_id="d",
                usage_id="none",
                author_id=many.id,
                title=f"Fil {i}",
                body_markdown="?",
                body_html="?",
            )
            db.session.add(thread)
            db.session.flush()
            db.session.add(ForumPost(thread_id=thread.id, author_id=few.id, body_markdown="r", body_html="r"))
            db.session.add(
                FieldValue(
                    scope=USER_STATE,
                    user_id=many.id,
                    scope_key=course.usage("probe", "p1"),
                    field_name="staff_comment",
                    value=f"Commentaire {i}",
                )
            )
        db.session.commit()
    counts = []
    for user in (few, many):
        client = app.test_client()
        sign_in(client, user.email)
        client.get("/")
        response, statements = count_statements(lambda c=client: c.get("/"))
        assert response.status_code == 200
        counts.append(len(statements))
    html = response.get_data(as_text=True)
    assert figures(html, "home-learner")["unread replies"] == 4 and "Commentaire 3" in html
    assert counts[0] == counts[1] == 7, counts
