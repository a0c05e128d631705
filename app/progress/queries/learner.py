"""A learner's progress in each course they follow: completion per course and chapter, grade, dates, what to
do next and their certificates. Three queries whatever the number of courses and chapters.

Chapters the learner may not see (``app.courses.visibility``: not released, staff only, another content
group's) are left out, as from their outline.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, select

from app.cohorts.models import CohortCourse
from app.core.database import read_columns
from app.core.extensions import db
from app.courses import visibility
from app.courses.models import Course, Enrolment
from app.progress.grading import read_policy
from app.progress.models import Certificate, CourseProgress, ProgressRollup
from app.progress.structure import CHAPTER
from app.progress.tables import Status, status_of
from app.runtime.models import StoredBlock
from app.runtime.tree import BlockRecord, LoadedTree

COURSE = "course"


@dataclass
class ChapterLine:
    """A chapter and the learner's completion of it (None: nothing done there yet)."""

    usage_id: str
    title: str
    completed: int | None = None
    total: int | None = None

    @property
    def percent(self) -> float:
        """Its share done."""
        return self.completed / self.total if self.completed is not None and self.total else 0.0

    @property
    def is_complete(self) -> bool:
        """Everything counted in it is done."""
        return bool(self.total) and (self.completed or 0) >= (self.total or 0)


@dataclass
class CourseLine:
    """A course the learner follows, and where they stand in it."""

    course_key: str
    title: str
    status: Status
    percent: float = 0.0
    completed: int = 0
    total: int = 0
    grade: float | None = None
    passed: bool = False
    pass_mark: float | None = None
    started_at: datetime | None = None
    last_activity_at: datetime | None = None
    completed_at: datetime | None = None
    passed_at: datetime | None = None
    resume_usage_id: str | None = None
    certificate_code: str | None = None
    chapters: list[ChapterLine] = field(default_factory=list)

    @property
    def next_chapter(self) -> ChapterLine | None:
        """The first chapter not complete yet: what to do next."""
        return next((c for c in self.chapters if not c.is_complete), None)


def _courses_statement() -> Select[Any]:
    user_id = bindparam("user_id")
    cp, cert = CourseProgress, Certificate
    return (
        select(
            Course.course_key,
            Course.title,
            Course.published_tree_id,
            Course.grading_policy,
            Enrolment.last_usage_id,
            cp.id,
            cp.completed,
            cp.total,
            cp.percent,
            cp.grade,
            cp.passed,
            cp.started_at,
            cp.last_activity_at,
            cp.completed_at,
            cp.passed_at,
            cert.code,
            CohortCourse.content_group_id,
            Course.updated_at,
        )
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(
            CohortCourse,
            and_(CohortCourse.cohort_id == Enrolment.cohort_id, CohortCourse.course_id == Course.id),
        )
        .outerjoin(cp, and_(cp.user_id == Enrolment.user_id, cp.course_key == Course.course_key))
        .outerjoin(cert, and_(cert.user_id == Enrolment.user_id, cert.course_key == Course.course_key))
        .where(
            Enrolment.user_id == user_id, Enrolment.active.is_(True), Course.published_tree_id.is_not(None)
        )
        .order_by(Course.title, Course.id)
    )


# Built once: building (and looking up in the compiled cache) such statements at every request cost more
# than running them; ``read_columns`` skips the ORM's execution path, as they load no object.
_COURSES = _courses_statement()
_BLOCKS = (
    select(
        StoredBlock.tree_id,
        StoredBlock.usage_id,
        StoredBlock.display_name,
        StoredBlock.block_type,
        StoredBlock.parent_usage_id,
        StoredBlock.position,
        StoredBlock.settings,
    )
    .where(
        StoredBlock.tree_id.in_(bindparam("trees", expanding=True)),
        StoredBlock.block_type.in_((CHAPTER, COURSE)),
    )
    .order_by(StoredBlock.tree_id, StoredBlock.position, StoredBlock.id)
)
_DONE = select(ProgressRollup.usage_id, ProgressRollup.completed, ProgressRollup.total).where(
    ProgressRollup.user_id == bindparam("user_id"), ProgressRollup.block_type == CHAPTER
)


def _courses(user_id: int) -> list[Any]:
    return read_columns(db.session, _COURSES, {"user_id": user_id}).all()


# The course-and-chapters trees of the courses learners follow, by tree and version (the course's
# ``updated_at``, which an author's save touches): their visibility rules are worked out once, not at each
# request (what the rules hide is still decided at each request: dates pass).
_CHAPTER_TREES: OrderedDict[tuple[int, Any], LoadedTree] = OrderedDict()
_CHAPTER_TREES_KEPT = 256
_chapter_trees_lock = threading.Lock()


def _chapter_tree(tree_id: int, version: Any, records: list[BlockRecord]) -> LoadedTree:
    key = (tree_id, version)
    with _chapter_trees_lock:
        tree = _CHAPTER_TREES.get(key)
        if tree is not None:
            _CHAPTER_TREES.move_to_end(key)
            return tree
        tree = _CHAPTER_TREES[key] = LoadedTree(tree_id, records)
        while len(_CHAPTER_TREES) > _CHAPTER_TREES_KEPT:
            _CHAPTER_TREES.popitem(last=False)
        return tree


def _visible_chapters(
    rows: list[Any], blocks: list[Any], is_staff: bool
) -> dict[int, list[tuple[str, str | None]]]:
    """The chapters of each tree the learner may see, in order: the course block and its chapters are
    enough to decide (a chapter's visibility depends on its own settings and the course's)."""
    groups = {row[2]: row[16] for row in rows}
    versions = {row[2]: row[17] for row in rows}
    by_tree: dict[int, list[BlockRecord]] = {}
    for tree_id, usage_id, title, block_type, parent, position, settings in blocks:
        by_tree.setdefault(tree_id, []).append(
            BlockRecord(usage_id, usage_id, block_type, parent, position, title, container_settings=settings)
        )
    found = {}
    for tree_id, records in by_tree.items():
        if is_staff or not any(visibility.restricts(r.container_settings) for r in records):
            found[tree_id] = [(r.usage_id, r.display_name) for r in records if r.block_type == CHAPTER]
            continue
        tree = _chapter_tree(tree_id, versions.get(tree_id), records)
        group = groups.get(tree_id)
        seen = visibility.of(tree, is_staff, () if group is None else (group,))
        found[tree_id] = [
            (r.usage_id, r.display_name)
            for r in records
            if r.block_type == CHAPTER and seen.shows(r.usage_id)
        ]
    return found


def learner_courses(user_id: int, is_staff: bool = False) -> list[CourseLine]:
    """The courses a learner is enrolled in, with their figures and the chapters they may see (three
    queries). ``is_staff``: the learner is course staff, who see every chapter."""
    rows = _courses(user_id)
    trees = {row[2] for row in rows}
    blocks = read_columns(db.session, _BLOCKS, {"trees": sorted(trees)}).all()
    chapters = [
        (tree_id, usage_id, title)
        for tree_id, items in _visible_chapters(rows, blocks, is_staff).items()
        for usage_id, title in items
    ]
    done = {
        usage_id: (completed, total)
        for usage_id, completed, total in read_columns(db.session, _DONE, {"user_id": user_id})
    }
    by_tree: dict[int, list[ChapterLine]] = {}
    for tree_id, usage_id, title in chapters:
        completed, total = done.get(usage_id, (None, None))
        by_tree.setdefault(tree_id, []).append(ChapterLine(usage_id, title or usage_id, completed, total))
    lines = []
    for row in rows:
        (key, title, tree_id, policy, last_usage, progress_id, completed, total, percent, grade, passed) = (
            row[:11]
        )
        policy_read = read_policy(policy)
        lines.append(
            CourseLine(
                course_key=key,
                title=title,
                status=status_of(True, progress_id is not None, row[13]),
                percent=percent or 0.0,
                completed=completed or 0,
                total=total or 0,
                grade=grade,
                passed=bool(passed),
                pass_mark=policy_read.pass_mark if grade is not None else None,
                started_at=row[11],
                last_activity_at=row[12],
                completed_at=row[13],
                passed_at=row[14],
                resume_usage_id=last_usage,
                certificate_code=row[15],
                chapters=by_tree.get(tree_id, []),
            )
        )
    return lines
