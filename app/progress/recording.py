"""Recording the runtime's progress events: one idempotent upsert per (learner, block).

Replaying an event changes nothing, and events arriving out of order end in the same state: completion
keeps the latest event by time (it may go down, as in Open edX), a grade keeps the latest unless it is
``only_if_higher`` and lower than the stored one.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.progress.models import BlockCompletion
from app.runtime.events import ProgressEvent


def _merge(batch: Sequence[ProgressEvent]) -> list[ProgressEvent]:
    # A batch must not hold the same key twice (one upsert statement cannot touch a row twice).
    merged: dict[tuple[int, str], ProgressEvent] = {}
    for event in batch:
        key = (event.user_id, event.usage_id)
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = event
            continue
        completion = event.completion if event.completion is not None else earlier.completion
        earned, possible = earlier.earned, earlier.possible
        if event.earned is not None and not (
            event.only_if_higher
            and earned is not None
            and possible
            and event.earned / event.possible <= earned / possible
        ):
            earned, possible = event.earned, event.possible
        merged[key] = ProgressEvent(
            user_id=event.user_id,
            course_key=event.course_key,
            usage_id=event.usage_id,
            block_type=event.block_type,
            completion=completion,
            earned=earned,
            possible=possible,
            only_if_higher=False,
            at=event.at,
        )
    return list(merged.values())


def record(session: Session, batch: Sequence[ProgressEvent]) -> None:
    """Upsert the batch into ``block_completion``: one statement per kind of event in it."""
    events = _merge(batch)
    if not events:
        return
    now = datetime.now(UTC)
    dialect = session.get_bind().dialect.name
    # SQLite takes times as text, written as SQLAlchemy writes them; a request's events share one instant
    # or a few, so each is formatted once.
    times: dict[datetime, Any] = {}
    stored_time = functools.partial(_sqlite_time, times) if dialect == "sqlite" else None
    kinds: dict[tuple[bool, bool], list[tuple[Any, ...]]] = {}
    for e in events:
        at: Any = e.at or now
        if stored_time is not None:
            at = stored_time(at)
        completion = e.completion or 0.0
        kinds.setdefault((e.completion is not None, e.only_if_higher), []).append(
            (
                e.user_id,
                e.course_key,
                e.usage_id,
                e.block_type,
                completion,
                e.earned,
                e.possible,
                at if completion >= 1.0 else None,
                at if e.earned is not None else None,
                at,
            )
        )  # in the order of _COLUMNS
    # Core execution on the session's connection: the ORM's path costs as much as the statement here.
    if session.autoflush:
        session.flush()
    connection = session.connection()
    for (has_completion, only_if_higher), rows in kinds.items():
        if dialect == "sqlite":
            # Straight to the driver's executemany: SQLAlchemy's per-row parameter processing costs several
            # times the insert itself on SQLite (a page marking 50 blocks, a handler reporting hundreds).
            sql, parameters = _sqlite_upsert(has_completion, only_if_higher)
            connection.exec_driver_sql(sql, list(map(parameters, rows)))
        else:
            connection.execute(
                _upsert(dialect, has_completion, only_if_higher),
                [dict(zip(_COLUMNS, row, strict=True)) for row in rows],
            )


_COLUMNS = ("user_id", "course_key", "usage_id", "block_type", "completion", "earned", "possible")
_COLUMNS += ("completed_at", "graded_at", "updated_at")
# How SQLAlchemy stores a datetime in SQLite (its DATETIME type's storage format), so that rows written
# here compare, as text, with rows written through it.
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def _sqlite_time(times: dict[datetime, str], at: datetime) -> str:
    text = times.get(at)
    if text is None:
        text = times[at] = at.strftime(_SQLITE_TIME)
    return text


@functools.cache
def _sqlite_upsert(
    has_completion: bool, only_if_higher: bool
) -> tuple[str, Callable[[tuple[Any, ...]], tuple[Any, ...]]]:
    """The upsert compiled for SQLite once: its SQL, and what puts a row's values in its parameters' order
    (the statement's own constants last, as it binds them)."""
    compiled = _upsert("sqlite", has_completion, only_if_higher).compile(
        dialect=sqlite_dialect(), column_keys=list(_COLUMNS)
    )
    names = list(compiled.positiontup or ())
    columns = [name for name in names if name in _COLUMNS]
    constants = tuple(compiled.params[name] for name in names[len(columns) :])
    if names[: len(columns)] != columns or any(name in _COLUMNS for name in names[len(columns) :]):
        raise RuntimeError(f"unexpected parameter order in the completion upsert: {names}")
    pick = operator.itemgetter(*(_COLUMNS.index(name) for name in columns))
    return compiled.string, lambda row: pick(row) + constants


@functools.cache
def _upsert(dialect: str, has_completion: bool, only_if_higher: bool) -> Any:
    """The upsert statement of one kind of event (built once: building it costs more than running it)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = BlockCompletion.__table__
    statement = insert(table)
    new = statement.excluded
    newer = new.updated_at >= table.c.updated_at
    if only_if_higher:
        stored = table.c.earned / func.nullif(table.c.possible, 0)
        take_grade = new.earned.isnot(None) & (
            table.c.earned.is_(None) | (new.earned / new.possible > stored)
        )
    else:
        take_grade = new.earned.isnot(None) & newer
    values: dict[str, Any] = {
        "earned": case((take_grade, new.earned), else_=table.c.earned),
        "possible": case((take_grade, new.possible), else_=table.c.possible),
        "graded_at": case((take_grade, new.graded_at), else_=table.c.graded_at),
        "updated_at": case((newer, new.updated_at), else_=table.c.updated_at),
    }
    if has_completion:
        # The latest completion wins (it may go down); the first time it reached 1 is kept.
        values["completion"] = case((newer, new.completion), else_=table.c.completion)
        values["completed_at"] = case(
            (newer & (new.completion >= 1.0), func.coalesce(table.c.completed_at, new.completed_at)),
            (newer, None),
            else_=table.c.completed_at,
        )
    return statement.on_conflict_do_update(index_elements=["user_id", "usage_id"], set_=values)
