"""A course's outline from its loaded structure: chapters → sequences → units, in course order.

Everything here works on the structure :meth:`LoadedTree.load_structure` reads in one query; nothing
instantiates a block. Which block types count for completion is read from their classes. What the
viewer may see is decided by :mod:`app.courses.visibility`: hidden chapters, sequences and units are left
out here, and for course staff each entry carries the marks that say why a learner would not see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from xblock.completable import XBlockCompletionMode

from app.courses.visibility import Mark, Visibility
from app.runtime.bridge import RuntimeSetup
from app.runtime.tree import BlockRecord, LoadedTree

CHAPTER, SEQUENCE, UNIT = "chapter", "sequential", "vertical"


@dataclass
class UnitEntry:
    """A unit in the outline."""

    usage_id: str
    title: str
    complete: bool = False
    marks: list[Mark] = field(default_factory=list)


@dataclass
class SequenceEntry:
    """A sequence and its units."""

    usage_id: str
    title: str
    units: list[UnitEntry] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)


@dataclass
class ChapterEntry:
    """A chapter and its sequences."""

    usage_id: str
    title: str
    sequences: list[SequenceEntry] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)


def title(record: BlockRecord) -> str:
    """What a block is called (its display name, else its type)."""
    return record.display_name or record.block_type


def _children(tree: LoadedTree, usage_id: str, block_type: str) -> list[BlockRecord]:
    records = (tree.get(child) for child in tree.children_ids(usage_id))
    return [r for r in records if r is not None and r.block_type == block_type]


def build(tree: LoadedTree, completed_units: set[str], seen: Visibility) -> list[ChapterEntry]:
    """The outline of the course the viewer may see, with completed units marked."""
    hidden = seen.hidden
    marks = seen.own_marks if seen.viewer.is_staff else (lambda usage_id: [])
    chapters = []
    if (tree.root_usage_id or "") in hidden:
        return chapters
    for chapter in _children(tree, tree.root_usage_id or "", CHAPTER):
        if chapter.usage_id in hidden:
            continue
        entry = ChapterEntry(chapter.usage_id, title(chapter), marks=marks(chapter.usage_id))
        for sequence in _children(tree, chapter.usage_id, SEQUENCE):
            if sequence.usage_id in hidden:
                continue
            entry.sequences.append(
                SequenceEntry(
                    sequence.usage_id,
                    title(sequence),
                    [
                        UnitEntry(u.usage_id, title(u), u.usage_id in completed_units, marks(u.usage_id))
                        for u in _children(tree, sequence.usage_id, UNIT)
                        if u.usage_id not in hidden
                    ],
                    marks(sequence.usage_id),
                )
            )
        chapters.append(entry)
    return chapters


def visible_unit_ids(tree: LoadedTree, seen: Visibility) -> tuple[str, ...]:
    """The units the viewer may see, in course order (previous / next, resume, first unit)."""
    order = unit_ids(tree)
    return tuple(seen.keep(order)) if seen.hidden else order


def unit_ids(tree: LoadedTree) -> tuple[str, ...]:
    """Every unit of the course in course order (chapter by chapter, sequence by sequence).

    Worked out once per loaded tree: every unit page needs it for previous / next.
    """
    return tree.derived(  # type: ignore[no-any-return]
        "unit_ids",
        lambda: tuple(
            unit.usage_id
            for chapter in _children(tree, tree.root_usage_id or "", CHAPTER)
            for sequence in _children(tree, chapter.usage_id, SEQUENCE)
            for unit in _children(tree, sequence.usage_id, UNIT)
        ),
    )


def sequence_units(tree: LoadedTree, sequence_id: str, seen: Visibility) -> list[BlockRecord]:
    """The units of one sequence the viewer may see, in order."""
    return [u for u in _children(tree, sequence_id, UNIT) if u.usage_id not in seen.hidden]


def neighbours(order: Sequence[str], usage_id: str) -> tuple[str | None, str | None]:
    """The units before and after ``usage_id`` in course order (none for a unit outside the outline)."""
    if usage_id not in order:
        return None, None
    index = order.index(usage_id)
    return (order[index - 1] if index > 0 else None, order[index + 1] if index + 1 < len(order) else None)


def block_types(tree: LoadedTree) -> frozenset[str]:
    """The block types a course uses (worked out once per loaded tree)."""
    return tree.derived("block_types", lambda: frozenset(r.block_type for r in tree.walk()))  # type: ignore[no-any-return]


def completable_types(setup: RuntimeSetup, block_types: Iterable[str]) -> set[str]:
    """The block types that count for completion, from their classes (no block is built).

    Aggregators (units, sequences…) and excluded types do not count; types that are disabled or not
    installed show as a placeholder, which is excluded.
    """
    disabled = setup.disabled_types()
    found = set()
    for block_type in set(block_types) - disabled:
        cls = setup.registry.load_block_class(block_type)
        if cls is not None and XBlockCompletionMode.get_mode(cls) == XBlockCompletionMode.COMPLETABLE:
            found.add(block_type)
    return found
