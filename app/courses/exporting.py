"""Course export: the published version of a course as an OLX .tar.gz in the Open edX layout.

The blocks are read in three queries (structure, fields, url_names) and serialise themselves through an
:class:`~app.runtime.olx_export.ExportRuntime`; policies, about pages and assets come from the Course and
its CourseAsset rows. Reads only: nothing is written to the database.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.accounts.models import User
from app.core.extensions import db
from app.courses.models import Course, CourseAsset
from app.runtime import bridge
from app.runtime.keys import CourseKey
from app.runtime.models import BlockTree, StoredBlock
from app.runtime.olx_export import CourseFiles, ExportRuntime, pack_folder, write_course_folder
from app.runtime.store import FieldStore
from app.runtime.tree import LoadedTree


class CourseNotFound(LookupError):
    """No course with this key, or the course has no published content to export."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the archive and how many blocks and assets it holds."""

    path: Path
    blocks: int
    assets: int


def export_course(course_key: str, destination: Path, *, actor: User | None) -> ExportResult:
    """Write the published version of ``course_key`` to ``destination`` (.tar.gz)."""
    course = db.session.scalar(select(Course).where(Course.course_key == course_key))
    if course is None:
        raise CourseNotFound(f"no course with key {course_key!r}")
    tree_row = db.session.get(BlockTree, course.published_tree_id) if course.published_tree_id else None
    if tree_row is None:
        raise CourseNotFound(f"course {course_key!r} has no published content")
    tree = LoadedTree.load_structure(db.session, tree_row.id, tree_row.root_usage_id)
    tree.load_fields(db.session, tree.subtree(tree_row.root_usage_id))
    url_names = dict(
        db.session.execute(
            select(StoredBlock.usage_id, StoredBlock.url_name).where(
                StoredBlock.tree_id == tree_row.id, StoredBlock.url_name.is_not(None)
            )
        ).all()
    )
    assets = db.session.execute(
        select(CourseAsset.path, CourseAsset.data)
        .where(CourseAsset.tree_id == tree_row.id)
        .order_by(CourseAsset.path)
    ).all()
    files = CourseFiles(
        policy=dict(course.policy or {}),
        grading_policy=dict(course.grading_policy or {}),
        about=dict(course.about or {}),
        assets=[(path, data) for path, data in assets],
        kept_files=dict(course.kept_files or {}),
    )
    key = CourseKey.from_string(course_key)
    with tempfile.TemporaryDirectory(prefix="cybermassif-export-") as work:
        folder = Path(work) / "course"
        folder.mkdir()
        runtime = ExportRuntime(
            config=bridge.setup_for().config(),
            course_key=key,
            tree=tree,
            store=FieldStore(db.session, tree, None),
            url_names=url_names,
            out=folder,
        )
        write_course_folder(folder, runtime, files)
        destination = Path(destination)
        pack_folder(folder, destination, top=f"{key.course}-{key.run}")
    return ExportResult(destination, len(tree), len(assets))
