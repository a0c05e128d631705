"""Open edX's ``<video>`` OLX: read into fields, written back in the same shape (unused attributes and
children kept), and refused at import with a clear message when it names something the block cannot play."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from app.runtime.models import StoredBlock
from tests.plugins.conftest import COURSE_KEY
from tests.plugins.video.conftest import FILES
from tests.runtime.olx_helpers import the_unreadable_warning, write_course

OPEN_EDX_VIDEO = (
    '<video display_name="Bienvenue" youtube="1.00:dQw4w9WgXcQ" youtube_id_1_0="dQw4w9WgXcQ" '
    'show_captions="true" sub="" edx_video_id="" download_track="false" '
    'html5_sources=\'["/static/intro.mp4", "https://cdn.example.org/intro.webm"]\' '
    'download_video="true" start_time="00:00:05" end_time="00:02:00" '
    'embed_url="https://video.example.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d">'
    '<source src="/static/intro.mp4"/><source src="https://cdn.example.org/intro.webm"/>'
    '<track src="/static/intro-fr.vtt"/>'
    '<transcript language="fr" src="intro-fr.vtt"/><transcript language="en" src="intro-en.vtt"/>'
    "</video>"
)


def _course_files(unit: str, **extra: str | bytes) -> dict[str, str | bytes]:
    return {
        "course.xml": '<course url_name="2026" org="Cybermassif" course="PLG"/>',
        "course/2026.xml": '<course display_name="Cours"><chapter url_name="ch1" display_name="Chapitre">'
        '<sequential url_name="s1" display_name="Séquence">'
        f'<vertical url_name="u1" display_name="Unité">{unit}</vertical>'
        "</sequential></chapter></course>",
        **FILES,
        **extra,
    }


def _video_settings(tree_id: int) -> dict[str, dict]:
    blocks = db.session.scalars(
        select(StoredBlock).where(StoredBlock.tree_id == tree_id, StoredBlock.block_type == "video")
    ).all()
    return {b.url_name: b.settings for b in blocks}


def _import(tmp_path: Path, unit: str, **extra: str | bytes):
    root = write_course(tmp_path / "course", _course_files(unit, **extra))
    result = import_course(root, actor=None)
    db.session.commit()
    return result


def test_open_edx_video_is_read_into_fields(app_ctx, tmp_path):
    result = _import(tmp_path, '<video url_name="v1"/>', **{"video/v1.xml": OPEN_EDX_VIDEO})
    settings = _video_settings(result.tree_id)["v1"]
    assert settings == {
        "display_name": "Bienvenue",
        "youtube_id_1_0": "dQw4w9WgXcQ",
        "html5_sources": ["/static/intro.mp4", "https://cdn.example.org/intro.webm"],
        "embed_url": "https://video.example.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d",
        "download_video": True,
        "start_time": 5,
        "end_time": 120,
        "transcripts": {"en": "intro-en.vtt", "fr": "intro-fr.vtt"},
        "xml_attributes": {
            "youtube": "1.00:dQw4w9WgXcQ",
            "show_captions": "true",
            "sub": "",
            "edx_video_id": "",
            "download_track": "false",
        },
        "xml_children": ['<track src="/static/intro-fr.vtt"/>'],
    }


def test_round_trip_gives_the_same_video_back_in_open_edx_shape(app_ctx, tmp_path):
    first = _import(tmp_path, '<video url_name="v1"/>', **{"video/v1.xml": OPEN_EDX_VIDEO})
    before = _video_settings(first.tree_id)
    archive = tmp_path / "export.tar.gz"
    export_course(COURSE_KEY, archive, actor=None)
    with tarfile.open(archive) as tar:
        exported = etree.fromstring(tar.extractfile("PLG-2026/video/v1.xml").read())
    assert exported.tag == "video"
    assert exported.get("youtube_id_1_0") == "dQw4w9WgXcQ"
    assert exported.get("youtube") == "1.00:dQw4w9WgXcQ"
    assert exported.get("show_captions") == "true" and exported.get("sub") == ""
    assert exported.get("start_time") == "00:00:05" and exported.get("end_time") == "00:02:00"
    assert exported.get("download_video") == "true"
    assert [s.get("src") for s in exported.findall("source")] == [
        "/static/intro.mp4",
        "https://cdn.example.org/intro.webm",
    ]
    assert [(t.get("language"), t.get("src")) for t in exported.findall("transcript")] == [
        ("en", "intro-en.vtt"),
        ("fr", "intro-fr.vtt"),
    ]
    assert [t.get("src") for t in exported.findall("track")] == ["/static/intro-fr.vtt"]
    second = import_course(archive, actor=None)
    db.session.commit()
    assert _video_settings(second.tree_id) == before


def test_minimal_and_inline_videos_round_trip(app_ctx, tmp_path):
    unit = (
        '<video url_name="yt" youtube_id_1_0="dQw4w9WgXcQ"/>'
        '<video url_name="plain"/>'
        '<video url_name="tr" html5_sources=\'["/static/intro.mp4"]\' '
        'transcripts=\'{"fr": "intro-fr.vtt"}\'><!-- a comment --></video>'
    )
    first = _import(tmp_path, unit)
    before = _video_settings(first.tree_id)
    assert before["yt"] == {"youtube_id_1_0": "dQw4w9WgXcQ"}
    assert before["plain"] == {}
    assert before["tr"] == {"html5_sources": ["/static/intro.mp4"], "transcripts": {"fr": "intro-fr.vtt"}}
    archive = tmp_path / "export.tar.gz"
    export_course(COURSE_KEY, archive, actor=None)
    with tarfile.open(archive) as tar:
        assert tar.extractfile("PLG-2026/video/plain.xml").read().strip() == b"<video/>"
    second = import_course(archive, actor=None)
    db.session.commit()
    assert _video_settings(second.tree_id) == before


def test_legacy_youtube_attribute_gives_the_normal_speed_id(app_ctx, tmp_path):
    result = _import(tmp_path, '<video url_name="v1" youtube="0.75:aaaaaaaaaaa,1.00:dQw4w9WgXcQ"/>')
    settings = _video_settings(result.tree_id)["v1"]
    assert settings["youtube_id_1_0"] == "dQw4w9WgXcQ"
    assert settings["xml_attributes"] == {"youtube": "0.75:aaaaaaaaaaa,1.00:dQw4w9WgXcQ"}


REFUSED = [
    pytest.param(
        'embed_url="http://video.example.org/videos/embed/abc"', "is not an accepted player", id="http"
    ),
    pytest.param(
        'embed_url="https://evil.example.org/watch/abc"', "is not an accepted player", id="other-path"
    ),
    pytest.param('embed_url="javascript:alert(1)"', "is not an accepted player", id="javascript"),
    pytest.param(
        'embed_url="https://user:pw@video.example.org/videos/embed/a"', "accepted player", id="creds"
    ),
    pytest.param(
        'embed_url="https://player.vimeo.com/video/abc"', "is not an accepted player", id="vimeo-id"
    ),
    pytest.param(
        'embed_url="https://www.youtube.com/embed/dQw4w9WgXcQ"', "accepted player", id="youtube-embed"
    ),
    pytest.param('embed_url="https://127.0.0.1/videos/embed/abc"', "is not an accepted player", id="ip"),
    pytest.param(
        'embed_url="https://v.example.org/videos/embed/a#x"', "is not an accepted player", id="fragment"
    ),
    pytest.param('youtube_id_1_0="not-an-id"', "is not a YouTube video id", id="youtube-id"),
    pytest.param(
        'youtube_id_1_0="dQw4w9WgXcQ&quot;onload=x"', "is not a YouTube video id", id="youtube-quote"
    ),
    pytest.param(
        "html5_sources='[\"http://cdn.example.org/a.mp4\"]'", "is not a video file address", id="http"
    ),
    pytest.param(
        "html5_sources='[\"/static/../secret.mp4\"]'", "is not a video file address", id="traversal"
    ),
    pytest.param(
        "html5_sources='[\"data:video/mp4;base64,AAAA\"]'", "is not a video file address", id="data"
    ),
    pytest.param('html5_sources=\'["/static/a\\"b.mp4"]\'', "is not a video file address", id="quote"),
    pytest.param("html5_sources='/static/a.mp4'", "html5_sources must be a JSON list", id="not-json"),
    pytest.param("html5_sources='[1]'", "Each video file must be given as text", id="not-text"),
    pytest.param('start_time="soon"', "is not a time", id="time"),
    pytest.param('start_time="00:01:00" end_time="00:00:30"', "end time must come after", id="window"),
    pytest.param('download_video="maybe"', "download_video must be true or false", id="boolean"),
    pytest.param("transcripts='[\"a.vtt\"]'", "transcripts must be a JSON object", id="transcripts"),
]


@pytest.mark.parametrize(("attributes", "message"), REFUSED)
def test_what_the_block_cannot_play_is_kept_as_a_placeholder_with_a_warning(
    app_ctx, tmp_path, attributes, message
):
    result = _import(tmp_path, f'<video url_name="v1" {attributes}/>')
    the_unreadable_warning(result.warnings, "video", message)
    kept = db.session.scalar(select(StoredBlock).where(StoredBlock.block_type == "video"))
    assert dict(etree.fromstring(kept.olx).attrib) == dict(etree.fromstring(f"<video {attributes}/>").attrib)
    assert kept.content == {} and kept.settings == {}


@pytest.mark.parametrize(
    ("children", "message"),
    [
        ('<transcript language="fr" src="intro-fr.txt"/>', "is not a transcript file"),
        ('<transcript language="fr" src="../../etc/passwd.vtt"/>', "is not a transcript file"),
        ('<transcript language="fr" src="https://evil.example.org/x.vtt"/>', "is not a transcript file"),
        ('<transcript language="français" src="a.vtt"/>', "is not a language code"),
        ('<transcript src="a.vtt"/>', "is not a language code"),
        (
            '<transcript language="fr" src="a.vtt"/><transcript language="fr" src="b.vtt"/>',
            "two transcripts for the language fr",
        ),
        ('<source src="ftp://example.org/a.mp4"/>', "is not a video file address"),
    ],
)
def test_bad_children_are_kept_as_a_placeholder_with_a_warning(app_ctx, tmp_path, children, message):
    result = _import(tmp_path, f'<video url_name="v1">{children}</video>')
    the_unreadable_warning(result.warnings, "video", message)
    kept = db.session.scalar(select(StoredBlock).where(StoredBlock.block_type == "video"))
    assert kept.olx == f"<video>{children}</video>"


def test_too_many_sources_are_kept_as_a_placeholder_with_a_warning(app_ctx, tmp_path):
    sources = "".join(f'<source src="/static/v{i}.mp4"/>' for i in range(11))
    result = _import(tmp_path, f'<video url_name="v1">{sources}</video>')
    the_unreadable_warning(result.warnings, "video", "A video can have at most 10 files.")
