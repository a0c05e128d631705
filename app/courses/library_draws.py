"""Which children of a course's randomised content blocks (``library_content``) each learner has: what
their progress and grades count, and which handlers they may call.

The draw itself is the block's (it draws when the learner first sees it, and draws again what the course
no longer has): it keeps it in the learner's ``selected`` field, its user state, as ``[block_type,
block_id]`` pairs. This module only reads that field, so that pages, handlers and progress all go by the
same draw.

A learner who has not seen the block yet has no draw. Open edX counts, for such a learner, as many
children as the block shows (its ``max_count``) among those possible; here, the first ones in course order
stand for them (their points and count are what the learner has to do, whichever they will be given).
The same holds for the places of drawn children the course no longer has, until the block draws again.
The children not counted are named with everything below them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from xblock.fields import Scope
from xblock.runtime import KeyValueStore

from app.core.database import read_columns
from app.runtime.models import FieldValue
from app.runtime.store import FieldStore
from app.runtime.tree import LoadedTree

LIBRARY_TYPE = "library_content"
SELECTED_FIELD = "selected"
USER_STATE = "user_state"
ALL = -1
DEFAULT_COUNT = 1

_SELECTIONS = select(FieldValue.user_id, FieldValue.scope_key, FieldValue.value).where(
    FieldValue.scope == USER_STATE,
    FieldValue.field_name == SELECTED_FIELD,
    FieldValue.user_id.in_(bindparam("users", expanding=True)),
    FieldValue.scope_key.in_(bindparam("blocks", expanding=True)),
)


def library_blocks(tree: LoadedTree) -> tuple[str, ...]:
    """The usage ids of the tree's randomised content blocks (worked out once per tree)."""
    return tree.derived(  # type: ignore[no-any-return]
        "library_draws.blocks",
        lambda: tuple(r.usage_id for r in tree.walk() if r.block_type == LIBRARY_TYPE and not r.placeholder),
    )


def drawn_for(session: Session, tree: LoadedTree, user_id: int | None, usage_id: str) -> bool:
    """Whether a block is drawn for the learner in every randomised content block above it (True for a
    block below none). Only a stored draw gives a child: before the learner has seen the block, none of
    its children is theirs to use. One query, only for a block below such a block."""
    if not library_blocks(tree):
        return True
    path = [usage_id, *(a.usage_id for a in tree.ancestors(usage_id))]
    # (library block, its child on the way to the block)
    steps = [
        (path[i + 1], path[i])
        for i in range(len(path) - 1)
        if (record := tree.get(path[i + 1])) is not None and record.block_type == LIBRARY_TYPE
    ]
    if not steps:
        return True
    if user_id is None:
        return False
    rows = read_columns(session, _SELECTIONS, {"users": [user_id], "blocks": sorted({b for b, _ in steps})})
    stored = {block: _pairs(value) for _, block, value in rows.all()}
    for block, child in steps:
        record = tree.get(child)
        if record is None or (record.block_type, _block_id(child)) not in stored.get(block, set()):
            return False
    return True


def shown_count(max_count: Any, children: int) -> int:
    """How many children a block shows, as the block works it out (``plugins/library_content/draw.py``):
    all for -1 or a count above their number; one for a count that is not a positive number."""
    if isinstance(max_count, bool) or not isinstance(max_count, int):
        max_count = DEFAULT_COUNT
    if max_count == ALL:
        return children
    return min(max_count if max_count >= 1 else DEFAULT_COUNT, children)


def _pairs(value: Any) -> set[tuple[str, str]]:
    found = set()
    for item in value if isinstance(value, list) else ():
        if isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item):
            found.add((item[0], item[1]))
    return found


def _block_id(usage_id: str) -> str:
    return usage_id.rsplit("block@", 1)[-1]


def not_counted(tree: LoadedTree, selections: Mapping[str, Any]) -> frozenset[str]:
    """The blocks a learner with these stored draws (block usage id → ``selected`` value) does not have:
    the children not drawn for them, and everything below those."""
    out: set[str] = set()
    for block in library_blocks(tree):
        record = tree.get(block)
        children = tree.children_ids(block)
        settings = record.settings if record is not None and record.settings is not None else {}
        count = shown_count(settings.get("max_count", DEFAULT_COUNT), len(children))
        drawn = _pairs(selections.get(block))
        kept = [c for c in children if (tree.get(c).block_type, _block_id(c)) in drawn]  # type: ignore[union-attr]
        kept = kept[:count]
        # Places not filled by a stored draw: the first children stand for them (see the module's doc).
        kept += [c for c in children if c not in kept][: count - len(kept)]
        for child in children:
            if child not in kept:
                out.update(tree.subtree(child))
    return frozenset(out)


def not_counted_in(store: FieldStore, tree: LoadedTree, user_id: int | None) -> frozenset[str]:
    """What a learner does not have of the randomised content blocks (see :func:`not_counted`), read
    through the request's field store: draws the page has just made count before they are written, and
    the blocks the page rendered cost no query (the others one, together)."""
    blocks = library_blocks(tree)
    if not blocks or user_id is None:
        return frozenset()
    tree.load_fields(store.session, blocks)
    store.prefetch([r for r in map(tree.get, blocks) if r is not None])
    selections = {}
    for block in blocks:
        try:
            selections[block] = store.get(KeyValueStore.Key(Scope.user_state, user_id, block, SELECTED_FIELD))
        except KeyError:
            continue
    return not_counted(tree, selections)


def not_counted_for(session: Session, tree: LoadedTree, user_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """For each learner, the blocks of randomised content blocks they do not have (see :func:`not_counted`):
    one query, none when the course has no such block."""
    blocks = library_blocks(tree)
    ids = sorted(set(user_ids))
    if not blocks or not ids:
        return {}
    # The blocks' max_count (settings): read once per loaded tree, then kept with it.
    tree.load_fields(session, blocks)
    stored: dict[int, dict[str, Any]] = {u: {} for u in ids}
    rows = read_columns(session, _SELECTIONS, {"users": ids, "blocks": list(blocks)})
    for user_id, block, value in rows.all():
        stored.setdefault(user_id, {})[block] = value
    by_draws: dict[str, frozenset[str]] = {}
    found = {}
    for user_id, selections in stored.items():
        # Learners with the same draws do not have the same blocks worked out again.
        key = repr(sorted(selections.items()))
        if key not in by_draws:
            by_draws[key] = not_counted(tree, selections)
        found[user_id] = by_draws[key]
    return found
