"""A learner walks through the demo course "Cybersécurité pour les PME" in Chromium: answers a problem
wrongly then rightly, posts in the chapter's forum, submits the case study's reflection; their trainer
grades it. After each step, the record the platform keeps is checked."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.forum.models import ForumThread
from app.progress.models import BlockCompletion
from app.runtime.keys import CourseKey, usage_key_for
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parents[2] / "courses" / "cybersecurite-pme"
KEY = "course-v1:Cybermassif+CYBER+2026"


def _usage(block_type: str, url_name: str) -> str:
    return str(usage_key_for(CourseKey.from_string(KEY), block_type, url_name))


def _unit(url_name: str) -> str:
    return f"/formations/{urllib.parse.quote(KEY)}/unite/{urllib.parse.quote(_usage('vertical', url_name))}"


def _sign_in(page: Any, email: str) -> None:
    page.goto("/compte/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)


def _record(app: Any, user_id: int, block_type: str, url_name: str) -> BlockCompletion | None:
    with app.app_context():
        row = db.session.scalar(
            select(BlockCompletion).where(
                BlockCompletion.user_id == user_id, BlockCompletion.usage_id == _usage(block_type, url_name)
            )
        )
        if row is not None:
            db.session.expunge(row)
        return row


def _answer_quiz(page: Any, right: bool) -> None:
    quiz = page.locator(".xblock[data-block-type=problem]")
    first = "Myrtille-Viaduc-Sabot-Orage-Pupitre" if right else "Chassang2025!"
    quiz.locator("label", has_text=first).click()
    boxes = quiz.locator("fieldset[data-kind] input[type=checkbox]")
    for index in range(boxes.count()):
        wanted = (right and index < 4) or (not right and index == 4)
        if boxes.nth(index).is_checked() != wanted:
            boxes.nth(index).click()
    quiz.locator("input[type=text]").fill("Une phrase de passe" if right else "un code")
    selects = quiz.locator("select")
    selects.nth(0).select_option(label="Le jour de son départ" if right else "À la fin de l’année")
    selects.nth(1).select_option(
        label="Un compte d’utilisateur sans droits d’administrateur"
        if right
        else "Un compte partagé par toute l’équipe"
    )
    with page.expect_response(lambda r: "/handler/submit" in r.url) as answer:
        quiz.locator("button.problem-submit").click()
    assert answer.value.status == 200


def test_a_learner_walks_through_a_demo_course_and_is_graded(
    browser_app, browser, live_server, make_user, make_cybersite, make_company, page
):
    result = browser_app.test_cli_runner().invoke(args=["courses", "import", str(DEMO)])
    assert result.exit_code == 0, result.output
    site = make_cybersite()
    learner = make_user(language="fr", roles=[(Role.LEARNER, make_company(cybersite=site))])
    trainer = make_user(language="fr", roles=[(Role.TRAINER, site)])
    with browser_app.app_context():
        course_id = db.session.scalar(select(Course.id).where(Course.course_key == KEY))
        db.session.add(Enrolment(user_id=learner.id, course_id=course_id))
        db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())
    _sign_in(page, learner.email)

    # 1. The quiz, wrong then right: two attempts, the grade of the second one kept.
    page.goto(_unit("cyber-u-quiz-comptes"))
    _answer_quiz(page, right=False)
    page.wait_for_selector(".problem-feedback.is-incorrect")
    wrong = _record(browser_app, learner.id, "problem", "cyber-pb-comptes")
    assert wrong is not None and wrong.possible == 1 and wrong.earned < 1
    _answer_quiz(page, right=True)
    page.wait_for_selector(".problem-feedback.is-correct")
    right = _record(browser_app, learner.id, "problem", "cyber-pb-comptes")
    assert (right.earned, right.possible, right.completion) == (1, 1, 1.0)

    # 2. A thread in the chapter's forum: stored, and the forum counts as done.
    page.goto(_unit("cyber-u-mises-a-jour"))
    forum = page.locator(".xblock[data-block-type=discussion]")
    forum.locator("input[name=title]").fill("Mises à jour du logiciel de caisse")
    forum.locator("textarea[name=body]").fill(
        "Faut-il **vraiment** attendre la fin du mois pour les installer ?"
    )
    with page.expect_response(lambda r: "/handler/create_thread" in r.url) as posted:
        forum.locator("button[type=submit]", has_text="Publier").click()
    assert posted.value.status == 200
    with browser_app.app_context():
        thread = db.session.scalar(select(ForumThread).where(ForumThread.author_id == learner.id))
        assert thread.title == "Mises à jour du logiciel de caisse"
        assert "<strong>vraiment</strong>" in thread.body_html
    assert _record(browser_app, learner.id, "discussion", "cyber-forum-ch1").completion == 1.0

    # 3. The case study's reflection, submitted: complete, not graded yet.
    page.goto(_unit("cyber-u-cas-chassang"))
    case = page.locator(".xblock[data-block-type=case_study]")
    answers = case.locator("textarea")
    assert answers.count() == 3
    for index in range(3):
        answers.nth(index).fill(f"Notre réponse à la question {index + 1}, pour l’atelier de Brioude.")
    with page.expect_response(lambda r: "/handler/submit" in r.url) as submitted:
        case.locator("button[data-action=submit]").click()
    assert submitted.value.status == 200
    submitted_record = _record(browser_app, learner.id, "case_study", "cyber-cas-chassang")
    assert submitted_record.completion == 1.0 and submitted_record.earned is None

    # 4. The trainer of the learner's Cybersite grades it: the grade is the learner's.
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    tab = context.new_page()
    _sign_in(tab, trainer.email)
    tab.goto(_unit("cyber-u-cas-chassang"))
    submission = tab.locator(f".case-study-submission[data-learner='{learner.id}']")
    submission.locator("textarea[name=comment]").fill("Bonne analyse des accès à distance.")
    submission.locator("input[name=grade]").fill("0.8")
    with tab.expect_response(lambda r: "/handler/grade_learner" in r.url) as graded:
        submission.locator("button[type=submit]").click()
    assert graded.value.status == 200
    context.close()
    final = _record(browser_app, learner.id, "case_study", "cyber-cas-chassang")
    assert (final.earned, final.possible) == (0.8, 1)
    assert _record(browser_app, trainer.id, "case_study", "cyber-cas-chassang") is None

    # The learner sees the grade and the comment.
    page.goto(_unit("cyber-u-cas-chassang"))
    assert "Bonne analyse des accès à distance." in case.locator(".case-study-comment").inner_text()
