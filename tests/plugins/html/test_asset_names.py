"""Course files are reached under the names Open edX gives them: a course exported from Open edX links to
``documentation icon.svg`` as ``/static/documentation_icon.svg`` and to ``static/images/logo.png`` as
``/static/images_logo.png`` (every character but letters, digits, ``.``, ``%`` and ``-`` becomes ``_``);
the file's own path keeps working, wins when both could match, and export gives the files back under their
own names."""

from __future__ import annotations

import tarfile

import pytest

from app.courses.exporting import export_course
from app.runtime.olx_course import openedx_asset_name

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
UNIT = (
    '<html url_name="h1" display_name="Documents"><p><img src="/static/documentation_icon.svg" alt="icône"/>'
    '<a href="/static/images_logo.png">logo</a></p></html>'
)
FILES = {
    "static/documentation icon.svg": SVG,
    "static/images/logo.png": b"\x89PNG logo",
    "static/a_b.txt": b"the file named a_b",
    "static/a b.txt": b"the file named a b",
    "static/Fiche n°1 (été).pdf": b"%PDF fiche",
}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("documentation icon.svg", "documentation_icon.svg"),
        ("images/logo.png", "images_logo.png"),
        ("Fiche n°1 (été).pdf", "Fiche_n_1__été_.pdf"),
        ("100%-réel.txt", "100%-réel.txt"),
    ],
)
def test_the_names_follow_open_edx(path, name):
    assert openedx_asset_name(path) == name


@pytest.fixture
def learner_view(olx_course, enrolled, as_user):
    course = olx_course(UNIT, FILES)
    client = as_user(enrolled(course), course)
    return course, client


def test_the_links_of_an_open_edx_course_reach_its_files(learner_view):
    course, client = learner_view
    base = f"/formations/{course.course_key}/static"
    page = client.page()
    assert f'src="{base}/documentation_icon.svg"' in page and f'href="{base}/images_logo.png"' in page
    assert client.client.get(f"{base}/documentation_icon.svg").data == SVG
    assert client.client.get(f"{base}/images_logo.png").data == b"\x89PNG logo"
    assert client.client.get(f"{base}/Fiche_n_1__été_.pdf").data == b"%PDF fiche"


def test_a_files_own_path_still_works_and_wins(learner_view):
    course, client = learner_view
    base = f"/formations/{course.course_key}/static"
    assert client.client.get(f"{base}/documentation%20icon.svg").data == SVG
    assert client.client.get(f"{base}/images/logo.png").data == b"\x89PNG logo"
    assert client.client.get(f"{base}/a_b.txt").data == b"the file named a_b"
    assert client.client.get(f"{base}/a%20b.txt").data == b"the file named a b"
    assert client.client.get(f"{base}/documentation-icon.svg").status_code == 404
    assert client.client.get(f"{base}/images_logo.PNG").status_code == 404


def test_export_gives_the_files_back_under_their_own_names(app, learner_view, tmp_path):
    course, _client = learner_view
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        names = {
            m.name.split("/static/", 1)[1] for m in tar.getmembers() if "/static/" in m.name and m.isfile()
        }
    assert names == {path.removeprefix("static/") for path in FILES}
