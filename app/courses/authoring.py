"""Authors' changes to a published course: blocks edited in the studio are saved into its stored tree.

An author's runtime works on a private copy of the tree (:func:`load_for_authoring`), whose blocks'
content and settings their editors change in memory; :func:`save_edits` writes the blocks that changed back
to their rows and touches the course, so that every worker's shared copy of the tree (keyed by the course's
``updated_at``) is replaced on its next page. Learners' state is keyed by usage id and is untouched.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from blinker import Namespace
from sqlalchemy import bindparam, update

from app.accounts.models import User
from app.accounts.policy import Action, can
from app.core.extensions import db
from app.courses import history
from app.courses.models import Course
from app.runtime.models import StoredBlock
from app.runtime.tree import LoadedTree

log = logging.getLogger("cybermassif.courses.authoring")

_signals = Namespace()
#: Sent with ``course=`` and ``block_types=`` (the types of the blocks an author's save changed), in the
#: transaction that saves them: higher layers bring what they derive from the content up to date.
blocks_edited = _signals.signal("courses.blocks-edited")


class AuthoringRefused(Exception):
    """The user may not edit this course."""


@dataclass(frozen=True)
class Snapshot:
    """The content and settings of some blocks before an editor ran."""

    fields: dict[str, tuple[dict[str, Any], dict[str, Any]]]


def load_for_authoring(actor: User, course: Course) -> LoadedTree:
    """A private copy of the course's published tree, for an author's runtime."""
    if not can(actor, Action.EDIT_COURSE, course) or course.published_tree_id is None:
        raise AuthoringRefused(course.course_key)
    return LoadedTree.load_structure(db.session, course.published_tree_id)


def snapshot(tree: LoadedTree, usage_ids: list[str]) -> Snapshot:
    """Copy what the editors of these blocks may change (their fields must be loaded)."""
    fields = {}
    for usage_id in usage_ids:
        record = tree.get(usage_id)
        if record is not None and record.content is not None:
            fields[usage_id] = (copy.deepcopy(record.content), copy.deepcopy(record.settings or {}))
    return Snapshot(fields)


def save_edits(actor: User, course: Course, tree: LoadedTree, before: Snapshot) -> list[str]:
    """Write the blocks whose content or settings changed since ``before``; return their usage ids."""
    if not can(actor, Action.EDIT_COURSE, course) or tree.tree_id != course.published_tree_id:
        raise AuthoringRefused(course.course_key)
    changed = []
    for usage_id, (content, settings) in before.fields.items():
        record = tree.get(usage_id)
        if record is None or (record.content == content and record.settings == settings):
            continue
        name = (record.settings or {}).get("display_name")
        record.display_name = str(name)[:255] if name else record.display_name
        changed.append(record)
    if not changed:
        return []
    table = StoredBlock.__table__
    db.session.execute(
        update(table)
        .where(table.c.tree_id == bindparam("t_id"), table.c.usage_id == bindparam("u_id"))
        .values(
            content=bindparam("new_content"),
            settings=bindparam("new_settings"),
            display_name=bindparam("name"),
        ),
        [
            {
                "t_id": tree.tree_id,
                "u_id": r.usage_id,
                "new_content": r.content,
                "new_settings": r.settings,
                "name": r.display_name,
            }
            for r in changed
        ],
    )
    course.updated_at = datetime.now(UTC)
    history.record_edits(course, actor, changed)
    log.info("%s edited %d block(s) of %s", actor.email, len(changed), course.course_key)
    blocks_edited.send(course, course=course, block_types={r.block_type for r in changed})
    return [r.usage_id for r in changed]
