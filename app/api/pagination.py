"""Cursor pagination: lists go forward by id, and the cursor that says where is signed.

A cursor carries the last id seen, the endpoint and the filters it was made for, signed with the
application's secret key (itsdangerous) and dated: a cursor altered by hand, made for other filters or
another list, or older than :data:`MAX_AGE` is refused with a 400, never silently reinterpreted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select

from app.api.problems import ApiProblem
from app.core.database import read_columns

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_AGE = 24 * 3600  # seconds: a day's walk through a list
MAX_CURSOR = 500  # characters


@dataclass(frozen=True)
class Page:
    """One page of a list: the rows, and the cursor of the next page (None on the last)."""

    rows: list[Any]
    next_cursor: str | None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="cybermassif.api.cursor")


def _fingerprint(endpoint: str, filters: dict[str, Any]) -> str:
    text = json.dumps([endpoint, filters], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_cursor(endpoint: str, filters: dict[str, Any], after: int) -> str:
    """The signed cursor of the page after id ``after``."""
    return str(_serializer().dumps({"a": after, "f": _fingerprint(endpoint, filters)}))


def read_cursor(cursor: str, endpoint: str, filters: dict[str, Any]) -> int:
    """The id a cursor goes on after; a forged, foreign or stale cursor is a 400 problem."""
    if len(cursor) > MAX_CURSOR:
        raise ApiProblem(400, "invalid-cursor", _l("This page cursor is not valid."))
    try:
        data = _serializer().loads(cursor, max_age=MAX_AGE)
    except SignatureExpired:
        raise ApiProblem(
            400, "stale-cursor", _l("This page cursor has expired: start again from the first page.")
        ) from None
    except BadSignature:
        raise ApiProblem(400, "invalid-cursor", _l("This page cursor is not valid.")) from None
    after = data.get("a") if isinstance(data, dict) else None
    if not isinstance(after, int) or isinstance(after, bool):
        raise ApiProblem(400, "invalid-cursor", _l("This page cursor is not valid."))
    if data.get("f") != _fingerprint(endpoint, filters):
        raise ApiProblem(
            400,
            "stale-cursor",
            _l("This cursor was made for another list or other filters: start again from the first page."),
        )
    return after


def paginate(
    session: Any,
    query: Select[Any],
    *,
    key: Any,
    endpoint: str,
    filters: dict[str, Any],
    limit: int,
    cursor: str | None,
    entities: bool = False,
) -> Page:
    """One page of ``query`` ordered by the integer column ``key``, in one statement.

    ``entities``: the query selects one mapped class (rows are its objects, their ``id`` the key);
    otherwise rows are tuples whose first column is the key.
    """
    if cursor:
        query = query.where(key > read_cursor(cursor, endpoint, filters))
    ordered = query.order_by(key).limit(limit + 1)
    # ``all()`` fetches the page in one driver call (iterating a result fetches a row at a time).
    rows = list(session.scalars(ordered).all() if entities else read_columns(session, ordered, {}).all())
    more = len(rows) > limit
    rows = rows[:limit]
    last = (rows[-1].id if entities else rows[-1][0]) if rows else None
    next_cursor = make_cursor(endpoint, filters, last) if more and last is not None else None
    return Page(rows, next_cursor)
