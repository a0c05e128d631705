"""The forum in real Chromium, used with the keyboard: start a thread, reply, go back to the list; a
refusal shows in place; a trainer pins from the page. What depends on the browser is checked here: the
block's script, the CSRF header it sends, where the focus goes, and the server's messages shown."""

from __future__ import annotations

import urllib.parse

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.core.extensions import db
from app.forum.models import ForumPost, ForumThread
from tests.conftest import PASSWORD
from tests.plugins.conftest import OlxCourse, sign_in_tab
from tests.plugins.discussion.conftest import start_thread

pytestmark = pytest.mark.browser


def _open_unit(tab, course: OlxCourse) -> None:
    tab.goto(urllib.parse.quote(course.unit_url(), safe="/"))


def test_a_learner_posts_and_replies_with_the_keyboard(page, app, forum_course, learner_in):
    learner = learner_in(forum_course)
    sign_in_tab(page, learner)
    _open_unit(page, forum_course)
    forum = page.locator(".xblock[data-block-type=discussion]").first
    forum.get_by_text("Aucun sujet pour l’instant").wait_for()

    # An empty message is refused by the server; its message shows in the form.
    forum.get_by_label("Titre").fill("Sauvegardes")
    forum.get_by_label("Titre").press("Tab")
    forum.get_by_role("button", name="Publier le sujet").focus()
    page.keyboard.press("Enter")
    forum.locator(".cm-forum-new-form .cm-forum-error").filter(
        has_text="Écrivez un message avant de publier."
    ).wait_for()

    forum.get_by_label("Message", exact=True).fill(
        "Comment **sauvegarder** nos devis ? <script>window.__pwned=1</script>"
    )
    forum.get_by_role("button", name="Publier le sujet").focus()
    page.keyboard.press("Enter")
    title = forum.locator(".cm-forum-thread-title")
    title.wait_for()
    assert title.inner_text() == "Sauvegardes"
    assert page.evaluate("document.activeElement.classList.contains('cm-forum-thread-title')")
    assert forum.locator(".cm-forum-status").inner_text() == "Votre sujet est publié."
    assert forum.locator(".cm-forum-opening .cm-forum-body strong").inner_text() == "sauvegarder"
    assert page.evaluate("window.__pwned") is None

    forum.get_by_label("Votre réponse").fill("Je complète : chaque soir.")
    forum.get_by_label("Votre réponse").press("Tab")
    page.keyboard.press("Enter")  # the focus is on « Répondre »
    forum.locator(".cm-forum-replies .cm-forum-body").filter(has_text="Je complète : chaque soir.").wait_for()
    with app.app_context():
        assert db.session.scalar(select(ForumPost.body_markdown)) == "Je complète : chaque soir."

    forum.get_by_role("button", name="Retour aux sujets").focus()
    page.keyboard.press("Enter")
    first = forum.locator(".cm-forum-open").first
    first.wait_for()
    assert (
        first.inner_text() == "Sauvegardes" and "1 réponse" in forum.locator(".cm-forum-threads").inner_text()
    )
    assert page.evaluate("document.activeElement.classList.contains('cm-forum-open')")
    page.keyboard.press("Enter")  # reopen it from the list
    title.wait_for()
    assert page.errors == []


def test_the_list_shows_without_javascript(browser, live_server, app, forum_course, learner_in, as_user):
    author = learner_in(forum_course)
    start_thread(as_user(author, forum_course), "Lisible sans script", "Texte")
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    tab = context.new_page()
    try:
        _sign_in_without_script(tab, learner_in(forum_course))
        _open_unit(tab, forum_course)
        forum = tab.locator(".xblock[data-block-type=discussion]").first
        assert "Lisible sans script" in forum.locator(".cm-forum-threads").inner_text()
        assert forum.locator(".cm-forum-new").is_hidden()  # posting needs the script: no dead form
        assert "Activez JavaScript pour ouvrir les sujets et pour écrire." in forum.inner_text()
    finally:
        context.close()


def _sign_in_without_script(tab, user: User) -> None:
    tab.goto("/compte/connexion")
    tab.fill("input[name=email]", user.email)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("form button[type=submit]")
    tab.wait_for_load_state()


def test_a_trainer_pins_and_a_learner_sees_no_trainer_control(
    page, app, forum_course, learner_in, trainer, as_user
):
    thread_id = start_thread(as_user(learner_in(forum_course), forum_course), "À épingler", "Texte")
    sign_in_tab(page, trainer)
    _open_unit(page, forum_course)
    forum = page.locator(".xblock[data-block-type=discussion]").first
    forum.get_by_role("button", name="À épingler").click()
    forum.get_by_role("button", name="Épingler en tête").click()
    forum.locator(".cm-forum-status").filter(has_text="Le sujet est épinglé.").wait_for()
    with app.app_context():
        assert db.session.get(ForumThread, thread_id).pinned
    assert page.errors == []
