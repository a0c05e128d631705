"""Course authors' HTML through the html block, as learners reach it: styles (filtered), buttons, objects,
stylesheets and media of the course's own files are shown in the page; a text holding script is shown in a
sandboxed frame whose document the block's ``frame`` handler serves under its own CSP; export gives the
author's HTML back unchanged."""

from __future__ import annotations

import html
import json
import re
import tarfile

import pytest

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course

LAYOUT = (
    '<link rel="stylesheet" href="/static/cours.css">'
    '<div class="encart" style="background-color: #eef; padding: 1em; position: fixed; '
    'background-image: url(https://evil.example.org/t.png)">'
    '<h1 style="color: navy; behavior: url(/static/x.htc)">Titre</h1>'
    '<button type="button" class="voir" data-answer="42">Voir la réponse</button>'
    '<object data="/static/guide.pdf" type="application/pdf" width="100%" height="500"></object>'
    '<iframe src="https://evil.example.org/page"></iframe>'
    '<video controls><source src="/static/film.mp4" type="video/mp4"></video></div>'
)
SCRIPTED = (
    "<p id=\"sortie\">Avant</p>\n<button onclick=\"document.getElementById('sortie').textContent = 'Après'\">"
    'Clic</button>\n<script>$(function () { $("#sortie").addClass("prêt"); });</script>\n'
    '<style>#sortie { color: red; }</style>\n<img src="/static/schema.png" alt="Schéma">\n<!-- note -->'
)
FILES = {
    "html/mise.xml": '<html filename="mise" display_name="Mise en page" editor="raw"/>',
    "html/mise.html": LAYOUT,
    "html/script.xml": '<html filename="script" display_name="Exercice interactif"/>',
    "html/script.html": SCRIPTED,
    "static/cours.css": ".encart { border: 1px solid; }",
    "static/guide.pdf": b"%PDF-1.4",
    "static/film.mp4": b"\x00\x00\x00\x18ftypmp42",
    "static/schema.png": b"\x89PNG",
}
UNIT = '<html url_name="mise"/><html url_name="script"/>'


@pytest.fixture
def course(olx_course):
    return olx_course(UNIT, FILES)


@pytest.fixture
def learner(course, enrolled, as_user):
    return as_user(enrolled(course), course)


def _assets(course) -> str:
    return f"/formations/{course.course_key}/static"


def test_the_unit_page_keeps_the_authors_layout(course, learner):
    page = learner.page()
    assets = _assets(course)
    assert f'<link rel="stylesheet" href="{assets}/cours.css">' in page
    assert '<div class="encart" style="background-color: #eef; padding: 1em">' in page
    assert '<h1 style="color: navy">Titre</h1>' in page
    assert '<button type="button" class="voir" data-answer="42">Voir la réponse</button>' in page
    assert (
        f'<object data="{assets}/guide.pdf" type="application/pdf" width="100%" height="500"></object>'
        in page
    )
    assert f'<source src="{assets}/film.mp4" type="video/mp4">' in page
    assert "evil.example.org" not in page and "behavior" not in page and "fixed" not in page
    assert "public/html-block.css" in page
    # The page lets the course's PDF objects show (from the site itself only), nothing more.
    csp = learner.client.get(course.unit_url()).headers["Content-Security-Policy"].split("; ")
    assert "object-src 'self'" in csp and "style-src 'self' 'unsafe-inline'" in csp


def test_a_text_with_script_is_shown_in_a_sandboxed_frame(course, learner):
    response = learner.client.get(course.unit_url())
    page = response.get_data(as_text=True)
    frame = re.search(
        r'<iframe class="html-block-frame" src="([^"]+)" sandbox="([^"]*)" title="([^"]*)"', page
    )
    assert frame, "no frame for the scripted text"
    assert frame.group(1) == course.handler_url("html", "script", "frame")
    assert frame.group(2) == "allow-scripts"  # never allow-same-origin: the frame's origin stays opaque
    assert frame.group(3) == "Exercice interactif"
    assert "CybermassifHtmlFrame" in page and "public/html-frame.js" in page
    # The only files the page will fetch for the frame: those its HTML names.
    files = re.search(r'data-files="([^"]*)"', page).group(1)
    assert json.loads(html.unescape(files)) == [f"{_assets(course)}/schema.png"]
    # Nothing of the author's script reaches the page itself, whose CSP stays as strict as before.
    assert "textContent = " not in page and "#sortie { color" not in page and "addClass" not in page
    csp = response.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'nonce-" in script_src


def test_the_frame_document_is_the_authors_html_under_its_own_policy(course, learner):
    response = learner.client.get(course.handler_url("html", "script", "frame"))
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert SCRIPTED.replace("/static/schema.png", f"{_assets(course)}/schema.png") in body
    assert '<script src="/static/vendor/jquery/jquery-2.2.4.min.js' in body
    assert "cybermassif-html-height" in body
    csp = response.headers["Content-Security-Policy"].split("; ")
    assert csp[0] == "sandbox allow-scripts"
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "form-action 'none'" in csp
    assert "script-src 'unsafe-inline' http://localhost/static/" in csp  # jQuery; course files come inline
    assert "img-src http://localhost data: blob:" in csp
    assert "frame-ancestors http://localhost" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]


def test_with_a_course_script_every_script_waits_for_the_files_in_order(olx_course, enrolled, as_user):
    source = (
        '<script src="/static/bib.js"></script><script>bib();</script>'
        '<script type="text/template"><b>modèle</b></script><script src="https://cdn.example.org/x.js"></script>'
    )
    course = olx_course(
        f'<html url_name="h1"><![CDATA[{source}]]></html>', {"static/bib.js": "function bib() {}"}
    )
    learner = as_user(enrolled(course), course)
    body = learner.client.get(course.handler_url("html", "h1", "frame")).get_data(as_text=True)
    assert (
        f'<script type="text/x-cybermassif-course" data-cm-src="{_assets(course)}/bib.js"></script>'
        '<script type="text/x-cybermassif-inline">bib();</script>'
        '<script type="text/template"><b>modèle</b></script>'
        '<script src="https://cdn.example.org/x.js"></script>'  # left as it is: the frame's CSP refuses it
    ) in body


def test_the_frame_is_only_read(course, learner):
    response = learner.call("html", "script", "frame", {"x": 1})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


def test_the_frame_needs_a_learner_of_the_course(course, app, make_user, as_user):
    url = course.handler_url("html", "script", "frame")
    assert app.test_client().get(url).status_code == 401
    outsider = as_user(make_user(), course)
    assert outsider.client.get(url).status_code == 403


def test_export_gives_back_the_authors_html_unchanged(app, course, tmp_path):
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        files = {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        tar.extractall(tmp_path / "again", filter="data")
    assert files["html/mise.html"].decode() == LAYOUT
    assert files["html/script.html"].decode() == SCRIPTED
    assert b'editor="raw"' in files["html/mise.xml"]
    # ... and imports again to the same text.
    (root,) = (tmp_path / "again").iterdir()
    with app.app_context():
        result = import_course(root, actor=None)
        db.session.commit()
    assert result.warnings == ()
