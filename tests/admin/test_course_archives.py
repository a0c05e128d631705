"""Importing an uploaded course archive and exporting a course, from the administration pages."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.models import Course
from app.runtime.models import BlockTree
from tests.conftest import csrf_token, sign_in

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "courses" / "bien-demarrer"
EN = {"Accept-Language": "en"}


def _archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _sample_archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(SAMPLE, arcname="course")
    return buffer.getvalue()


@pytest.fixture
def admin(client, make_user):
    user = make_user(roles=[(Role.NETWORK_ADMIN, None)], language="en")
    sign_in(client, user.email)
    return user


def _upload(client, data: bytes, name: str = "course.tar.gz", token: str | None = None):
    return client.post(
        "/admin/formations/importer",
        data={
            "csrf_token": csrf_token(client, "/admin/formations") if token is None else token,
            "archive": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
        headers=EN,
    )


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Course)),
            db.session.scalar(select(func.count()).select_from(BlockTree)),
        )


def test_an_uploaded_archive_is_imported_and_can_be_exported_again(app, client, admin):
    response = _upload(client, _sample_archive())
    assert response.status_code == 302
    page = client.get("/admin/formations", headers=EN).get_data(as_text=True)
    assert "is imported and published" in page
    assert "course-v1:Cybermassif+DEMARRER+2026" in page
    assert _counts(app) == (1, 1)

    download = client.get("/admin/formations/course-v1:Cybermassif+DEMARRER+2026/exporter")
    assert download.status_code == 200
    assert download.mimetype == "application/gzip"
    assert "attachment" in download.headers["Content-Disposition"]
    with tarfile.open(fileobj=io.BytesIO(download.data), mode="r:gz") as tar:
        assert any(name.endswith("course.xml") for name in tar.getnames())


@pytest.mark.parametrize(
    ("files", "kind", "detail"),
    [
        (
            {"course/course.xml": b"<course url_name='2026' org='X' course='Y'"},
            "An XML file is not valid",
            "course.xml:1",
        ),
        (
            {"../evil.txt": b"x", "course/course.xml": b"<course/>"},
            "The archive cannot be opened safely",
            "evil",
        ),
        (
            {"course/course.xml": b"<!DOCTYPE c [<!ENTITY a 'x'>]><course url_name='r' org='o' course='c'/>"},
            "An XML file is not valid",
            "course.xml",
        ),
    ],
)
def test_a_broken_archive_changes_nothing_and_says_why(app, client, admin, files, kind, detail):
    response = _upload(client, _archive(files))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The course was not imported and nothing was changed." in page
    assert kind in page and detail in page
    assert _counts(app) == (0, 0)


def test_a_broken_reimport_keeps_the_published_version(app, client, admin):
    assert _upload(client, _sample_archive()).status_code == 302
    with app.app_context():
        published = db.session.scalar(select(Course.published_tree_id))
    broken = _archive({"course/course.xml": b"<course url_name='2026' org='Cybermassif' course='DEMARRER'/>"})
    assert _upload(client, broken).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Course.published_tree_id)) == published
    assert _counts(app) == (1, 1)


def test_bad_uploads_are_refused(app, client, admin):
    missing = client.post(
        "/admin/formations/importer",
        data={"csrf_token": csrf_token(client, "/admin/formations")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert missing.status_code == 400
    assert "Choose the course archive to import." in missing.get_data(as_text=True)
    wrong_type = _upload(client, b"PK\x03\x04 not a tarball", name="course.zip")
    assert wrong_type.status_code == 400
    assert "must be a .tar.gz file" in wrong_type.get_data(as_text=True)
    not_gzip = _upload(client, b"plain text, not gzip", name="course.tar.gz")
    assert not_gzip.status_code == 400
    assert _counts(app) == (0, 0)


def test_an_oversized_upload_is_refused(app, client, admin):
    app.config["MAX_CONTENT_LENGTH"], limit = 64 * 1024, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = _upload(client, b"\0" * (128 * 1024))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert _counts(app) == (0, 0)


def test_without_the_csrf_token_nothing_is_imported(app, client, admin):
    assert _upload(client, _sample_archive(), token="forged").status_code == 400
    assert _counts(app) == (0, 0)


@pytest.mark.parametrize("role", [Role.CYBERSITE_MANAGER, Role.COMPANY_MANAGER])
def test_only_network_administrators_import_and_export(
    app, client, make_user, make_cybersite, make_company, role
):
    scope = make_cybersite() if role == Role.CYBERSITE_MANAGER else make_company()
    user = make_user(roles=[(role, scope)], language="en")
    sign_in(client, user.email)
    assert client.get("/admin/formations").status_code == 403
    token = csrf_token(client, "/admin/")
    assert _upload(client, _sample_archive(), token=token).status_code == 403
    assert client.get("/admin/formations/course-v1:Cybermassif+DEMARRER+2026/exporter").status_code == 403
    assert _counts(app) == (0, 0)


def test_exporting_an_unknown_course_is_not_found(client, admin):
    assert client.get("/admin/formations/course-v1:No+Such+Course/exporter").status_code == 404


def test_a_member_name_that_is_not_utf8_is_refused_with_a_readable_name(app, client, admin):
    """Found by the hostile-import corpus: the page listing the problem failed with a 500, as the
    name's undecodable byte could not be written into it."""
    before = _counts(app)
    response = _upload(
        client, _archive({"course/course.xml": b"<course/>", "course/static/caf\udce9.txt": b"x"})
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "caf\\udce9.txt" in page or "caf\\xe9.txt" in page, page[-1500:]
    assert _counts(app) == before
