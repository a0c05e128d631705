"""What a learner is shown: the right player for each source, links to the course's files, transcripts,
the completion status, and every field escaped."""

from __future__ import annotations

import html
import json
import re

from tests.plugins.video.conftest import FILES, HTML5, PEERTUBE, YOUTUBE, completion


def _block(page: str, url_name: str) -> str:
    """The HTML of one video block of a unit page."""
    start = page.index(f'data-usage-id="block-v1:Cybermassif+PLG+2026+type@video+block@{url_name}"')
    end = page.find('<div class="vert"', start)
    return page[start : end if end != -1 else len(page)]


def _init_args(block: str) -> dict:
    match = re.search(r'<script type="json/xblock-args"[^>]*>(.*?)</script>', block, re.DOTALL)
    assert match
    return json.loads(match.group(1))


def test_html5_video_plays_course_files_with_captions_and_transcript(olx_course, enrolled, as_user):
    course = olx_course(HTML5, FILES)
    learner = enrolled(course, language="en")
    block = _block(as_user(learner, course).page(), "v1")
    assets = "/formations/course-v1:Cybermassif+PLG+2026/static/"
    assert f'<source src="{assets}intro.mp4" type="video/mp4">' in block
    assert f'<track kind="captions" src="{assets}intro-fr.vtt" srclang="fr" label="French" default>' in block
    assert 'aria-labelledby="video-' in block and "<video controls" in block
    # The transcript's file, for the text beside the player (fetched by the block's script) and to download.
    assert f'class="video-transcript-file" href="{assets}intro-fr.vtt" hreflang="fr" download' in block
    assert "Watch at least 90% of the video to complete it." in block
    assert "video-mark-watched" not in block  # watching a file is measured: no button
    assert "Download the video" not in block  # download_video is off by default
    assert _init_args(block)["player"] == "html5"
    assert 'data-init="CybermassifVideo"' in block


def test_youtube_is_shown_through_the_privacy_enhanced_domain_with_a_watched_button(
    olx_course, enrolled, as_user
):
    course = olx_course(YOUTUBE)
    block = _block(as_user(enrolled(course, language="en"), course).page(), "yt")
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0"' in block
    assert 'title="Video player: Sur YouTube"' in block
    assert "youtube.com/" not in block.replace("youtube-nocookie.com/", "")
    assert '<button type="button" class="video-mark-watched">I watched this video</button>' in block


def test_peertube_and_vimeo_players_are_embedded(olx_course, enrolled, as_user):
    vimeo = '<video url_name="vm" embed_url="https://player.vimeo.com/video/76979871?h=8272103f6e"/>'
    course = olx_course(PEERTUBE + vimeo)
    page = as_user(enrolled(course, language="en"), course).page()
    assert (
        '<iframe src="https://video.example.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d"'
        in _block(page, "pt")
    )
    assert '<iframe src="https://player.vimeo.com/video/76979871?h=8272103f6e"' in _block(page, "vm")


def test_html5_wins_over_youtube_and_start_end_times_apply(olx_course, enrolled, as_user):
    both = (
        '<video url_name="v1" youtube_id_1_0="dQw4w9WgXcQ" start_time="00:00:05" end_time="00:01:00" '
        'download_video="true" html5_sources=\'["https://cdn.example.org/a.webm?x=1&amp;y=2", '
        '"/static/intro.mp4"]\'/>'
        '<video url_name="yt" youtube_id_1_0="dQw4w9WgXcQ" start_time="00:00:05" end_time="00:01:00"/>'
    )
    course = olx_course(both, FILES)
    page = as_user(enrolled(course, language="en"), course).page()
    block = _block(page, "v1")
    assert "<iframe" not in block
    assert '<source src="https://cdn.example.org/a.webm?x=1&amp;y=2#t=5,60" type="video/webm">' in block
    assert 'intro.mp4#t=5,60" type="video/mp4">' in block
    # The download link prefers the course's own file.
    assert re.search(r'<a href="[^"]*/static/intro\.mp4" download>Download the video</a>', block)
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0&amp;start=5&amp;end=60" in _block(page, "yt")


def test_a_video_without_any_source_says_so(olx_course, enrolled, as_user):
    course = olx_course('<video url_name="empty" display_name="À venir"/>')
    block = _block(as_user(enrolled(course, language="en"), course).page(), "empty")
    assert "This video has no source yet." in block
    assert "<video" not in block and "<iframe" not in block and "<button" not in block


def test_several_transcripts_offer_a_choice_of_language(olx_course, enrolled, as_user):
    xml = (
        '<video url_name="v1" html5_sources=\'["/static/intro.mp4"]\' '
        'transcripts=\'{"en": "intro-en.vtt", "fr": "intro-fr.vtt"}\'/>'
    )
    course = olx_course(xml, FILES)
    block = _block(as_user(enrolled(course, language="en"), course).page(), "v1")
    assert '<label for="video-' in block and "Language of the transcript" in block
    assert '<option value="0" lang="en">English</option>' in block
    assert '<option value="1" lang="fr">French</option>' in block
    assert block.count('<track kind="captions"') == 2
    assert block.count(" default>") == 1


HOSTILE = "\"'><script>alert(1)</script>&amp;"


def test_every_rendered_field_is_escaped(olx_course, enrolled, as_user):
    name = html.escape(HOSTILE, quote=True)
    xml = (
        f'<video url_name="v1" display_name="{name}" html5_sources=\'["/static/intro.mp4"]\' '
        'download_video="true"><transcript language="fr" src="intro-fr.vtt"/></video>'
        f'<video url_name="yt" display_name="{name}" youtube_id_1_0="dQw4w9WgXcQ"/>'
    )
    course = olx_course(xml, FILES)
    page = as_user(enrolled(course, language="en"), course).page()
    for url_name in ("v1", "yt"):
        block = _block(page, url_name)
        assert "<script>alert(1)" not in block
        assert (
            "&#34;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;" in block
        )  # the heading and title
    assert 'title="Video player: &#34;&#39;&gt;&lt;script&gt;' in _block(page, "yt")


def test_completed_video_says_so_and_drops_the_button(olx_course, enrolled, as_user):
    course = olx_course(YOUTUBE)
    client = as_user(enrolled(course, language="en"), course)
    assert client.call("video", "yt", "mark_watched").status_code == 200
    block = _block(client.page(), "yt")
    assert "You have watched this video." in block
    assert "video-status-complete" in block
    assert "video-mark-watched" not in block
    assert _init_args(block)["complete"] is True


def test_progress_so_far_is_shown(olx_course, enrolled, as_user):
    course = olx_course(HTML5, FILES)
    client = as_user(enrolled(course, language="en"), course)
    assert client.call("video", "v1", "watched", {"duration": 200, "ranges": [[0, 90]]}).status_code == 200
    assert "Watched so far: 45%" in _block(client.page(), "v1")


def test_viewing_the_page_does_not_complete_the_video(olx_course, enrolled, as_user, app):
    course = olx_course(HTML5 + YOUTUBE, FILES)
    learner = enrolled(course, language="en")
    as_user(learner, course).page()
    assert completion(app, learner.id, course, "v1") is None
    assert completion(app, learner.id, course, "yt") is None


def test_french_learners_read_the_block_in_french(olx_course, enrolled, as_user):
    course = olx_course(HTML5 + YOUTUBE, FILES)
    page = as_user(enrolled(course, language="fr"), course).page()
    assert "Regardez au moins 90 % de la vidéo pour la terminer." in _block(page, "v1")
    assert "J’ai regardé cette vidéo" in _block(page, "yt")
    assert 'label="français"' in _block(page, "v1")


def test_values_set_by_a_course_policy_are_checked_again_when_shown(olx_course, enrolled, as_user):
    policy = {
        "video/v1": {
            "embed_url": "https://evil.example.org/steal",
            "youtube_id_1_0": '"><script>',
            "html5_sources": ["javascript:alert(1)", "/static/../x.mp4"],
            "transcripts": {"fr": "../x.vtt", "x y": "a.vtt"},
        }
    }
    course = olx_course('<video url_name="v1"/>', {"policies/2026/policy.json": json.dumps(policy)})
    block = _block(as_user(enrolled(course, language="en"), course).page(), "v1")
    assert "This video has no source yet." in block
    assert "evil.example.org" not in block and "javascript:" not in block and "<script>" not in block
    assert "x.vtt" not in block and "<track" not in block


def test_a_file_named_with_accents_plays_under_its_open_edx_name(olx_course, enrolled, as_user):
    """Open edX names ``static/réception facture.mp4`` /static/réception_facture.mp4 (its letters kept)."""
    unit = (
        '<video url_name="v1" html5_sources=\'["/static/réception_facture.mp4"]\'>'
        '<transcript language="fr" src="réception-fr.srt"/></video>'
    )
    files = {
        "static/réception facture.mp4": b"the video",
        "static/réception-fr.srt": "1\n00:00:01,000 --> 00:00:02,000\nBonjour\n",
    }
    course = olx_course(unit, files)
    assert course.warnings == ()
    client = as_user(enrolled(course), course)
    block = _block(client.page(), "v1")
    source = re.search(r'<source src="([^"]+)" type="video/mp4">', block).group(1)
    assert source.endswith("/static/r%C3%A9ception_facture.mp4")
    assert client.client.get(source).data == b"the video"
    track = re.search(r'<track kind="captions" src="([^"]+)"', block).group(1)
    assert "Bonjour" in client.client.get(html.unescape(track)).get_data(as_text=True)
