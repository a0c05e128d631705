"""``flask courses prune``: earlier versions of a course go with their blocks and assets; the published
version, the versions asked to be kept and learners' records stay; bad arguments change nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import CourseAsset
from app.runtime.models import BlockTree, StoredBlock
from tests.courses.conftest import SAMPLE_KEY, published_tree, row_counts


def _import_versions(app, sample: Path, count: int) -> list[int]:
    """Import the sample ``count`` times, changed each time: a new version each time."""
    runner = app.test_cli_runner()
    page = sample / "html" / "cybersite-definition.html"
    original = page.read_text()
    trees = []
    for n in range(count):
        page.write_text(original + f"\n<p>Version {n}</p>")
        result = runner.invoke(args=["courses", "import", str(sample)])
        assert result.exit_code == 0, result.output
        with app.app_context():
            trees.append(published_tree())
    assert len(set(trees)) == count
    return trees


def _trees(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(BlockTree.id).order_by(BlockTree.id)))


def _counts(app):
    with app.app_context():
        return row_counts()


def test_prune_removes_earlier_versions_and_keeps_what_is_asked(app, sample):
    first, second, third = _import_versions(app, sample, 3)
    runner = app.test_cli_runner()
    before = _counts(app)

    dry = runner.invoke(args=["courses", "prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Would remove {SAMPLE_KEY} version {first} of " in dry.output
    assert f"Would remove {SAMPLE_KEY} version {second} of " in dry.output
    assert "Would remove 2 version(s)" in dry.output
    assert _counts(app) == before

    kept = runner.invoke(args=["courses", "prune", SAMPLE_KEY, "--keep", "1"])
    assert kept.exit_code == 0, kept.output
    assert f"Removed {SAMPLE_KEY} version {first} of " in kept.output
    assert "Removed 1 version(s)" in kept.output
    assert _trees(app) == [second, third]

    assert runner.invoke(args=["courses", "prune"]).exit_code == 0
    assert _trees(app) == [third]
    with app.app_context():
        assert published_tree() == third
        assert set(db.session.scalars(select(StoredBlock.tree_id).distinct())) == {third}
        assert set(db.session.scalars(select(CourseAsset.tree_id).distinct())) == {third}
    # The published version is whole: it exports as before.
    exported = runner.invoke(args=["courses", "export", SAMPLE_KEY, str(sample.parent / "out.tar.gz")])
    assert exported.exit_code == 0, exported.output
    nothing_left = runner.invoke(args=["courses", "prune"]).output.strip()
    assert nothing_left == "Removed 0 version(s), 0.0 MB of assets."


def test_bad_arguments_change_nothing(app, sample):
    _import_versions(app, sample, 2)
    runner = app.test_cli_runner()
    before = _counts(app)
    unknown = runner.invoke(args=["courses", "prune", "course-v1:Nobody+NONE+2026"])
    assert unknown.exit_code == 2 and "no course 'course-v1:Nobody+NONE+2026'" in unknown.output
    negative = runner.invoke(args=["courses", "prune", "--keep", "-1"])
    assert negative.exit_code == 2 and "--keep" in negative.output
    hostile = runner.invoke(args=["courses", "prune", "'; DROP TABLE block_tree; --"])
    assert hostile.exit_code == 2
    assert _counts(app) == before
