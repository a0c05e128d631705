"""The tasks features register: a name, the function that does the work, and how it is retried.

Features call ``task`` at import time; each application then binds every registered task to its own
queue (``app.jobs.queue``), so that the web process and the worker processes know the same names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TaskSpec:
    """A registered task. ``retries`` further attempts, the first after ``retry_delay`` seconds and each
    next one twice as long after the one before (exponential backoff). ``tracked`` tasks update a ``Job``
    record: their function takes a ``JobRun`` as first argument. A task that only reads (``writes=False``)
    opens its transaction as a reader (on SQLite, other writers need not wait for it)."""

    name: str
    func: Callable[..., Any]
    retries: int = 0
    retry_delay: float = 0.0
    tracked: bool = False
    writes: bool = True


_TASKS: dict[str, TaskSpec] = {}


def task(
    name: str, *, retries: int = 0, retry_delay: float = 0.0, tracked: bool = False, writes: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the task ``name`` (a second registration replaces the first,
    so that reloading a module is harmless); the function itself is returned unchanged."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        _TASKS[name] = TaskSpec(name, func, retries, retry_delay, tracked, writes)
        return func

    return decorator


def registered() -> list[TaskSpec]:
    """Every registered task."""
    return list(_TASKS.values())


def spec(name: str) -> TaskSpec:
    """The task registered as ``name`` (KeyError for a name nobody registered: a programming error)."""
    return _TASKS[name]
