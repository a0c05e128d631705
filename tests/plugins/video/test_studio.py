"""The video editor: ``studio_view`` shows the stored values (escaped) and ``studio_submit`` checks every
value before saving any; a refused form changes nothing and says why, in the author's language."""

from __future__ import annotations

import pytest

from tests.plugins.video.conftest import FILES, HTML5

VALID = {
    "display_name": "  Présentation de l’atelier  ",
    "html5_sources": "/static/intro.mp4\n\nhttps://cdn.example.org/intro.webm\n",
    "youtube_id_1_0": "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3",
    "embed_url": "https://player.vimeo.com/video/76979871",
    "transcripts": "fr = intro-fr.vtt\nen=/static/intro-en.vtt",
    "start_time": "00:00:05",
    "end_time": "",
    "download_video": True,
}


@pytest.fixture
def course(olx_course):
    return olx_course(HTML5, FILES)


def test_the_editor_shows_the_stored_values(course, studio_view):
    html = studio_view(course, "video", "v1")
    assert 'name="display_name" value="Présentation"' in html
    assert ">/static/intro.mp4</textarea>" in html
    assert ">fr = intro-fr.vtt</textarea>" in html
    assert '<label for="video-' in html and "Video files" in html
    assert "CybermassifVideoStudio" in html and "public/video-studio.js" in html


def test_the_editor_is_in_french_for_french_authors(course, studio_view):
    html = studio_view(course, "video", "v1", language="fr")
    assert "Fichiers vidéo" in html and "Enregistrer" in html


def test_the_editor_escapes_what_it_shows(olx_course, studio_view):
    course = olx_course('<video url_name="v1" display_name="&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"/>')
    html = studio_view(course, "video", "v1")
    assert "<script>x()" not in html
    assert 'value="&#34;&gt;&lt;script&gt;x()&lt;/script&gt;"' in html


def test_valid_values_are_saved(course, studio_call):
    result = studio_call(course, "video", "v1", "studio_submit", VALID)
    assert (result.status, result.body) == (200, {"result": "success"})
    settings = result.settings(course.usage("video", "v1"))
    assert settings["display_name"] == "Présentation de l’atelier"
    assert settings["html5_sources"] == ["/static/intro.mp4", "https://cdn.example.org/intro.webm"]
    assert settings["youtube_id_1_0"] == "dQw4w9WgXcQ"
    assert settings["embed_url"] == "https://player.vimeo.com/video/76979871"
    assert settings["transcripts"] == {"fr": "intro-fr.vtt", "en": "intro-en.vtt"}
    assert (settings["start_time"], settings["download_video"]) == (5, True)
    assert settings.get("end_time", 0) == 0  # left at its default: nothing stored


def test_emptying_a_source_is_allowed_when_another_remains(course, studio_call):
    data = {**VALID, "html5_sources": "", "embed_url": "", "transcripts": ""}
    result = studio_call(course, "video", "v1", "studio_submit", data)
    assert result.status == 200
    settings = result.settings(course.usage("video", "v1"))
    assert (settings["html5_sources"], settings["transcripts"]) == ([], {})
    assert settings.get("embed_url", "") == ""


BAD_FORMS = [
    pytest.param({"display_name": "   "}, "The display name cannot be empty.", id="empty-name"),
    pytest.param({"display_name": "x" * 256}, "at most 255 characters", id="long-name"),
    pytest.param({"display_name": "a\nb"}, "one line", id="two-lines"),
    pytest.param({"display_name": 12}, "The display name must be text.", id="name-number"),
    pytest.param({"html5_sources": "http://cdn.example.org/a.mp4"}, "is not a video file address", id="http"),
    pytest.param({"html5_sources": "/static/../../x.mp4"}, "is not a video file address", id="traversal"),
    pytest.param({"html5_sources": {"a": 1}}, "must be a list of addresses", id="sources-object"),
    pytest.param(
        {"html5_sources": "\n".join(f"/static/{i}.mp4" for i in range(11))}, "at most 10", id="many"
    ),
    pytest.param({"youtube_id_1_0": "https://vimeo.com/1234"}, "is not a YouTube video id", id="youtube"),
    pytest.param({"embed_url": "https://evil.example.org/x"}, "is not an accepted player", id="embed"),
    pytest.param({"embed_url": "javascript:alert(1)"}, "is not an accepted player", id="embed-js"),
    pytest.param({"transcripts": "intro-fr.vtt"}, "Line 1 of the transcripts", id="no-language"),
    pytest.param({"transcripts": "fr = intro-fr.txt"}, "is not a transcript file", id="txt"),
    pytest.param(
        {"transcripts": "fr = a.vtt\nfr = b.vtt"}, "two transcripts for the language fr", id="twice"
    ),
    pytest.param({"transcripts": ["fr"]}, "The transcripts must be lines such as", id="transcripts-list"),
    pytest.param({"start_time": "later"}, "is not a time", id="time"),
    pytest.param({"start_time": "00:02:00", "end_time": "00:01:00"}, "end time must come after", id="window"),
    pytest.param({"download_video": "yes"}, "must be true or false", id="download"),
    pytest.param(
        {"html5_sources": "", "youtube_id_1_0": "", "embed_url": ""}, "Give at least one way", id="no-source"
    ),
]


@pytest.mark.parametrize(("changes", "message"), BAD_FORMS)
def test_bad_values_are_refused_and_nothing_changes(course, studio_call, changes, message):
    before = studio_call(course, "video", "v1", "studio_submit", {"display_name": "Présentation"})
    assert before.status == 200
    result = studio_call(course, "video", "v1", "studio_submit", {**VALID, **changes})
    assert result.status == 400
    assert message in result.body["error"]
    assert result.settings(course.usage("video", "v1")) == before.settings(course.usage("video", "v1"))


def test_every_problem_is_listed_at_once(course, studio_call):
    data = {**VALID, "display_name": "", "embed_url": "ftp://x", "start_time": "x"}
    result = studio_call(course, "video", "v1", "studio_submit", data)
    assert result.status == 400
    assert len(result.body["error"].splitlines()) == 3


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"[1, 2]", "The form data must be a JSON object."), (b"{not json", "Invalid JSON")],
)
def test_malformed_forms_are_refused(course, studio_call, raw, message):
    result = studio_call(course, "video", "v1", "studio_submit", raw=raw)
    assert (result.status, result.body["error"]) == (400, message)


def test_refusals_are_in_the_authors_language(course, studio_call):
    result = studio_call(course, "video", "v1", "studio_submit", {**VALID, "display_name": ""}, language="fr")
    assert result.body["error"] == "Le nom affiché ne peut pas être vide."


def test_learners_cannot_use_the_editor_through_their_own_endpoint(course, enrolled, as_user):
    learner = enrolled(course)
    response = as_user(learner, course).call("video", "v1", "studio_submit", VALID)
    assert response.status_code == 400  # content and settings are read-only for learners
    assert "Présentation de l’atelier" not in as_user(learner, course).page()


def test_learners_cannot_reach_the_studio_endpoint(app, course, enrolled, as_user, studio_call):
    learner = as_user(enrolled(course), course)
    response = learner.client.post(
        f"/studio/xblock/{course.usage('video', 'v1')}/handler/studio_submit",
        data='{"display_name": "Piraté"}'.encode(),
        headers={"X-CSRFToken": learner.token, "Content-Type": "application/json"},
    )
    assert response.status_code == 403
    unchanged = studio_call(course, "video", "v1", "studio_submit", raw=b"[]")
    assert unchanged.settings(course.usage("video", "v1"))["display_name"] == "Présentation"
