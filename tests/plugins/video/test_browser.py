"""The video block in real headless Chromium: a short WebM course file (made by ``webm.py``) played to the
end completes the video; the WebVTT transcript is shown as text beside it (never as HTML), and its cues
move the player; the "I watched this video" button of other sites' players; the editor in the studio."""

from __future__ import annotations

import urllib.parse

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.runtime.models import StoredBlock
from tests.plugins.video.conftest import completion, sign_in_page, user_state
from tests.plugins.video.webm import webm

pytestmark = pytest.mark.browser

VTT = (
    "WEBVTT\n\nNOTE written for the test\n\n"
    "intro\n00:00.000 --> 00:01.500 align:start\n"
    "<v Anna>Bonjour</v> &lt;script&gt;alert(1)&lt;/script&gt;\n\n"
    "00:01.500 --> 00:03.000\nDeuxième <i>phrase</i>\n"
)
UNIT = (
    '<video url_name="v1" display_name="Clip" html5_sources=\'["/static/clip.webm"]\'>'
    '<transcript language="fr" src="clip-fr.vtt"/></video>'
    '<video url_name="pt" display_name="Ailleurs" embed_url="https://video.invalid/videos/embed/abc"/>'
)
VIDEO = ".video-block[data-player='html5'] video"
HTML5_STATUS = ".video-block[data-player='html5'] .video-status"
EMBED_STATUS = ".video-block[data-player='embed'] .video-status"
WATCHED = "Vous avez regardé cette vidéo."


@pytest.fixture
def course(olx_course):
    return olx_course(UNIT, {"static/clip.webm": webm(seconds=3.0), "static/clip-fr.vtt": VTT})


@pytest.fixture
def learner(course, enrolled):
    return enrolled(course, language="fr")


def _open_unit(page, course, email):
    sign_in_page(page, email)
    page.goto(urllib.parse.quote(course.unit_url(), safe="/"))
    page.wait_for_function(f'document.querySelector("{VIDEO}").readyState >= 1', timeout=10_000)
    page.evaluate(f'document.querySelector("{VIDEO}").muted = true')


def test_playing_the_video_to_the_end_completes_it(app, course, learner, in_browser):
    def scenario(page):
        _open_unit(page, course, learner.email)
        before = page.locator(HTML5_STATUS).inner_text()
        duration = page.evaluate(f'document.querySelector("{VIDEO}").duration')
        page.evaluate(f'document.querySelector("{VIDEO}").play()')
        page.wait_for_function(f'document.querySelector("{VIDEO}").ended', timeout=20_000)
        page.wait_for_function(
            "([s, text]) => document.querySelector(s).textContent === text",
            arg=[HTML5_STATUS, WATCHED],
            timeout=10_000,
        )
        return before, duration, page.errors

    before, duration, errors = in_browser(scenario)
    assert before == "Regardez au moins 90 % de la vidéo pour la terminer."
    assert duration == pytest.approx(3.0)
    assert errors == []
    assert completion(app, learner.id, course) == 1.0
    state = user_state(app, learner.id, course)
    assert state["duration"] == pytest.approx(3.0)
    assert state["watched_ranges"][0][0] == pytest.approx(0.0, abs=0.01)
    assert state["watched_ranges"][-1][1] == pytest.approx(3.0, abs=0.01)


def test_the_transcript_is_shown_as_text_and_moves_the_player(course, learner, in_browser):
    def scenario(page):
        _open_unit(page, course, learner.email)
        cues = page.locator(".video-transcript-cues li")
        cues.first.wait_for(timeout=10_000)
        seen = {
            "count": cues.count(),
            "texts": [cues.nth(i).locator(".video-cue-text").inner_text() for i in range(cues.count())],
            "times": [cues.nth(i).locator(".video-cue-time").inner_text() for i in range(cues.count())],
            "markup": page.locator(".video-transcript script, .video-transcript i").count(),
        }
        cues.nth(1).locator("button").focus()
        page.keyboard.press("Enter")  # a cue is a button: the keyboard reaches it
        page.wait_for_function(f'document.querySelector("{VIDEO}").currentTime >= 1.5', timeout=10_000)
        page.wait_for_function(  # the captions track of the player reads the same file
            f'(document.querySelector("{VIDEO}").textTracks[0].cues || []).length === 2', timeout=10_000
        )
        seen["errors"] = page.errors
        return seen

    seen = in_browser(scenario)
    assert seen["count"] == 2
    assert seen["texts"] == ["Bonjour <script>alert(1)</script>", "Deuxième phrase"]  # read as text
    assert seen["times"] == ["0:00", "0:01"]
    assert seen["markup"] == 0
    assert seen["errors"] == []


def test_the_watched_button_completes_a_player_that_cannot_be_measured(app, course, learner, in_browser):
    def scenario(page):
        sign_in_page(page, learner.email)
        page.goto(urllib.parse.quote(course.unit_url(), safe="/"))
        button = page.locator(".video-block[data-player='embed'] .video-mark-watched")
        label = button.inner_text()
        button.click()
        page.wait_for_function(
            "([s, text]) => document.querySelector(s).textContent === text",
            arg=[EMBED_STATUS, WATCHED],
            timeout=10_000,
        )
        return label, page.locator(".video-mark-watched").count()

    label, buttons_left = in_browser(scenario)
    assert label == "J’ai regardé cette vidéo"
    assert buttons_left == 0
    assert completion(app, learner.id, course, "pt") == 1.0


def test_the_editor_shows_refusals_and_saves(app, course, make_user, make_cybersite, in_browser):
    trainer = make_user(roles=[(Role.TRAINER, make_cybersite())], language="fr")
    usage = course.usage("vertical", "u1")

    def scenario(page):
        sign_in_page(page, trainer.email)
        page.goto(urllib.parse.quote(f"/studio/formations/{course.course_key}/unite/{usage}", safe="/"))
        editor = page.locator(".xblock[data-usage-id$='block@v1'] form.video-editor")
        editor.get_by_label("Lecteur PeerTube ou Vimeo").fill("https://evil.example.org/x")
        editor.get_by_role("button", name="Enregistrer").click()
        message = editor.locator(".video-editor-message")
        message.filter(has_text="n’est pas une adresse de lecteur acceptée").wait_for(timeout=10_000)
        refused_class = message.get_attribute("class")
        editor.get_by_label("Lecteur PeerTube ou Vimeo").fill("")
        editor.get_by_label("Nom affiché").fill("Clip renommé")
        editor.get_by_role("button", name="Enregistrer").click()
        message.filter(has_text="Enregistré.").wait_for(timeout=10_000)
        return refused_class, page.errors

    refused_class, errors = in_browser(scenario)
    assert "video-editor-error" in refused_class
    assert errors == []
    with app.app_context():
        settings = db.session.scalar(
            select(StoredBlock.settings).where(StoredBlock.usage_id == course.usage("video", "v1"))
        )
    assert settings["display_name"] == "Clip renommé"
    assert "embed_url" not in settings or settings["embed_url"] == ""
