"""Database connection policy: SQLite WAL, foreign keys, busy timeout, ``BEGIN IMMEDIATE`` for writes.

SQLite lets many readers and one writer work at once in WAL mode, but a transaction that starts as a
reader and later writes fails with "database is locked" when another writer got there first, however long
the busy timeout. So transactions that intend to write open with ``BEGIN IMMEDIATE``, which waits (up to the
busy timeout) for the write lock at the start instead. Requests with an unsafe method, CLI commands and
background jobs write; safe requests read, unless their route is marked with :func:`writes`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

BUSY_TIMEOUT_MS = 15_000

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

# Enough to keep every IN list far below the parameter limits of SQLite and PostgreSQL.
IN_LIST_CHUNK = 500


#: The largest id a row has: the tables' integer keys are 32 bits on PostgreSQL, so a larger id (from an
#: address or a request body) names nothing, and looked up it would overflow the column.
MAX_ROW_ID = 2**31 - 1


def is_row_id(value: Any) -> bool:
    """Whether ``value`` can name a row: a whole number (not a boolean) from 1 to :data:`MAX_ROW_ID`."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


def get_row(session: Session, model: type[T], object_id: Any) -> T | None:
    """The row of ``model`` with this id, or None (also for an id no row can have)."""
    return session.get(model, object_id) if is_row_id(object_id) else None


def chunks(items: Sequence[T], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size`` (the values of one ``IN`` list)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def set_write_intent(value: bool) -> contextvars.Token[bool]:
    """Declare whether transactions begun from now on in this context will write."""
    return _write_intent.set(value)


def reset_write_intent(token: contextvars.Token[bool]) -> None:
    """Undo :func:`set_write_intent`."""
    _write_intent.reset(token)


def start_writing(session: Any) -> None:
    """End the request's reading transaction and make the next one a writer (``BEGIN IMMEDIATE``).

    For pages reached by GET that write only sometimes (recording a first view): they read as readers,
    so that pages shown in parallel never wait for each other, and take the write lock only when there
    is something to write. Ending a transaction that read only commits nothing.
    """
    session.commit()
    _write_intent.set(True)


def writes(view: F) -> F:
    """Mark a view reached by GET that nonetheless writes (for example, recording that a page was seen)."""
    view.writes_on_safe_method = True  # type: ignore[attr-defined]
    return view


def view_writes(view: Callable[..., Any] | None) -> bool:
    """Whether a view function was marked with :func:`writes`."""
    return bool(getattr(view, "writes_on_safe_method", False))


def reads_first(view: F) -> F:
    """Mark a view that reads as a reader whatever the method, then calls :func:`start_writing` itself.

    For views whose checks (who is asking, may they) come before a short write: the checks run beside
    other requests' writes instead of holding the write lock while they run.
    """
    view.reads_first = True  # type: ignore[attr-defined]
    return view


def view_reads_first(view: Callable[..., Any] | None) -> bool:
    """Whether a view function was marked with :func:`reads_first`."""
    return bool(getattr(view, "reads_first", False))


def read_columns(session: Session, statement: Executable, params: dict[str, Any]) -> CursorResult[Any]:
    """Run a SELECT of plain columns (no mapped objects) in the session's transaction, on its connection.

    Through ``session.execute``, such a statement still takes the ORM's execution path, which costs as
    much as the query itself though it loads no object. Changes pending in the session are flushed first,
    as its autoflush would.
    """
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


def configure_engine(engine: Engine) -> None:
    """Attach the connection policy to an engine (only SQLite needs one)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that we choose how each one begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to the driver: ``exec_driver_sql`` costs a whole statement execution (events, context,
        # result) on every request. SQLAlchemy calls this hook inside its own error handling, so a failure
        # ("database is locked" after the busy timeout) still comes out as its OperationalError.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
