"""Block package resources (``public/`` only) and course assets (served so they cannot run script)."""

from __future__ import annotations

import pytest

from app.runtime.registry import get_registry
from tests.conftest import sign_in
from tests.learn.conftest import EN


def test_a_block_resource_is_served_with_its_type_and_cached(client):
    response = client.get("/xblock/resource/testblock/public/echo.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"p.echo" in response.data


def test_an_installed_packages_resource_is_served_as_json(client):
    if get_registry().load_block_class("acid") is None:
        pytest.skip("acid-xblock (a test dependency) is not installed")
    response = client.get("/xblock/resource/acid/public/test_data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"


@pytest.mark.parametrize(
    "uri",
    [
        "conftest.py",  # outside public/
        "public/../conftest.py",
        "public/%2e%2e/conftest.py",
        "public/./echo.css",
        "public/.hidden",
        "public/..%2fconftest.py",
        "public/missing.css",
        "public/",
        "%2Fetc/passwd",
        "/etc/passwd",
        "public\\..\\conftest.py",
    ],
)
def test_nothing_outside_public_is_served(client, uri):
    # Werkzeug first merges doubled slashes with a redirect.
    assert client.get(f"/xblock/resource/testblock/{uri}", follow_redirects=True).status_code == 404


def test_a_block_serves_the_public_folder_it_names(client):
    response = client.get("/xblock/resource/bundledblock/static/bundles/student.js")
    assert response.status_code == 200 and b"CybermassifBundled" in response.data
    assert response.mimetype in ("text/javascript", "application/javascript")
    # Its folder only: not the package's public/, nor anything beside.
    assert client.get("/xblock/resource/bundledblock/public/echo.css").status_code == 404
    assert client.get("/xblock/resource/bundledblock/static/../conftest.py").status_code == 404
    assert client.get("/xblock/resource/bundledblock/static/.hidden").status_code == 404


def test_a_public_folder_outside_the_package_serves_nothing(client):
    assert client.get("/xblock/resource/strayblock/../learn/public/echo.css").status_code == 404
    assert client.get("/xblock/resource/strayblock/public/echo.css").status_code == 404


def test_unknown_and_placeholder_types_serve_nothing(client):
    assert client.get("/xblock/resource/nosuchtype/public/echo.css").status_code == 404
    assert client.get("/xblock/resource/html/public/anything.js").status_code == 404


@pytest.fixture
def enrolled(client, make_course, learner, enrol):
    course = make_course()
    enrol(learner, course)
    sign_in(client, learner.email)
    return course


def test_a_course_asset_is_served_with_an_etag(client, enrolled, add_asset):
    add_asset(enrolled, "images/logo.png", b"\x89PNG fake", "image/png")
    path = f"{enrolled.home_url}/static/images/logo.png"
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Disposition" not in response.headers
    etag = response.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_a_course_asset_is_served_by_byte_ranges(client, enrolled, add_asset):
    add_asset(enrolled, "media/clip.mp4", bytes(range(256)) * 4, "video/mp4")
    path = f"{enrolled.home_url}/static/media/clip.mp4"
    assert client.get(path).headers["Accept-Ranges"] == "bytes"
    part = client.get(path, headers={"Range": "bytes=1000-1023"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == "bytes 1000-1023/1024"
    assert part.data == (bytes(range(256)) * 4)[1000:1024]
    assert client.get(path, headers={"Range": "bytes=5000-6000"}).status_code == 416


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("page.html", "text/html"),
        ("drawing.svg", "image/svg+xml"),
        ("data.xml", "application/xml"),
        ("code.js", "text/javascript"),
        ("disguised.png", "text/html"),  # the stored type counts
        ("disguised.html", "image/png"),  # and so does the name
    ],
)
def test_assets_that_could_run_script_are_sandboxed_downloads(
    client, enrolled, add_asset, name, content_type
):
    add_asset(enrolled, name, b"<script>alert(1)</script>", content_type)
    response = client.get(f"{enrolled.home_url}/static/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_assets_need_an_enrolment(app, client, make_course, learner, add_asset):
    course = make_course()
    add_asset(course, "notes.pdf", b"%PDF-1.4", "application/pdf")
    path = f"{course.home_url}/static/notes.pdf"
    assert app.test_client().get(path).status_code == 401
    sign_in(client, learner.email)
    assert client.get(path, headers=EN).status_code == 403
    assert client.get(f"{course.home_url}/static/missing.pdf", headers=EN).status_code == 403
