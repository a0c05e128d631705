"""The info pages of an Open edX export (``info/handouts.html``, ``info/updates.items.json`` or
``updates.html``) and its assets' metadata (``policies/assets.json``, ``assets/assets.xml``): kept as they
came, given back by export, and the handouts and updates shown, cleaned, on the learner's course page."""

from __future__ import annotations

import json
import tarfile

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import ImportFailed, import_course
from app.courses.models import Course
from tests.plugins import conftest as plugin_fixtures
from tests.runtime.olx_helpers import small_course, write_course

olx_course = plugin_fixtures.olx_course
enrolled = plugin_fixtures.enrolled
as_user = plugin_fixtures.as_user

HANDOUTS = (
    '<ol><li><a href="/static/plan.pdf">Le plan</a><script>alert(1)</script></li>'
    '<li><a href="/static/plan%20d%C3%A9taill%C3%A9.pdf">Le plan détaillé</a></li></ol>\n'
)
UPDATES = [
    {
        "id": 3,
        "date": "4 décembre 2026",
        "content": (
            '<p>Séance <strong>reportée</strong></p><p style="color: red; position: fixed">Salle B</p>'
        ),
        "status": "visible",
    },
    {"id": 2, "date": "1 décembre 2026", "content": "<p>Ancienne annonce</p>", "status": "deleted"},
    {"id": 1, "date": "Bienvenue", "content": '<p onclick="x()">Bonjour à tous</p>', "status": "visible"},
]
ASSETS_JSON = '{"plan.pdf": {"contentType": "application/pdf", "displayname": "plan.pdf", "locked": false}}\n'
ASSETS_XML = (
    '<assets>\n  <asset filename="plan.pdf"><contenttype value="application/pdf"/></asset>\n</assets>\n'
)
FILES = {
    "info/handouts.html": HANDOUTS,
    "info/updates.items.json": json.dumps(UPDATES, ensure_ascii=False),
    "info/updates.html": "<section><article><h2>Ancien format</h2></article></section>",
    "policies/assets.json": ASSETS_JSON,
    "assets/assets.xml": ASSETS_XML,
    "static/plan.pdf": b"%PDF plan",
    "static/plan détaillé.pdf": b"%PDF plan detaille",
}


def _course_page(course, client) -> str:
    response = client.client.get(f"/formations/{course.course_key}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_learners_see_the_updates_and_handouts_cleaned(olx_course, enrolled, as_user):
    course = olx_course('<html url_name="h1">x</html>', FILES)
    client = as_user(enrolled(course, language="en"), course, "en")
    page = _course_page(course, client)
    assert "Course updates" in page and "Handouts" in page
    assert "<h3>4 décembre 2026</h3><p>Séance <strong>reportée</strong></p>" in page
    assert "<p>Bonjour à tous</p>" in page and "onclick" not in page
    # Course authors' HTML: their harmless styles are kept, a fixed overlay over the site is not.
    assert '<p style="color: red">Salle B</p>' in page
    assert "Ancienne annonce" not in page  # deleted
    assert "Ancien format" not in page  # the dated list wins over the older page
    assert f'href="/formations/{course.course_key}/static/plan.pdf"' in page
    # A link written URL-encoded, as editors write names with spaces, reaches its file.
    detailed = page.split('">Le plan détaillé</a>', 1)[0].rsplit('href="', 1)[1]
    assert client.client.get(detailed).data == b"%PDF plan detaille"
    assert "<script>alert(1)</script>" not in page and "alert(1)" not in page
    assert page.index("Séance") < page.index("Bonjour à tous")  # newest first, as written


def test_the_page_is_in_french_for_french_learners(olx_course, enrolled, as_user):
    course = olx_course('<html url_name="h1">x</html>', FILES)
    page = _course_page(course, as_user(enrolled(course, language="fr"), course, "fr"))
    assert "Actualités de la formation" in page and "Documents" in page


def test_the_older_updates_page_is_shown_without_a_dated_list(olx_course, enrolled, as_user):
    files = {"info/updates.html": "<section><article><h2>Rentrée</h2><p>Le 5 janvier</p></article></section>"}
    course = olx_course('<html url_name="h1">x</html>', files)
    page = _course_page(course, as_user(enrolled(course), course))
    assert "<h2>Rentrée</h2><p>Le 5 janvier</p>" in page


def test_a_course_without_info_shows_none_and_costs_no_more(olx_course, enrolled, as_user, count_statements):
    plain = olx_course('<html url_name="h1">x</html>')
    client = as_user(enrolled(plain), plain)
    page = _course_page(plain, client)
    assert "course-updates" not in page and "course-handouts" not in page
    _course_page(plain, client)
    _, without = count_statements(lambda: _course_page(plain, client))
    informed = olx_course('<html url_name="h1">x</html>', FILES, course_key="course-v1:Cybermassif+INF+2026")
    other = as_user(enrolled(informed), informed)
    _course_page(informed, other)
    _, with_info = count_statements(lambda: _course_page(informed, other))
    assert len(with_info) == len(without) + 1  # the kept files, read only for a course that has some


def test_export_gives_every_kept_file_back_unchanged(app, olx_course, tmp_path):
    course = olx_course('<html url_name="h1">x</html>', FILES)
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
        with tarfile.open(archive) as tar:
            read = {
                m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()
            }
        for path, content in FILES.items():
            assert read[path] == (content if isinstance(content, bytes) else content.encode()), path
        again = import_course(archive, actor=None)
        db.session.commit()
        assert again.course.kept_files == {p: c for p, c in FILES.items() if not p.startswith("static/")}
        assert again.course.has_info


def test_malformed_updates_are_a_warning_kept_and_not_shown(app, olx_course, enrolled, as_user):
    course = olx_course('<html url_name="h1">x</html>', {"info/updates.items.json": '{"not": "a list"'})
    assert [(w.file, w.code) for w in course.warnings] == [("info/updates.items.json", "info")]
    assert "none of them is shown" in course.warnings[0].text
    page = _course_page(course, as_user(enrolled(course), course))
    assert "course-updates" not in page
    with app.app_context():
        kept = db.session.scalar(select(Course.kept_files).where(Course.id == course.course_id))
        assert kept == {"info/updates.items.json": '{"not": "a list"'}


def test_updates_that_are_not_objects_are_left_out_with_a_warning(olx_course, enrolled, as_user):
    items = json.dumps([{"date": "Lundi", "content": "<p>Gardée</p>"}, "texte", {"content": 3}])
    course = olx_course('<html url_name="h1">x</html>', {"info/updates.items.json": items})
    assert "those that are not are left out" in course.warnings[0].text
    page = _course_page(course, as_user(enrolled(course), course))
    assert "<p>Gardée</p>" in page


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"info/handouts.html": "x" * (5 * 1024 * 1024 + 1)}, "over the limit"),
        ({"info/handouts.html": b"\xff\xfe caf\xe9"}, "is not UTF-8 text"),
        ({"assets/assets.xml": b"<assets>\xe9</assets>"}, "is not UTF-8 text"),
    ],
)
def test_an_info_file_that_cannot_be_kept_refuses_the_import(app_ctx, tmp_path, files, message):
    with pytest.raises(ImportFailed) as refused:
        import_course(write_course(tmp_path / "c", small_course(**files)), actor=None)
    assert any(message in str(p) and next(iter(files)) in str(p) for p in refused.value.problems)
    assert db.session.scalar(select(Course.id)) is None
