"""A learner's figures in one course, worked out from their block records and the course's structure.

Pure functions: the same records give the same figures whatever order the events came in, which is what
lets an event recompute one learner's figures from their own rows (see ``rollups``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from app.progress.grading import SequenceScore, course_grade
from app.progress.structure import CourseStructure


class BlockState(NamedTuple):
    """What is recorded of one block for one learner (a tuple: built for every row an event reads)."""

    completion: float
    earned: float | None
    possible: float | None
    completed_at: datetime | None
    graded_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class ContainerFigures:
    """A learner's figures for one container."""

    completed: int
    total: int
    earned: float
    possible: float
    completed_at: datetime | None

    @property
    def is_complete(self) -> bool:
        """Every counted block below it is complete (a container with none never is)."""
        return self.total > 0 and self.completed >= self.total


@dataclass(frozen=True)
class CourseFigures:
    """A learner's figures for the course."""

    completed: int
    total: int
    percent: float
    grade: float | None
    passed: bool
    first_activity_at: datetime
    last_activity_at: datetime
    completed_at: datetime | None
    passed_at: datetime | None


@dataclass(frozen=True)
class LearnerFigures:
    """Every container's figures (those with anything done below them) and the course's."""

    containers: dict[str, ContainerFigures]
    course: CourseFigures


def utc(moment: datetime | None) -> datetime | None:
    """The moment as an aware UTC datetime (SQLite gives naive ones back)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _latest(moments: Iterable[datetime | None]) -> datetime | None:
    # The moments of one query are all naive (SQLite) or all aware (PostgreSQL): comparable as they are;
    # only the result is made aware.
    found = [m for m in moments if m is not None]
    return utc(max(found)) if found else None


def _points(structure: CourseStructure, usage_id: str, state: BlockState | None) -> tuple[float, float]:
    """Earned and possible points of a scored block, scaled to the points the course version gives it."""
    points = structure.points.get(usage_id)
    if state is None or state.earned is None or not state.possible:
        return 0.0, points if points is not None else 0.0
    if points is None:
        return state.earned, state.possible
    return state.earned * points / state.possible, points


def summarise(
    structure: CourseStructure,
    states: Mapping[str, BlockState],
    only: Iterable[str] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> LearnerFigures:
    """The figures of a learner whose records in the course are ``states`` (by usage id): of every
    container with anything done below it, or of ``only`` those (an event's ancestors); and the course's.

    ``hidden`` names the counted and scored blocks the learner may not see (``app.courses.visibility``):
    they count neither for nor against them, and a graded sequence made of them only is not graded.
    """
    done = {
        u for u, s in states.items() if s.completion >= 1.0 and u in structure.completable and u not in hidden
    }
    wanted = {c for u in states for c in structure.ancestors.get(u, ())} if only is None else set(only)
    # The course grade needs every graded sequence.
    containers = {
        u: _container(structure, u, states, done, hidden)
        for u in wanted | {g.usage_id for g in structure.graded}
    }
    found = {u: figures for u, figures in containers.items() if figures is not None}
    course = _course(structure, states, done, found, hidden)
    return LearnerFigures({u: f for u, f in found.items() if u in wanted}, course)


def _container(
    structure: CourseStructure,
    usage_id: str,
    states: Mapping[str, BlockState],
    done: set[str],
    hidden: frozenset[str] = frozenset(),
) -> ContainerFigures | None:
    container = structure.containers.get(usage_id)
    if container is None:
        return None
    counted = [u for u in container.counted if u not in hidden] if hidden else container.counted
    scored_blocks = [u for u in container.scored if u not in hidden] if hidden else container.scored
    if hidden and (container.counted or container.scored) and not counted and not scored_blocks:
        return None  # everything below it is hidden from the learner: it is not theirs to do
    completed = [u for u in counted if u in done]
    earned = possible = 0.0
    for scored in scored_blocks:
        got, out_of = _points(structure, scored, states.get(scored))
        earned, possible = earned + got, possible + out_of
    total = len(counted)
    complete = total > 0 and len(completed) >= total
    return ContainerFigures(
        completed=len(completed),
        total=total,
        earned=earned,
        possible=possible,
        completed_at=_latest(states[u].completed_at or states[u].updated_at for u in completed)
        if complete
        else None,
    )


def _course(
    structure: CourseStructure,
    states: Mapping[str, BlockState],
    done: set[str],
    containers: Mapping[str, ContainerFigures],
    hidden: frozenset[str] = frozenset(),
) -> CourseFigures:
    total = len(structure.completable - hidden) if hidden else structure.total
    completed = len(done)
    is_complete = total > 0 and completed >= total
    scores = [
        SequenceScore(sequence.format, figures.earned, figures.possible)
        for sequence in structure.graded
        if (figures := containers.get(sequence.usage_id)) is not None
    ]
    grade = course_grade(structure.policy, scores)
    completed_at = (
        _latest(states[u].completed_at or states[u].updated_at for u in done) if is_complete else None
    )
    if structure.policy.grades_anything:
        passed = grade.passed
        passed_at = _latest(s.graded_at for s in states.values()) if passed else None
    else:
        passed, passed_at = is_complete, completed_at
    now = datetime.now(UTC)
    first = min((s.completed_at or s.graded_at or s.updated_at for s in states.values()), default=None)
    last = max((s.updated_at for s in states.values()), default=None)
    return CourseFigures(
        completed=completed,
        total=total,
        percent=completed / total if total else 0.0,
        grade=grade.percent,
        passed=passed,
        first_activity_at=utc(first) or now,
        last_activity_at=utc(last) or now,
        completed_at=completed_at,
        passed_at=passed_at or (now if passed else None),
    )
