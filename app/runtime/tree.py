"""A stored block tree loaded for one request: structure for the whole course, fields for what is shown.

The structure (types, parents, order, names) of every block is read in one query, which gives outlines and
previous/next navigation; the content and settings of the blocks a page renders in a second one.

A stored tree changes only when an author saves a block in the studio, which also touches its course's
``updated_at``; learners' pages share one loaded copy per tree, version and process (:func:`shared_tree`,
the version being that timestamp, read with the course anyway): after the first page of a course, its
structure and the fields of the blocks already shown cost no query at all, and an edit is seen by every
worker on its next page. Learner runtimes never write into a shared tree (their content and settings
writes are refused); authoring loads a tree of its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.runtime.models import StoredBlock

CONTAINER_TYPES = ("course", "chapter", "sequential", "vertical")
#: The settings that decide who may see a block and when (``app.courses.visibility`` reads them), kept
#: with the structure for components too: Open edX lets a component inside a visible unit have its own.
ACCESS_SETTINGS = ("start", "due", "visible_to_staff_only", "group_access")


def access_subset(settings: Any) -> dict[str, Any] | None:
    """Of a component's settings, those of :data:`ACCESS_SETTINGS` (as fields or kept OLX attributes);
    None when it has none (most components)."""
    if not isinstance(settings, dict):
        return None
    found = {name: settings[name] for name in ACCESS_SETTINGS if name in settings}
    kept = settings.get("xml_attributes")
    if isinstance(kept, dict):
        own = {name: kept[name] for name in ACCESS_SETTINGS if name in kept}
        if own:
            found["xml_attributes"] = own
    return found or None


@dataclass
class BlockRecord:
    """One block of a loaded tree. ``content``/``settings`` are None until loaded."""

    usage_id: str
    definition_id: str
    block_type: str
    parent_usage_id: str | None
    position: int
    display_name: str | None
    content: dict[str, Any] | None = None
    settings: dict[str, Any] | None = None
    olx: str | None = None
    children: list[str] = field(default_factory=list)
    # The parsed usage key, kept by the runtime on first use: shared trees serve many requests, and
    # parsing (and validating) the same key string for every block of every page costs more than the
    # rest of building the block.
    usage_key: Any = field(default=None, compare=False, repr=False)
    # The settings of a container (course, chapter, sequence, unit), read with the structure: who may see
    # it and when (start, staff only, content groups…) is decided from them for every page of the course.
    container_settings: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    # Of a component's settings, those deciding who sees it (see ``access_subset``), read with the
    # structure; None for a component without any, and for containers (their settings say it all).
    access_settings: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    # A block kept as its OLX (``olx`` set): its type is not installed, or it could not be read at import.
    # It is shown as a placeholder whatever its type, and counts for neither completion nor grades.
    placeholder: bool = field(default=False, compare=False)


class LoadedTree:
    """The blocks of one tree by usage id and definition id, with their children in order."""

    def __init__(self, tree_id: int | None, records: Iterable[BlockRecord], root_usage_id: str | None = None):
        self.tree_id = tree_id
        self._by_usage: dict[str, BlockRecord] = {}
        self._by_definition: dict[str, BlockRecord] = {}
        self._by_block_id: dict[str, BlockRecord] | None = None
        # Views every learner sees alike, rendered once per application root (see HostRuntime.render).
        self.shared_views: dict[str, dict[Any, Any]] = {}
        self._derived: dict[Hashable, Any] = {}
        for record in sorted(records, key=lambda r: r.position):
            self._by_usage[record.usage_id] = record
            self._by_definition[record.definition_id] = record
        for record in self._by_usage.values():
            parent = self._by_usage.get(record.parent_usage_id or "")
            if parent is not None:
                parent.children.append(record.usage_id)
        self.root_usage_id = root_usage_id or next(
            (r.usage_id for r in self._by_usage.values() if r.parent_usage_id is None), None
        )

    @classmethod
    def load_structure(cls, session: Session, tree_id: int, root_usage_id: str | None = None) -> LoadedTree:
        """Read the structure of every block of a stored tree, its containers' settings and what decides
        who sees each component (one query)."""
        b = StoredBlock
        rows = session.execute(
            select(
                b.usage_id,
                b.definition_id,
                b.block_type,
                b.parent_usage_id,
                b.position,
                b.display_name,
                b.settings,
                b.olx.is_not(None),
            ).where(b.tree_id == tree_id)
        ).all()
        return cls(
            tree_id,
            (
                BlockRecord(
                    *row[:6],
                    container_settings=row[6] if row[2] in CONTAINER_TYPES else None,
                    access_settings=None if row[2] in CONTAINER_TYPES else access_subset(row[6]),
                    placeholder=bool(row[7]),
                )
                for row in rows
            ),
            root_usage_id,
        )

    def load_fields(self, session: Session, usage_ids: Iterable[str]) -> None:
        """Read content, settings and OLX of these blocks (one query; already loaded ones are skipped)."""
        wanted = [u for u in usage_ids if u in self._by_usage and self._by_usage[u].content is None]
        if not wanted or self.tree_id is None:
            return
        b = StoredBlock
        rows = session.execute(
            select(b.usage_id, b.content, b.settings, b.olx).where(
                b.tree_id == self.tree_id, b.usage_id.in_(wanted)
            )
        ).all()
        for usage_id, content, settings, olx in rows:
            record = self._by_usage[usage_id]
            record.content, record.settings, record.olx = dict(content or {}), dict(settings or {}), olx

    def container_settings(self, usage_id: str) -> dict[str, Any]:
        """The settings of a container: read with the structure, else those loaded (import, authoring)."""
        record = self._by_usage.get(usage_id)
        if record is None:
            return {}
        found = record.container_settings if record.container_settings is not None else record.settings
        return found if isinstance(found, dict) else {}

    def access_settings(self, usage_id: str) -> dict[str, Any]:
        """The settings deciding who may see a block: a container's own, a component's subset read with the
        structure (else, in trees built in memory by import or authoring, the loaded settings)."""
        record = self._by_usage.get(usage_id)
        if record is None:
            return {}
        if record.block_type in CONTAINER_TYPES:
            return self.container_settings(usage_id)
        if record.access_settings is not None:
            return record.access_settings
        return access_subset(record.settings) or {}

    def derived(self, name: Hashable, compute: Callable[[], Any]) -> Any:
        """What ``compute`` works out from the structure, computed once until the structure changes.

        Shared trees serve every page of a course: the outline's unit order, the block types present and
        the like are the same for all of them.
        """
        if name not in self._derived:
            self._derived[name] = compute()
        return self._derived[name]

    def find_block_id(self, block_id: str) -> BlockRecord | None:
        """The block whose usage id ends in ``block@<block_id>`` (OLX links name blocks by ``url_name``)."""
        if self._by_block_id is None:
            self._by_block_id = {u.rsplit("block@", 1)[-1]: r for u, r in self._by_usage.items()}
        return self._by_block_id.get(block_id)

    def get(self, usage_id: str) -> BlockRecord | None:
        """The block with this usage id."""
        return self._by_usage.get(usage_id)

    def by_definition(self, definition_id: str) -> BlockRecord | None:
        """The block with this definition id."""
        return self._by_definition.get(definition_id)

    def add(self, record: BlockRecord) -> None:
        """Add a block (import and authoring)."""
        self._by_block_id = None
        self._derived.clear()
        self._by_usage[record.usage_id] = record
        self._by_definition[record.definition_id] = record

    def remove_descendants(self, usage_id: str) -> None:
        """Forget every block whose parent chain leads to ``usage_id`` (import: a block that failed to
        parse after some of its children were read)."""
        gone = {usage_id}
        grew = True
        while grew:
            found = {u for u, r in self._by_usage.items() if r.parent_usage_id in gone and u not in gone}
            gone |= found
            grew = bool(found)
        gone.discard(usage_id)
        for u in gone:
            record = self._by_usage.pop(u)
            self._by_definition.pop(record.definition_id, None)
        if gone:
            self._by_block_id = None
            self._derived.clear()
        self._by_usage[usage_id].children = []

    def children_ids(self, usage_id: str) -> list[str]:
        """The children of a block, in order."""
        record = self._by_usage.get(usage_id)
        return list(record.children) if record else []

    def set_children(self, usage_id: str, children: list[str]) -> None:
        """Replace a block's children (import and authoring)."""
        self._derived.clear()
        record = self._by_usage[usage_id]
        record.children = list(children)
        for position, child_id in enumerate(children):
            child = self._by_usage.get(child_id)
            if child is not None:
                child.parent_usage_id = usage_id
                child.position = position

    def subtree(self, usage_id: str) -> list[str]:
        """The block and all its descendants, depth first."""
        out: list[str] = []
        stack = [usage_id]
        while stack:
            current = stack.pop()
            if current in self._by_usage:
                out.append(current)
                stack.extend(reversed(self._by_usage[current].children))
        return out

    def walk(self, usage_id: str | None = None) -> Iterator[BlockRecord]:
        """Every block under ``usage_id`` (default: the root), depth first, in course order."""
        start = usage_id or self.root_usage_id
        for current in self.subtree(start) if start else []:
            yield self._by_usage[current]

    def ancestors(self, usage_id: str) -> list[BlockRecord]:
        """The parents of a block, nearest first."""
        out: list[BlockRecord] = []
        record = self._by_usage.get(usage_id)
        while record is not None and record.parent_usage_id:
            record = self._by_usage.get(record.parent_usage_id)
            if record is not None:
                out.append(record)
        return out

    def __len__(self) -> int:
        return len(self._by_usage)

    def __contains__(self, usage_id: object) -> bool:
        return usage_id in self._by_usage


SHARED_TREES = 32
_shared: OrderedDict[tuple[int, Any], LoadedTree] = OrderedDict()
_shared_lock = threading.Lock()


def shared_tree(session: Session, tree_id: int, version: Any = None) -> LoadedTree:
    """The process's read-only copy of a stored tree at a version, loaded on first use.

    ``version`` changes when the tree's blocks are edited (the course's ``updated_at``); the least used
    copies are dropped.
    """
    key = (tree_id, version)
    with _shared_lock:
        tree = _shared.get(key)
        if tree is not None:
            _shared.move_to_end(key)
            return tree
    tree = LoadedTree.load_structure(session, tree_id)
    with _shared_lock:
        _shared[key] = tree
        while len(_shared) > SHARED_TREES:
            _shared.popitem(last=False)
    return tree


def forget_shared_trees() -> None:
    """Drop every shared tree (tests that store trees under reused ids)."""
    with _shared_lock:
        _shared.clear()
