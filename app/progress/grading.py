"""The course grade from a course's grading policy, as Open edX's weighted subsection grader computes it.

A policy (``grading_policy.json``) names assignment types (``GRADER``: ``type``, ``min_count``,
``drop_count``, ``weight``, ``short_label``) and grade cutoffs (``GRADE_CUTOFFS``, e.g. ``{"Pass": 0.6}``).
Graded sequences (``graded="true" format="<type>"``) each score ``earned / possible`` of their scored
blocks (0 when they hold no points). For each type, in course order: missing sequences up to ``min_count``
count as 0, the lowest ``drop_count`` are dropped, the rest are averaged; the course grade is the sum of
``weight × average`` over the types, rounded to the hundredth (half away from zero). The learner passes
when the grade reaches the lowest cutoff.

A course whose policy names no assignment type, or that has no graded sequence, grades nothing: it has no
grade, and completing it is passing it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Open edX's default cutoff, used when a policy with assignment types gives none.
DEFAULT_CUTOFFS = {"Pass": 0.5}
MAX_ASSIGNMENT_COUNT = 1000


@dataclass(frozen=True)
class AssignmentType:
    """One entry of ``GRADER``."""

    type: str
    min_count: int
    drop_count: int
    weight: float
    short_label: str


@dataclass(frozen=True)
class GradingPolicy:
    """A course's assignment types and grade cutoffs."""

    types: tuple[AssignmentType, ...]
    cutoffs: tuple[tuple[str, float], ...]  # highest first

    @property
    def grades_anything(self) -> bool:
        """Whether the course has a grade at all."""
        return bool(self.types)

    @property
    def pass_mark(self) -> float | None:
        """The lowest cutoff: the grade needed to pass (None when the course grades nothing)."""
        if not self.grades_anything or not self.cutoffs:
            return None
        return self.cutoffs[-1][1]


NO_GRADES = GradingPolicy((), ())


@dataclass(frozen=True)
class SequenceScore:
    """A graded sequence's points for one learner."""

    format: str
    earned: float
    possible: float

    @property
    def percent(self) -> float:
        """Its share of the points (0 when it holds none, as in Open edX)."""
        return self.earned / self.possible if self.possible > 0 else 0.0


@dataclass(frozen=True)
class CourseGrade:
    """The course grade (None when the course grades nothing), its letter and whether it passes."""

    percent: float | None
    letter: str | None
    passed: bool


def _number(value: Any, default: float, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = float(value)
    except ValueError:
        return default
    if not math.isfinite(number):
        return default
    return min(max(number, low), high)


def read_policy(raw: Mapping[str, Any] | None) -> GradingPolicy:
    """The policy from ``grading_policy.json``'s content; malformed entries are left out, numbers clamped.

    The import keeps the file as it was given; grading must work whatever it holds.
    """
    raw = raw if isinstance(raw, Mapping) else {}
    types: list[AssignmentType] = []
    seen: set[str] = set()
    grader = raw.get("GRADER")
    for entry in grader if isinstance(grader, list) else []:
        if not isinstance(entry, Mapping):
            continue
        name = entry.get("type")
        if not isinstance(name, str) or not name.strip() or name in seen:
            continue
        seen.add(name)
        label = entry.get("short_label")
        types.append(
            AssignmentType(
                type=name,
                min_count=int(_number(entry.get("min_count"), 0, 0, MAX_ASSIGNMENT_COUNT)),
                drop_count=int(_number(entry.get("drop_count"), 0, 0, MAX_ASSIGNMENT_COUNT)),
                weight=_number(entry.get("weight"), 0.0, 0.0, 1.0),
                short_label=label if isinstance(label, str) and label.strip() else name,
            )
        )
    cutoffs_raw = raw.get("GRADE_CUTOFFS")
    cutoffs = {
        str(letter): _number(value, -1.0, 0.0, 1.0)
        for letter, value in (cutoffs_raw.items() if isinstance(cutoffs_raw, Mapping) else [])
        if not isinstance(value, bool) and isinstance(value, int | float)
    }
    cutoffs = {letter: value for letter, value in cutoffs.items() if value >= 0} or dict(DEFAULT_CUTOFFS)
    ordered = tuple(sorted(cutoffs.items(), key=lambda item: (-item[1], item[0])))
    return GradingPolicy(tuple(types), ordered)


def round_grade(value: float) -> float:
    """Round to the hundredth, half away from zero (1/3 → 0.33, 0.675 → 0.68)."""
    # Through a string: 0.675 is stored as 0.67499999… and would round down otherwise.
    scaled = float(f"{value * 100:.6f}")
    return math.floor(scaled + 0.5) / 100


def type_average(kind: AssignmentType, percents: list[float]) -> float:
    """The average of one assignment type: padded to ``min_count`` with zeros, lowest ``drop_count`` out."""
    scores = list(percents) + [0.0] * max(0, kind.min_count - len(percents))
    kept = sorted(scores)[kind.drop_count :] if kind.drop_count else scores
    return sum(kept) / len(kept) if kept else 0.0


def course_grade(policy: GradingPolicy, sequences: Iterable[SequenceScore]) -> CourseGrade:
    """The course grade of a learner whose graded sequences scored ``sequences`` (in course order)."""
    if not policy.grades_anything:
        return CourseGrade(None, None, False)
    by_type: dict[str, list[float]] = {}
    for sequence in sequences:
        by_type.setdefault(sequence.format, []).append(sequence.percent)
    total = sum(kind.weight * type_average(kind, by_type.get(kind.type, [])) for kind in policy.types)
    percent = round_grade(min(max(total, 0.0), 1.0))
    letter = next((name for name, cutoff in policy.cutoffs if percent >= cutoff), None)
    return CourseGrade(percent, letter, letter is not None)
