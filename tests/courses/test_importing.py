"""Course import into the database: what is stored, stable ids, and all-or-nothing on bad input."""

from __future__ import annotations

import hashlib
import tarfile

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.importing import ImportFailed, import_course
from app.courses.models import Course, CourseAsset
from app.runtime.models import StoredBlock
from app.runtime.olx_import import ImportLimits
from tests.courses.conftest import SAMPLE_KEY, published_tree, row_counts
from tests.runtime.olx_helpers import SAMPLE


def _blocks(tree_id):
    return db.session.scalars(
        select(StoredBlock).where(StoredBlock.tree_id == tree_id).order_by(StoredBlock.id)
    ).all()


def test_sample_course_is_stored_and_published(app_ctx):
    result = import_course(SAMPLE, actor=None)
    db.session.commit()
    course = db.session.scalar(select(Course))
    assert (course.course_key, course.org, course.number, course.run) == (
        SAMPLE_KEY,
        "Cybermassif",
        "DEMARRER",
        "2026",
    )
    assert course.title == "Bien démarrer avec Cybermassif"
    assert (course.language, course.open_enrolment) == ("fr", True)
    assert course.published_tree_id == result.tree_id
    assert course.policy["start"] == "2026-01-05T08:00:00Z"
    assert course.grading_policy == {"GRADER": [], "GRADE_CUTOFFS": {"Pass": 0.5}}
    assert course.short_description.startswith("Découvrez le réseau des Cybersites")
    assert "<h2>À propos de cette formation</h2>" in course.about["overview"]
    assert len(course.source_sha256) == 64
    blocks = _blocks(result.tree_id)
    assert result.blocks == len(blocks) == 22
    assert [b.url_name for b in blocks if b.block_type == "chapter"] == [
        "reseau-et-plateforme",
        "bonnes-pratiques",
    ]
    html = next(b for b in blocks if b.url_name == "schema-reseau")
    assert html.display_name == "Un réseau plutôt qu’un guichet"
    assert '<img src="/static/reseau-cybersites.svg"' in html.content["data"]
    (asset,) = db.session.scalars(select(CourseAsset)).all()
    svg = (SAMPLE / "static" / "reseau-cybersites.svg").read_bytes()
    assert (asset.path, asset.content_type, asset.size) == (
        "reseau-cybersites.svg",
        "image/svg+xml",
        len(svg),
    )
    assert asset.sha256 == hashlib.sha256(svg).hexdigest() and asset.data == svg


def test_reimport_keeps_usage_ids_when_chapters_move(app_ctx, sample):
    first = import_course(sample, actor=None)
    db.session.commit()
    course_file = sample / "course" / "2026.xml"
    text = course_file.read_text()
    swapped = text.replace('"reseau-et-plateforme"', '"@"').replace(
        '"bonnes-pratiques"', '"reseau-et-plateforme"'
    )
    course_file.write_text(swapped.replace('"@"', '"bonnes-pratiques"'))
    second = import_course(sample, actor=None)
    db.session.commit()
    before, after = _blocks(first.tree_id), _blocks(second.tree_id)
    assert {b.usage_id for b in before} == {b.usage_id for b in after}
    assert [b.url_name for b in after if b.block_type == "chapter"] == [
        "bonnes-pratiques",
        "reseau-et-plateforme",
    ]
    assert published_tree() == second.tree_id != first.tree_id


def test_unchanged_source_is_skipped_when_asked(app_ctx):
    import_course(SAMPLE, actor=None, skip_unchanged=True)
    db.session.commit()
    counts = row_counts()
    again = import_course(SAMPLE, actor=None, skip_unchanged=True)
    assert not again.changed and again.blocks == 22 and again.assets == 1
    assert row_counts() == counts


def _break(sample, name, content):
    (sample / name).write_text(content, encoding="utf-8")


BAD_FOLDERS = {
    "malformed": (lambda s: _break(s, "chapter/bonnes-pratiques.xml", "<chapter>\n<sequential>\n</chapter>"),
                  "chapter/bonnes-pratiques.xml:3: "),
    "entities": (lambda s: _break(s, "vertical/cybersite-cest-quoi.xml",
                                  '<!DOCTYPE v [<!ENTITY a "aaaa">]><vertical>&a;</vertical>'),
                 "vertical/cybersite-cest-quoi.xml:1: entity declarations (<!ENTITY …>) are not allowed"),
    "missing": (lambda s: (s / "vertical" / "construire-un-mot-de-passe.xml").unlink(),
                "chapter/bonnes-pratiques.xml:5: vertical/construire-un-mot-de-passe.xml is missing"),
    "duplicate": (lambda s: _break(s, "vertical/ce-que-le-reseau-apporte.xml",
                                   '<vertical>\n<html url_name="services-aux-pme"/>\n'
                                   '<html url_name="services-aux-pme"/>\n</vertical>'),
                  "vertical/ce-que-le-reseau-apporte.xml:3: duplicate url_name 'services-aux-pme'"),
    "symlink": (lambda s: (s / "static" / "secret").symlink_to("/etc/hostname"),
                "static/secret: symbolic links are not allowed"),
}  # fmt: skip


def _assert_refused(app_ctx, source, expected, limits=None):
    import_course(SAMPLE, actor=None)
    db.session.commit()
    tree_id, counts = published_tree(), row_counts()
    with pytest.raises(ImportFailed) as failure:
        import_course(source, actor=None, limits=limits)
    db.session.rollback()
    messages = [str(p) for p in failure.value.problems]
    assert any(expected in m for m in messages), messages
    assert row_counts() == counts
    assert published_tree() == tree_id


@pytest.mark.parametrize("case", sorted(BAD_FOLDERS))
def test_bad_folder_changes_nothing(app_ctx, sample, case):
    breaker, expected = BAD_FOLDERS[case]
    breaker(sample)
    _assert_refused(app_ctx, sample, expected)


def test_over_size_changes_nothing(app_ctx, sample):
    _assert_refused(
        app_ctx, sample, "static/reseau-cybersites.svg: ", limits=ImportLimits(max_asset_bytes=100)
    )


def _member(name, kind=tarfile.REGTYPE, target=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize(
    ("member", "data", "expected"),
    [
        (_member("course/../evil.xml"), b"<x/>", "c.tar.gz:course/../evil.xml: paths may not contain '..'"),
        (_member("/etc/evil.xml"), b"<x/>", "c.tar.gz:/etc/evil.xml: absolute paths are not allowed"),
        (_member("course/static/l", tarfile.SYMTYPE, "/etc/passwd"), None, "symbolic links are not allowed"),
        (
            _member("course/static/h", tarfile.LNKTYPE, "course/course.xml"),
            None,
            "hard links are not allowed",
        ),
    ],
)
def test_bad_archive_changes_nothing(app_ctx, sample, make_archive, member, data, expected):
    _assert_refused(app_ctx, make_archive(sample, [(member, data)]), expected)


def test_archive_over_the_size_limit_changes_nothing(app_ctx, sample, make_archive):
    big = _member("course/static/big.bin")
    archive = make_archive(sample, [(big, b"\0" * 50_000)])
    _assert_refused(app_ctx, archive, "over the limit", limits=ImportLimits(max_asset_bytes=10_000))


def test_a_good_archive_imports_like_the_folder(app_ctx, sample, make_archive):
    result = import_course(make_archive(sample), actor=None)
    assert result.blocks == 22 and result.assets == 1


def test_neither_folder_nor_archive_is_refused(app_ctx, tmp_path):
    (tmp_path / "course.zip").write_bytes(b"PK")
    with pytest.raises(ImportFailed) as failure:
        import_course(tmp_path / "course.zip", actor=None)
    assert "expected a course folder or a .tar.gz archive" in str(failure.value)
