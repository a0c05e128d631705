"""What of a course version counts for progress: its containers, the blocks each one counts, the scored
blocks with their points, the graded sequences, and the grading policy.

Worked out once per loaded tree (the runtime's shared, immutable copy; a new import or a studio edit gives
a new one) and per set of disabled block types, then kept with the tree in this process. Nothing about a
learner is kept here.

- A block counts for completion when its class is completable (aggregators and excluded blocks are not,
  nor types that are disabled or not installed: they show as a placeholder).
- Containers are the course, its chapters, sequences and units; each counts the completable blocks below
  it (its ``total``).
- A block is scored when its instance says ``has_score``; its points are its ``max_score()``, read by
  building the block once (without a learner). Blocks that cannot tell fall back to the points recorded
  with a learner's grade.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from xblock.completable import XBlockCompletionMode

from app.progress.grading import NO_GRADES, GradingPolicy
from app.runtime.host import HostConfig, HostRuntime, Learner
from app.runtime.tree import LoadedTree

log = logging.getLogger("cybermassif.progress.structure")

COURSE, CHAPTER, SEQUENCE, UNIT = "course", "chapter", "sequential", "vertical"
CONTAINER_TYPES = frozenset({COURSE, CHAPTER, SEQUENCE, UNIT})
PROBLEM = "problem"


@dataclass(frozen=True)
class Container:
    """A course, chapter, sequence or unit, and the completable and scored blocks below it."""

    usage_id: str
    block_type: str
    title: str
    parent_id: str | None
    counted: tuple[str, ...]
    scored: tuple[str, ...]

    @property
    def total(self) -> int:
        """How many blocks below it count for completion."""
        return len(self.counted)


@dataclass(frozen=True)
class GradedSequence:
    """A sequence that counts for the course grade, and its assignment type."""

    usage_id: str
    format: str
    title: str


@dataclass
class CourseStructure:
    """The progress view of one course version."""

    course_key: str
    tree_id: int
    root_id: str
    policy: GradingPolicy
    # Course order: the root first, then depth first.
    containers: dict[str, Container] = field(default_factory=dict)
    # For every counted or scored block: the containers above it, nearest first.
    ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    completable: frozenset[str] = frozenset()
    # Scored blocks and their points (None: the block could not tell; use what its grade recorded).
    points: dict[str, float | None] = field(default_factory=dict)
    graded: tuple[GradedSequence, ...] = ()
    titles: dict[str, str] = field(default_factory=dict)
    # The type of every counted or scored block.
    block_types: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many blocks of the course count for completion."""
        return len(self.completable)

    def of_type(self, block_type: str) -> list[Container]:
        """The containers of one type, in course order."""
        return [c for c in self.containers.values() if c.block_type == block_type]

    def blocks_of_type(self, block_type: str) -> list[str]:
        """Counted or scored blocks of one type (``problem``…), in course order."""
        return [u for u, kind in self.block_types.items() if kind == block_type]


def _title(record: Any) -> str:
    return record.display_name or record.block_type


def _is_graded(settings: Mapping[str, Any]) -> bool:
    value = settings.get("graded")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def completable_types(config: HostConfig, block_types: set[str]) -> set[str]:
    """The block types that count for completion, from their classes (no block is built)."""
    found = set()
    for block_type in block_types - set(config.disabled_types):
        cls = config.registry.load_block_class(block_type)
        if cls is not None and XBlockCompletionMode.get_mode(cls) == XBlockCompletionMode.COMPLETABLE:
            found.add(block_type)
    return found


def _maybe_scored(config: HostConfig, block_type: str) -> bool:
    if block_type in config.disabled_types or block_type in CONTAINER_TYPES:
        return False
    cls = config.registry.load_block_class(block_type)
    # ``has_score`` may be a property (decided per block): a property object is truthy here.
    return cls is not None and bool(getattr(cls, "has_score", False))


def _points(runtime: HostRuntime, usage_ids: list[str]) -> dict[str, float | None]:
    """Build each candidate block once, without a learner, and ask whether and how much it scores."""
    points: dict[str, float | None] = {}
    if not usage_ids:
        return points
    runtime.preload(usage_ids)
    for usage_id in usage_ids:
        try:
            block = runtime.get_block(usage_id)
            if not getattr(block, "has_score", False):
                continue
            max_score = getattr(block, "max_score", None)
            value = max_score() if callable(max_score) else None
            points[usage_id] = float(value) if isinstance(value, int | float) and value >= 0 else None
        except Exception:  # a third-party block failing here must not stop progress
            log.exception("could not read the points of %s", usage_id)
            points[usage_id] = None
    return points


def build(
    tree: LoadedTree,
    course_key: str,
    policy: GradingPolicy | Callable[[], GradingPolicy],
    runtime_factory: Callable[[], HostRuntime],
) -> CourseStructure:
    """Work out the structure of a loaded tree (reads the settings of sequences and scored blocks).

    ``policy`` may be a function reading it: it is called only when the course has graded sequences (a
    course without any grades nothing, whatever its policy says).
    """
    runtime = runtime_factory()
    config = runtime.config
    records = list(tree.walk())
    counted_types = completable_types(config, {r.block_type for r in records})
    candidates = [r.usage_id for r in records if not r.placeholder and _maybe_scored(config, r.block_type)]
    sequences = [r.usage_id for r in records if r.block_type == SEQUENCE]
    tree.load_fields(runtime.store.session, sequences + candidates)
    points = _points(runtime, candidates)

    structure = CourseStructure(course_key, tree.tree_id or 0, tree.root_usage_id or "", NO_GRADES)
    below: dict[str, list[str]] = {}
    scored_below: dict[str, list[str]] = {}
    completable = set()
    for record in records:
        structure.titles[record.usage_id] = _title(record)
        if record.block_type in CONTAINER_TYPES:
            below.setdefault(record.usage_id, [])
            scored_below.setdefault(record.usage_id, [])
        counted = record.block_type in counted_types and not record.placeholder
        scored = record.usage_id in points
        if not (counted or scored):
            continue
        chain = tuple(a.usage_id for a in tree.ancestors(record.usage_id) if a.block_type in CONTAINER_TYPES)
        structure.ancestors[record.usage_id] = chain
        structure.block_types[record.usage_id] = record.block_type
        for container in chain:
            if counted:
                below.setdefault(container, []).append(record.usage_id)
            if scored:
                scored_below.setdefault(container, []).append(record.usage_id)
        if counted:
            completable.add(record.usage_id)
    for record in records:
        if record.block_type not in CONTAINER_TYPES:
            continue
        structure.containers[record.usage_id] = Container(
            usage_id=record.usage_id,
            block_type=record.block_type,
            title=_title(record),
            parent_id=record.parent_usage_id,
            counted=tuple(below[record.usage_id]),
            scored=tuple(scored_below[record.usage_id]),
        )
    structure.completable = frozenset(completable)
    structure.points = points
    structure.graded = tuple(
        GradedSequence(r.usage_id, str(r.settings.get("format") or ""), _title(r))
        for r in records
        if r.block_type == SEQUENCE and r.settings is not None and _is_graded(r.settings)
    )
    if structure.graded:
        structure.policy = policy() if callable(policy) else policy
    return structure


_cache: weakref.WeakKeyDictionary[LoadedTree, dict[frozenset[str], CourseStructure]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def structure_for(
    tree: LoadedTree,
    course_key: str,
    disabled_types: frozenset[str],
    policy_loader: Callable[[], GradingPolicy],
    runtime_factory: Callable[[], HostRuntime],
) -> CourseStructure:
    """The structure of a loaded tree, worked out on first use and kept as long as the tree is."""
    with _lock:
        found = _cache.get(tree, {}).get(disabled_types)
    if found is not None:
        return found
    built = build(tree, course_key, policy_loader, runtime_factory)
    with _lock:
        _cache.setdefault(tree, {})[disabled_types] = built
    return built


def anonymous_learner() -> Learner:
    """Who the runtime that reads blocks' points works for: nobody."""
    return Learner(user_id=None)
