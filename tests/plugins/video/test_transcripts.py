"""Open edX's transcript formats: SubRip (.srt, its default) and .sjson (its own, named by the ``sub``
attribute) import unmodified, the player reads them converted to WebVTT, and export gives the files and
the video's OLX back as they were."""

from __future__ import annotations

import json
import re
import tarfile

import pytest
from lxml import etree

from app.courses.exporting import export_course
from tests.runtime.olx_helpers import the_unreadable_warning

SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,500\r\nBonjour à tous\r\n\r\n"
    "2\r\n00:00:03,000 --> 00:00:04,250\r\nVoici la <i>boulangerie</i>\r\nen ligne\r\n"
)
SJSON = json.dumps({"start": [0, 1500], "end": [1500, 3200], "text": ["Hello everyone", "Welcome"]})
VIDEO = (
    '<video url_name="v1" display_name="Présentation" html5_sources=\'["/static/intro.mp4"]\' sub="intro01">'
    '<transcript language="fr" src="intro-fr.srt"/></video>'
)
FILES: dict[str, str | bytes] = {
    "static/intro.mp4": b"not really a video",
    "static/intro-fr.srt": SRT.encode("cp1252"),  # older SubRip files are often Windows-1252
    "static/subs_intro01.srt.sjson": SJSON,
}
ASSETS = "/formations/course-v1:Cybermassif+PLG+2026/static/"


def test_srt_and_sjson_transcripts_are_played_as_webvtt(olx_course, enrolled, as_user):
    course = olx_course(VIDEO, FILES)
    learner = as_user(enrolled(course, language="en"), course)
    page = learner.page()
    assert f'src="{ASSETS}intro-fr.srt?format=vtt" srclang="fr"' in page
    assert f'src="{ASSETS}subs_intro01.srt.sjson?format=vtt" srclang="en"' in page
    french = learner.client.get(f"{ASSETS}intro-fr.srt?format=vtt")
    assert french.status_code == 200 and french.mimetype == "text/vtt"
    text = french.get_data(as_text=True)
    assert text.startswith("WEBVTT")
    assert "00:00:01.000 --> 00:00:02.500\nBonjour à tous" in text
    assert "00:00:03.000 --> 00:00:04.250\nVoici la <i>boulangerie</i>\nen ligne" in text
    english = learner.client.get(f"{ASSETS}subs_intro01.srt.sjson?format=vtt").get_data(as_text=True)
    assert re.search(r"00:00:00.000 --> 00:00:01.500\nHello everyone", english), english
    assert "00:00:01.500 --> 00:00:03.200\nWelcome" in english
    # The files themselves are still served as they are.
    assert learner.client.get(f"{ASSETS}intro-fr.srt").data == SRT.encode("cp1252")


def test_export_gives_the_transcripts_back_in_their_original_form(olx_course, app, tmp_path):
    olx_course(VIDEO, FILES)
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course("course-v1:Cybermassif+PLG+2026", archive, actor=None)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        srt = tar.extractfile(next(n for n in names if n.endswith("static/intro-fr.srt"))).read()
        sjson = tar.extractfile(next(n for n in names if n.endswith("static/subs_intro01.srt.sjson"))).read()
        video = etree.fromstring(tar.extractfile(next(n for n in names if n.endswith("video/v1.xml"))).read())
    assert srt == SRT.encode("cp1252") and sjson == SJSON.encode()
    assert video.get("sub") == "intro01"
    assert [(t.get("language"), t.get("src")) for t in video.findall("transcript")] == [
        ("fr", "intro-fr.srt")
    ]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"start": [0], "end": [1000]}),
        json.dumps({"start": [0, 1], "end": [1000], "text": ["a"]}),
        json.dumps({"start": [2000], "end": [1000], "text": ["backwards"]}),
        json.dumps({"start": ["0"], "end": [1000], "text": ["a"]}),
        json.dumps([1, 2, 3]),
    ],
)
def test_an_unreadable_sjson_transcript_is_refused_clearly(olx_course, enrolled, as_user, content):
    course = olx_course(VIDEO, {**FILES, "static/subs_intro01.srt.sjson": content})
    learner = as_user(enrolled(course, language="en"), course)
    assert learner.client.get(f"{ASSETS}subs_intro01.srt.sjson?format=vtt").status_code == 422
    # The video and its other transcript still work.
    assert learner.client.get(f"{ASSETS}intro-fr.srt?format=vtt").status_code == 200


def test_only_transcript_formats_are_read(olx_course):
    course = olx_course('<video url_name="v1"><transcript language="fr" src="intro-fr.txt"/></video>', FILES)
    the_unreadable_warning(course.warnings, "video", "WebVTT (.vtt), SubRip (.srt) or Open edX (.sjson)")


def test_a_foreign_learner_cannot_read_the_converted_transcript(olx_course, make_user, app):
    olx_course(VIDEO, FILES)
    from tests.conftest import sign_in

    client = app.test_client()
    stranger = make_user()
    sign_in(client, stranger.email)
    assert client.get(f"{ASSETS}intro-fr.srt?format=vtt").status_code in (403, 404)
    assert app.test_client().get(f"{ASSETS}intro-fr.srt?format=vtt").status_code == 401
