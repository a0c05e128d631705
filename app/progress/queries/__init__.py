"""Read-only progress figures. This module: what a learner completed, and which units that completes
(the courseware reads them on every page); the dashboards' queries live in the modules beside it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select

from app.core.database import read_columns
from app.core.extensions import db
from app.progress.models import BlockCompletion
from app.runtime.tree import LoadedTree

# Every unit page runs it: built once (building the statement costs as much as running it).
_COMPLETED = select(BlockCompletion.usage_id).where(
    BlockCompletion.user_id == bindparam("user_id"),
    BlockCompletion.course_key == bindparam("course_key"),
    BlockCompletion.completion >= 1.0,
)


def completed_usage_ids(user_id: int, course_key: str) -> set[str]:
    """The blocks of a course the learner completed (completion 1.0), in one query."""
    params = {"user_id": user_id, "course_key": course_key}
    return set(read_columns(db.session, _COMPLETED, params).scalars().all())


def completed_units(
    tree: LoadedTree,
    unit_ids: Iterable[str],
    completed: set[str],
    completable_types: set[str],
    not_counted: frozenset[str] = frozenset(),
) -> set[str]:
    """The units all of whose completable descendants are complete (those ``not_counted`` for the learner
    left out: the children of randomised content blocks not drawn for them).

    A unit with nothing to complete (only aggregators, excluded or unavailable blocks) is never marked.
    """
    done = set()
    for unit_id in unit_ids:
        counted = [
            record.usage_id
            for record in tree.walk(unit_id)
            if record.usage_id != unit_id
            and record.block_type in completable_types
            and not record.placeholder
            and record.usage_id not in not_counted
        ]
        if counted and all(usage_id in completed for usage_id in counted):
            done.add(unit_id)
    return done
