"""``flask courses …``, ``flask xblocks list`` and the demo courses of ``flask demo load``."""

from __future__ import annotations

import tarfile

from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import Course
from app.runtime.models import BlockTypeSetting
from tests.courses.conftest import SAMPLE_KEY, row_counts
from tests.runtime.olx_helpers import SAMPLE


def _counts(app):
    with app.app_context():
        return row_counts()


def test_import_prints_the_key_and_counts(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "import", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert f"Imported {SAMPLE_KEY}: 22 blocks, 1 assets" in result.output
    listing = runner.invoke(args=["courses", "list"])
    assert listing.exit_code == 0
    assert f"{SAMPLE_KEY}\tBien démarrer avec Cybermassif\t22 blocks\t" in listing.output


def test_refused_import_lists_problems_exits_1_and_writes_nothing(app, sample):
    (sample / "chapter" / "bonnes-pratiques.xml").write_text("<chapter>\n<oops>\n</chapter>")
    (sample / "html" / "cybersite-definition.html").unlink()
    counts = _counts(app)
    result = app.test_cli_runner().invoke(args=["courses", "import", str(sample)])
    assert result.exit_code == 1
    assert "chapter/bonnes-pratiques.xml:3: " in result.stderr
    assert "html/cybersite-definition.xml:1: html/cybersite-definition.html is missing" in result.stderr
    assert "nothing was changed" in result.stderr
    assert _counts(app) == counts


def test_export_writes_an_archive_and_refuses_unknown_keys(app, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["courses", "import", str(SAMPLE)])
    target = tmp_path / "out.tar.gz"
    result = runner.invoke(args=["courses", "export", SAMPLE_KEY, str(target)])
    assert result.exit_code == 0, result.output
    with tarfile.open(target) as tar:
        assert "DEMARRER-2026/course.xml" in tar.getnames()
    unknown = runner.invoke(
        args=["courses", "export", "course-v1:No+Such+Course", str(tmp_path / "x.tar.gz")]
    )
    assert unknown.exit_code == 2
    assert "no course with key 'course-v1:No+Such+Course'" in unknown.output
    assert not (tmp_path / "x.tar.gz").exists()


def test_list_without_courses(app):
    result = app.test_cli_runner().invoke(args=["courses", "list"])
    assert result.exit_code == 0 and "No courses." in result.output


def test_xblocks_list_shows_installed_types_and_their_state(app):
    with app.app_context():
        db.session.add(BlockTypeSetting(block_type="html", enabled=False))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["xblocks", "list"])
    assert result.exit_code == 0
    lines = {line.split("\t")[0]: line.split("\t") for line in result.output.splitlines()}
    assert lines["html"][1:] == ["cybermassif", "0.1.0", "disabled"]
    assert lines["vertical"][3] == "enabled"


def test_demo_load_imports_the_demo_courses_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert f"{SAMPLE_KEY} (bien-demarrer): imported" in first.output
    counts = _counts(app)
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert f"{SAMPLE_KEY} (bien-demarrer): unchanged" in second.output
    assert _counts(app) == counts
    with app.app_context():
        assert db.session.scalar(select(Course.open_enrolment).where(Course.course_key == SAMPLE_KEY)) is True
