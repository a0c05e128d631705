"""Removing the content versions of courses that nobody uses any more.

Every import stores a new version of a course (a block tree, its blocks and its assets, videos included)
and publishes it; the earlier versions stay, so that an operator can go back to one, until they are
pruned. The published version is never removed, nor the ``keep`` most recent other versions of each
course. Learners' records are kept by usage id, not by version: they outlive any version.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.core.database import chunks
from app.courses.models import Course, CourseAsset
from app.runtime.models import BlockTree, StoredBlock


@dataclass(frozen=True)
class OldVersion:
    """A version that pruning removes: its tree, when it was imported, and what it holds."""

    tree_id: int
    course_key: str
    created_at: object
    blocks: int
    asset_bytes: int


def has_versions(session: Session, course_key: str) -> bool:
    """Whether any version of the course is stored."""
    return session.scalar(select(BlockTree.id).where(BlockTree.course_key == course_key).limit(1)) is not None


def old_versions(session: Session, course_key: str | None = None, keep: int = 0) -> list[OldVersion]:
    """The versions to remove, oldest first: of one course or of all, keeping the published version and
    the ``keep`` most recent others of each course."""
    if keep < 0:
        raise ValueError("keep must be 0 or more")
    published = select(Course.published_tree_id).where(Course.published_tree_id.is_not(None))
    trees = select(BlockTree.id, BlockTree.course_key, BlockTree.created_at).where(
        BlockTree.id.not_in(published)
    )
    if course_key is not None:
        trees = trees.where(BlockTree.course_key == course_key)
    candidates = session.execute(trees.order_by(BlockTree.course_key, BlockTree.id.desc())).all()
    dropped: list[tuple[int, str, object]] = []
    kept_per_course: dict[str, int] = {}
    for tree_id, key, created_at in candidates:  # newest first within a course
        if kept_per_course.get(key, 0) < keep:
            kept_per_course[key] = kept_per_course.get(key, 0) + 1
        else:
            dropped.append((tree_id, key, created_at))
    if not dropped:
        return []
    blocks: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for part in chunks([tree_id for tree_id, _, _ in dropped]):
        blocks.update(
            session.execute(
                select(StoredBlock.tree_id, func.count())
                .where(StoredBlock.tree_id.in_(part))
                .group_by(StoredBlock.tree_id)
            ).all()
        )
        sizes.update(
            session.execute(
                select(CourseAsset.tree_id, func.coalesce(func.sum(CourseAsset.size), 0))
                .where(CourseAsset.tree_id.in_(part))
                .group_by(CourseAsset.tree_id)
            ).all()
        )
    return sorted(
        (OldVersion(t, k, c, int(blocks.get(t, 0)), int(sizes.get(t, 0))) for t, k, c in dropped),
        key=lambda v: (v.course_key, v.tree_id),
    )


def prune(session: Session, versions: list[OldVersion]) -> None:
    """Remove these versions, their blocks and their assets (flushes, never commits)."""
    for part in chunks([v.tree_id for v in versions]):
        session.execute(delete(CourseAsset).where(CourseAsset.tree_id.in_(part)))
        session.execute(delete(StoredBlock).where(StoredBlock.tree_id.in_(part)))
        session.execute(delete(BlockTree).where(BlockTree.id.in_(part)))
