"""Fixtures for course import and export: a writable copy of the sample course, archives, row counts."""

from __future__ import annotations

import io
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.courses.models import Course, CourseAsset
from app.runtime.models import BlockTree, StoredBlock
from tests.runtime.olx_helpers import SAMPLE

SAMPLE_KEY = "course-v1:Cybermassif+DEMARRER+2026"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of courses/bien-demarrer that a test may change."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "bien-demarrer"))


def row_counts() -> dict[str, int]:
    """How many rows the import writes to, per table."""
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Course, BlockTree, StoredBlock, CourseAsset)
    }


def published_tree(course_key: str = SAMPLE_KEY) -> int | None:
    """The published tree id of a course."""
    return db.session.scalar(select(Course.published_tree_id).where(Course.course_key == course_key))


def pack(folder: Path, archive: Path, top: str = "course") -> Path:
    """A .tar.gz of ``folder`` under ``top``/."""
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=top)
    return archive


@pytest.fixture
def make_archive(tmp_path: Path) -> Callable[..., Path]:
    """Build a .tar.gz from a course folder plus extra raw members (TarInfo, bytes or None)."""

    def build(
        folder: Path, extra: list[tuple[tarfile.TarInfo, bytes | None]] = (), name: str = "c.tar.gz"
    ) -> Path:
        archive = tmp_path / name
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(folder, arcname="course")
            for info, data in extra:
                if data is not None:
                    info.size = len(data)
                tar.addfile(info, io.BytesIO(data) if data is not None else None)
        return archive

    return build
