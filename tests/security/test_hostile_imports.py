"""Hostile course imports, generated: malformed and malicious OLX archives (entity expansion, external
entities, DTDs, deep nesting, enormous attributes and text, path traversal, absolute paths, links, device
files, duplicate names, archive bombs, wrong encodings, non-UTF-8 file names), combined at random by
hypothesis and sent through the CLI and the administration upload.

Each is answered with a clear refusal (the CLI's problem list, the page's 400 with its problems), never a
crash or a 500; nothing is written outside the import area (a sentinel folder the archives aim at stays
empty); the course already published under the same key is unchanged.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.importing import import_course
from app.courses.models import Course
from app.runtime.models import BlockTree, StoredBlock
from tests.conftest import csrf_token, sign_in

ORG, NUMBER, RUN = "Cybermassif", "HOSTILE", "2026"
COURSE_XML = f'<course url_name="{RUN}" org="{ORG}" course="{NUMBER}"/>'.encode()
RUN_XML = b'<course display_name="Cours"><chapter url_name="c1"/></course>'  # the chapter is a pointer
CHAPTER_XML = b'<chapter display_name="Chapitre"><sequential url_name="s1" display_name="S"/></chapter>'

Member = tuple[str, bytes, bytes]  # name, type flag (tarfile.REGTYPE…), data or link target
Hazard = Callable[[Path], list[Member]]


def _regular(name: str, data: bytes) -> Member:
    return (name, tarfile.REGTYPE, data)


def _hazards(sentinel: Path) -> dict[str, list[Member]]:
    """Each hazard: the members it adds or replaces (by name) in the otherwise valid course."""
    laughs = b"".join(
        f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">'.encode() for i in range(1, 9)
    )
    deep = b"<vertical>" * 3000 + b"</vertical>" * 3000
    return {
        "entity expansion": [
            _regular(
                f"course/course/{RUN}.xml",
                b'<?xml version="1.0"?><!DOCTYPE course [<!ENTITY l0 "ha">' + laughs + b"]>"
                b'<course display_name="&l8;"><chapter url_name="c1"/></course>',
            )
        ],
        "external entity": [
            _regular(
                "course/chapter/c1.xml",
                b'<!DOCTYPE chapter [<!ENTITY x SYSTEM "file:///etc/passwd">]><chapter display_name="&x;"/>',
            )
        ],
        "parameter entity DTD": [
            _regular(
                "course/chapter/c1.xml",
                b'<!DOCTYPE chapter [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><chapter/>',
            )
        ],
        "deep nesting": [
            _regular("course/chapter/c1.xml", b"<chapter><sequential>" + deep + b"</sequential></chapter>")
        ],
        "enormous attribute": [
            _regular("course/chapter/c1.xml", b'<chapter display_name="' + b"A" * (11 * 1024 * 1024) + b'"/>')
        ],
        "enormous text": [
            _regular(
                "course/chapter/c1.xml",
                b'<chapter><sequential url_name="s1"><vertical url_name="v1">'
                b'<html url_name="h" filename="h"/></vertical></sequential></chapter>',
            ),
            _regular("course/html/h.html", b"<p>" + b"x" * (6 * 1024 * 1024) + b"</p>"),
        ],
        "path traversal": [_regular("course/../" * 12 + str(sentinel).lstrip("/") + "/escaped.txt", b"out")],
        "absolute path": [_regular(str(sentinel / "absolute.txt"), b"out")],
        "symbolic link": [("course/static/link", tarfile.SYMTYPE, str(sentinel).encode())],
        "hard link": [("course/static/hard", tarfile.LNKTYPE, b"/etc/passwd")],
        "device file": [("course/static/dev", tarfile.CHRTYPE, b"")],
        "fifo": [("course/static/fifo", tarfile.FIFOTYPE, b"")],
        "duplicate names": [
            _regular("course/chapter/c1.xml", CHAPTER_XML),
            _regular("course/chapter/c1.xml", CHAPTER_XML),
        ],
        "archive bomb": [_regular("course/static/zeros.bin", b"\0" * (30 * 1024 * 1024))],
        "wrong encoding": [
            _regular("course/chapter/c1.xml", '<chapter display_name="Épreuve"/>'.encode("latin-1")),
        ],
        "wide encoding with entities": [
            _regular(
                "course/chapter/c1.xml",
                '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE c [<!ENTITY e "x">]><chapter/>'.encode(
                    "utf-16"
                ),
            )
        ],
        "non-UTF-8 file name": [_regular("course/static/caf\udce9.txt", b"x")],
        "not a tar": [("", b"", b"")],  # replaced below by bytes that are not an archive at all
    }


def _archive(members: list[Member]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", encoding="utf-8", errors="surrogateescape") as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = data.decode()
                tar.addfile(info)
            elif kind == tarfile.REGTYPE:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return buffer.getvalue()


def _hostile(sentinel: Path, chosen: list[str]) -> bytes:
    """The valid course with the chosen hazards applied (a hazard's member replaces one of the same name)."""
    if "not a tar" in chosen:
        return b"\x1f\x8b\x08\x00 this is not really gzip" + b"\0" * 64
    members = {
        "course/course.xml": _regular("course/course.xml", COURSE_XML),
        f"course/course/{RUN}.xml": _regular(f"course/course/{RUN}.xml", RUN_XML),
        "course/chapter/c1.xml": _regular("course/chapter/c1.xml", CHAPTER_XML),
    }
    extra: list[Member] = []
    hazards = _hazards(sentinel)
    for name in chosen:
        for member in hazards[name]:
            if member[0] in members and name != "duplicate names":
                members[member[0]] = member
            else:
                extra.append(member)
    return _archive([*members.values(), *extra])


HAZARD_NAMES = sorted(_hazards(Path("/x")))
hazard_sets = st.lists(st.sampled_from(HAZARD_NAMES), min_size=1, max_size=3, unique=True)


def _state(app) -> tuple[int, int, int, int | None]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Course)),
            db.session.scalar(select(func.count()).select_from(BlockTree)),
            db.session.scalar(select(func.count()).select_from(StoredBlock)),
            db.session.scalar(select(Course.published_tree_id).where(Course.number == NUMBER)),
        )


@pytest.fixture
def published(app, tmp_path) -> tuple[int, int, int, int | None]:
    """The course is already published from a valid folder: hostile re-imports must not touch it."""
    root = tmp_path / "valid"
    (root / "course").mkdir(parents=True)
    (root / "chapter").mkdir()
    (root / "course.xml").write_bytes(COURSE_XML)
    (root / "course" / f"{RUN}.xml").write_bytes(RUN_XML)
    (root / "chapter" / "c1.xml").write_bytes(CHAPTER_XML)
    with app.app_context():
        import_course(root, actor=None)
        db.session.commit()
    return _state(app)


def _sentinel(tmp_path: Path) -> Path:
    sentinel = tmp_path / "outside"
    sentinel.mkdir(exist_ok=True)
    return sentinel


EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.mark.slow
@EXAMPLES
@given(chosen=hazard_sets)
def test_hostile_archives_through_the_cli_are_refused_cleanly(app, tmp_path, published, chosen):
    sentinel = _sentinel(tmp_path)
    path = tmp_path / "hostile.tar.gz"
    path.write_bytes(_hostile(sentinel, chosen))
    result = app.test_cli_runner().invoke(args=["courses", "import", str(path)])
    assert result.exit_code == 1, (chosen, result.output, result.exception)
    assert "Import refused" in result.output and "Traceback" not in result.output, (chosen, result.output)
    assert list(sentinel.iterdir()) == [], chosen
    assert _state(app) == published, chosen


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    sign_in(client, make_user(roles=[(Role.NETWORK_ADMIN, None)], language="en").email)
    return client


@pytest.mark.slow
@EXAMPLES
@given(chosen=hazard_sets)
def test_hostile_archives_through_the_administration_upload_are_refused_cleanly(
    app, tmp_path, published, admin_client, chosen
):
    sentinel = _sentinel(tmp_path)
    response = admin_client.post(
        "/admin/formations/importer",
        data={
            "csrf_token": csrf_token(admin_client, "/admin/formations"),
            "archive": (io.BytesIO(_hostile(sentinel, chosen)), "cours.tar.gz"),
        },
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 413), (chosen, response.status_code, page[-2000:])
    assert "Traceback" not in page
    if response.status_code == 400:
        assert "<li>" in page, (chosen, page[-2000:])  # the problems, listed
    assert list(sentinel.iterdir()) == [], chosen
    assert _state(app) == published, chosen


def test_every_hazard_alone_is_refused(app, tmp_path, published):
    """Each hazard on its own (hypothesis combines them; this names the one that slips through)."""
    sentinel = _sentinel(tmp_path)
    for name in HAZARD_NAMES:
        path = tmp_path / "one.tar.gz"
        path.write_bytes(_hostile(sentinel, [name]))
        result = app.test_cli_runner().invoke(args=["courses", "import", str(path)])
        assert result.exit_code == 1 and "Import refused" in result.output, (
            name,
            result.output,
            result.exception,
        )
        assert list(sentinel.iterdir()) == [], name
    assert _state(app) == published


def test_the_same_archive_without_hazards_imports(app, tmp_path):
    """The base every hostile archive starts from is a valid course: the refusals come from the hazards."""
    path = tmp_path / "valid.tar.gz"
    path.write_bytes(_hostile(_sentinel(tmp_path), []))
    result = app.test_cli_runner().invoke(args=["courses", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported course-v1:Cybermassif+HOSTILE+2026" in result.output
