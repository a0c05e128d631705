"""Import → export → import gives the same course, for every course of courses/ and for edge cases."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import CourseNotFound, export_course
from app.courses.importing import import_course
from app.courses.models import Course, CourseAsset
from app.runtime.models import StoredBlock
from tests.runtime.olx_helpers import POINTER, SAMPLE, small_course, write_course

COURSES = sorted(p for p in SAMPLE.parent.iterdir() if (p / "course.xml").is_file())


def _snapshot(tree_id: int) -> dict:
    blocks = db.session.scalars(select(StoredBlock).where(StoredBlock.tree_id == tree_id)).all()
    assets = db.session.scalars(select(CourseAsset).where(CourseAsset.tree_id == tree_id)).all()
    return {
        "blocks": {
            b.usage_id: (b.block_type, b.parent_usage_id, b.position, b.url_name, b.display_name, b.content,
                         b.settings, b.olx)
            for b in blocks
        },
        "assets": sorted((a.path, a.sha256, a.content_type, a.size) for a in assets),
    }  # fmt: skip


def _course_fields(course: Course) -> tuple:
    return (course.title, course.language, course.open_enrolment, course.policy, course.grading_policy,
            course.about, course.short_description)  # fmt: skip


def _round_trip(source: Path, tmp_path: Path) -> tuple[dict, dict, Path]:
    first = import_course(source, actor=None)
    db.session.commit()
    before, fields = _snapshot(first.tree_id), _course_fields(first.course)
    archive = tmp_path / "export.tar.gz"
    exported = export_course(first.course.course_key, archive, actor=None)
    assert exported.blocks == first.blocks and exported.assets == first.assets
    second = import_course(archive, actor=None)
    db.session.commit()
    assert second.tree_id != first.tree_id
    assert _course_fields(second.course) == fields
    return before, _snapshot(second.tree_id), archive


@pytest.mark.parametrize("folder", COURSES, ids=[p.name for p in COURSES])
def test_every_course_survives_a_round_trip(app_ctx, tmp_path, folder):
    before, after, _ = _round_trip(folder, tmp_path)
    assert after == before
    assert len(before["blocks"]) > 1


def test_placeholders_unnamed_blocks_and_inline_html_survive(app_ctx, tmp_path):
    page = '<page n="1">Un &amp; deux</page>'
    flipbook = f'<flipbook display_name="Feuilleter" pages="3">{page}<!-- note --></flipbook>'
    files = small_course(
        **{
            "vertical/u1.xml": '<vertical><html url_name="h1"/><flipbook url_name="fb"/>'
            '<html display_name="Sans nom"><p>Texte <em>en ligne</em></p></html>'
            "<vertical><html/></vertical></vertical>",
            "flipbook/fb.xml": flipbook,
            "static/docs/guide.pdf": b"%PDF-1.4 fake",
            "policies/2026/policy.json": '{"course/2026": {"invitation_only": false}, '
            '"html/h1": {"display_name": "Renommé"}}',
        }
    )
    before, after, archive = _round_trip(write_course(tmp_path / "c", files), tmp_path)
    assert after == before
    names = {v[3] for v in before["blocks"].values()}
    assert {"u1-html-3", "u1-vertical-4", "u1-vertical-4-html-1", "fb"} <= names
    with tarfile.open(archive) as tar:
        assert tar.extractfile("T-2026/flipbook/fb.xml").read().decode() == flipbook + "\n"
        assert tar.extractfile("T-2026/course.xml").read().startswith(POINTER.encode()[:-2])
        assert tar.extractfile("T-2026/static/docs/guide.pdf").read() == b"%PDF-1.4 fake"
    course = db.session.scalar(select(Course))
    assert course.open_enrolment is True  # invitation_only false, Open edX's way of opening a course
    assert any(v[4] == "Renommé" for v in before["blocks"].values())


def test_export_is_reproducible(app_ctx, tmp_path):
    import_course(SAMPLE, actor=None)
    key = db.session.scalar(select(Course.course_key))
    export_course(key, tmp_path / "a.tar.gz", actor=None)
    export_course(key, tmp_path / "b.tar.gz", actor=None)
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()


def test_unknown_course_cannot_be_exported(app_ctx, tmp_path):
    with pytest.raises(CourseNotFound):
        export_course("course-v1:X+Y+Z", tmp_path / "x.tar.gz", actor=None)


def test_the_presentation_pages_and_image_survive_a_round_trip(app_ctx, tmp_path):
    """about/effort.html and about/duration.html (Open edX's) and the policy's course_image come back."""
    files = small_course(
        **{
            "about/overview.html": "<h2>Pourquoi</h2><p>Vue d’ensemble</p>",
            "about/effort.html": "3 heures",
            "about/duration.html": "2 semaines",
            "static/images/couverture.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            "policies/2026/policy.json": '{"course/2026": {"course_image": "images/couverture.svg"}}',
        }
    )
    before, after, archive = _round_trip(write_course(tmp_path / "c", files), tmp_path)
    assert after == before
    course = db.session.scalar(select(Course).order_by(Course.id.desc()))
    assert course.about["effort"] == "3 heures" and course.about["duration"] == "2 semaines"
    assert course.policy["course_image"] == "images/couverture.svg"
    with tarfile.open(archive) as tar:
        assert tar.extractfile("T-2026/about/effort.html").read().decode().strip() == "3 heures"
        assert tar.extractfile("T-2026/about/duration.html").read().decode().strip() == "2 semaines"
        assert b"couverture.svg" in tar.extractfile("T-2026/policies/2026/policy.json").read()


def test_open_edx_attributes_survive_the_round_trip(app_ctx, tmp_path):
    partitions = (
        '[{"id": 50, "name": "Groupes", "scheme": "cohort", "description": "", "version": 3, "groups": '
        '[{"id": 1, "name": "A", "version": 1}, {"id": 2, "name": "B", "version": 1}], "active": true}]'
    )
    files = small_course(
        **{
            "course/2026.xml": (
                f"<course display_name=\"Petit cours\" user_partitions='{partitions}'>"
                '<chapter url_name="ch1"/></course>'
            ),
            "vertical/u1.xml": (
                '<vertical display_name="Unité" group_access=\'{"50": [1]}\'><html url_name="h1"/>'
                '<problem url_name="p1"/></vertical>'
            ),
            "html/h1.xml": '<html filename="h1" display_name="Texte" editor="raw" data-origine="studio"/>',
            "problem/p1.xml": (
                '<problem display_name="Q" group_access=\'{"50": [2]}\'>'
                '<stringresponse answer="a"><textline/></stringresponse></problem>'
            ),
        }
    )
    before, after, archive = _round_trip(write_course(tmp_path / "c", files), tmp_path)
    assert after == before
    with tarfile.open(archive) as tar:
        read = {
            m.name.split("/", 1)[1]: tar.extractfile(m).read().decode()
            for m in tar.getmembers()
            if m.isfile()
        }
    html, unit, problem = read["html/h1.xml"], read["vertical/u1.xml"], read["problem/p1.xml"]
    assert 'editor="raw"' in html and 'data-origine="studio"' in html and 'filename="h1"' in html
    assert 'group_access="{&quot;50&quot;: [1]}"' in unit
    assert 'group_access="{&quot;50&quot;: [2]}"' in problem
    assert "user_partitions=" in read["course/2026.xml"]
