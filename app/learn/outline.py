"""A course's outline from its loaded structure: chapters → sequences → units, in course order.

Everything here works on the structure :meth:`LoadedTree.load_structure` reads in one query; nothing
instantiates a block. Which block types count for completion is read from their classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from xblock.completable import XBlockCompletionMode

from app.runtime.bridge import RuntimeSetup
from app.runtime.tree import BlockRecord, LoadedTree

CHAPTER, SEQUENCE, UNIT = "chapter", "sequential", "vertical"


@dataclass
class UnitEntry:
    """A unit in the outline."""

    usage_id: str
    title: str
    complete: bool = False


@dataclass
class SequenceEntry:
    """A sequence and its units."""

    usage_id: str
    title: str
    units: list[UnitEntry] = field(default_factory=list)


@dataclass
class ChapterEntry:
    """A chapter and its sequences."""

    usage_id: str
    title: str
    sequences: list[SequenceEntry] = field(default_factory=list)


def title(record: BlockRecord) -> str:
    """What a block is called (its display name, else its type)."""
    return record.display_name or record.block_type


def _children(tree: LoadedTree, usage_id: str, block_type: str) -> list[BlockRecord]:
    records = (tree.get(child) for child in tree.children_ids(usage_id))
    return [r for r in records if r is not None and r.block_type == block_type]


def build(tree: LoadedTree, completed_units: set[str]) -> list[ChapterEntry]:
    """The outline of the course, with completed units marked."""
    chapters = []
    for chapter in _children(tree, tree.root_usage_id or "", CHAPTER):
        entry = ChapterEntry(chapter.usage_id, title(chapter))
        for sequence in _children(tree, chapter.usage_id, SEQUENCE):
            entry.sequences.append(
                SequenceEntry(
                    sequence.usage_id,
                    title(sequence),
                    [
                        UnitEntry(u.usage_id, title(u), u.usage_id in completed_units)
                        for u in _children(tree, sequence.usage_id, UNIT)
                    ],
                )
            )
        chapters.append(entry)
    return chapters


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


def sequence_units(tree: LoadedTree, sequence_id: str) -> list[BlockRecord]:
    """The units of one sequence, in order."""
    return _children(tree, sequence_id, UNIT)


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
