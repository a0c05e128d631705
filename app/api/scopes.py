"""What a token may be used for: a level (read, write) over all resources or over one resource.

Like GitHub's fine-grained tokens, a scope names a resource and a level (``cohorts:write``); the bare
levels ``read`` and ``write`` cover every resource. Writing implies reading the same resource. A scope
only narrows: whatever the scope, the token acts as its user and the access policy decides.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Resource(enum.StrEnum):
    """The parts of the API a scope may name."""

    PEOPLE = "people"
    ORGANISATIONS = "organisations"  # Cybersites and companies
    COHORTS = "cohorts"  # cohorts, their members, enrolments
    COURSES = "courses"
    PROGRESS = "progress"
    VISTA = "vista"


class Level(enum.StrEnum):
    """How far a scope lets a token go."""

    READ = "read"
    WRITE = "write"


# Resources the API can change (the others are read-only: a write scope on them would mean nothing).
WRITABLE = frozenset({Resource.COHORTS})

ALL_SCOPES: tuple[str, ...] = (
    Level.READ.value,
    Level.WRITE.value,
    *(f"{r.value}:{Level.READ.value}" for r in Resource),
    *(f"{r.value}:{Level.WRITE.value}" for r in Resource if r in WRITABLE),
)


def normalise(scopes: Iterable[str]) -> list[str]:
    """The known scopes among ``scopes``, each once, in the canonical order (unknown ones raise)."""
    wanted = set(scopes)
    unknown = wanted - set(ALL_SCOPES)
    if unknown:
        raise ValueError(sorted(unknown))
    return [s for s in ALL_SCOPES if s in wanted]


def allows(scopes: Iterable[str], resource: Resource, level: Level) -> bool:
    """Whether a token of ``scopes`` may do ``level`` on ``resource``."""
    held = set(scopes)
    levels = (Level.READ, Level.WRITE) if level == Level.READ else (Level.WRITE,)
    return any(lv.value in held or f"{resource.value}:{lv.value}" in held for lv in levels)
