"""Field storage for one request: a KeyValueStore over the block tree and the ``xblock_field`` table.

Everything a page renders is fetched up front in one query (:meth:`FieldStore.prefetch`); writes are kept
in memory and written by :meth:`FieldStore.flush` as one batch of upserts.

Content, settings, children and parent come from the stored block tree, which only authoring changes:
for learners they are read-only (a block that tries to change them gets ReadOnlyFieldError, as Open edX's
learner runtime refuses such writes).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from xblock.fields import BlockScope, Scope, UserScope
from xblock.runtime import KeyValueStore

from app.core.database import read_columns
from app.runtime.models import FieldValue
from app.runtime.tree import BlockRecord, LoadedTree

log = logging.getLogger("cybermassif.runtime.store")

_USER = {UserScope.NONE: "none", UserScope.ONE: "one", UserScope.ALL: "all"}
_BLOCK = {
    BlockScope.USAGE: "usage",
    BlockScope.DEFINITION: "definition",
    BlockScope.TYPE: "type",
    BlockScope.ALL: "all",
}
_NAMED = {
    (UserScope.NONE, BlockScope.DEFINITION): "content",
    (UserScope.NONE, BlockScope.USAGE): "settings",
    (UserScope.ONE, BlockScope.USAGE): "user_state",
    (UserScope.ONE, BlockScope.TYPE): "preferences",
    (UserScope.ONE, BlockScope.ALL): "user_info",
    (UserScope.ALL, BlockScope.USAGE): "user_state_summary",
}


class ReadOnlyFieldError(Exception):
    """A learner-side write to a scope that only authors change (content, settings, children, parent)."""


def scope_name(scope: Any) -> str:
    """A stable name for each of the 12 scopes: the six named ones, else ``user.block``."""
    pair = (scope.user, scope.block)
    return _NAMED.get(pair) or f"{_USER[scope.user]}.{_BLOCK[scope.block]}"


_TREE_SCOPES = (
    (Scope.content, "content"),
    (Scope.settings, "settings"),
    (Scope.children, "children"),
    (Scope.parent, "parent"),
)


def tree_scope(scope: Any) -> str | None:
    """``content``, ``settings``, ``children`` or ``parent`` for the scopes the block tree keeps, else None.

    Fields declare these scopes with XBlock's own objects, so identity answers almost always; XBlock's
    scope equality (Python-level ``__eq__`` on each part) is the fallback.
    """
    for known, kind in _TREE_SCOPES:
        if scope is known:
            return kind
    for known, kind in _TREE_SCOPES:
        if scope == known:
            return kind
    return None


def _row_key(key: KeyValueStore.Key) -> tuple[str, int, str, str]:
    user_id = int(key.user_id) if key.scope.user == UserScope.ONE and key.user_id is not None else 0
    scope_key = "" if key.block_scope_id is None else str(key.block_scope_id)
    return (scope_name(key.scope), user_id, scope_key, key.field_name)


# Every page runs it: built once (building the statement costs as much as running it).
_STORED_VALUES = select(
    FieldValue.scope, FieldValue.user_id, FieldValue.scope_key, FieldValue.field_name, FieldValue.value
).where(
    FieldValue.user_id.in_(bindparam("users", expanding=True)),
    FieldValue.scope_key.in_(bindparam("scope_keys", expanding=True)),
)


class FieldStore(KeyValueStore):
    """The KeyValueStore of one request (one user), over a loaded block tree."""

    def __init__(
        self,
        session: Session,
        tree: LoadedTree,
        user_id: int | None,
        *,
        authoring: bool = False,
        hidden: frozenset[str] = frozenset(),
    ):
        self.session = session
        self.tree = tree
        self.user_id = user_id
        self.authoring = authoring
        # Components the user may not see: no parent lists them among its children (see ComponentAccess).
        self.hidden = hidden
        self._values: dict[tuple[str, int, str, str], Any] = {}
        self._fetched_keys: set[str] = set()
        self._dirty: dict[tuple[str, int, str, str], Any] = {}
        self._deleted: set[tuple[str, int, str, str]] = set()

    # Fetching -------------------------------------------------------------------------------------------

    def prefetch(self, records: Iterable[BlockRecord], *, stored_fields: bool = True) -> None:
        """Load, in one query, every stored field of these blocks for this user and for all users.

        With ``stored_fields=False`` (none of their classes declares a field kept in ``xblock_field``),
        there is nothing to read: the blocks are only marked as fetched.
        """
        scope_keys: set[str] = {""}
        for record in records:
            scope_keys.update((record.usage_id, record.definition_id, record.block_type))
        if stored_fields:
            self._fetch(scope_keys)
        else:
            self._fetched_keys.update(scope_keys)

    def _fetch(self, scope_keys: set[str]) -> None:
        wanted = sorted(scope_keys - self._fetched_keys)
        if not wanted:
            return
        users = [0] if self.user_id is None else [0, self.user_id]
        rows = read_columns(self.session, _STORED_VALUES, {"users": users, "scope_keys": wanted}).all()
        for scope, user_id, scope_key, field_name, value in rows:
            self._values.setdefault((scope, user_id, scope_key, field_name), value)
        self._fetched_keys.update(wanted)

    # Tree-backed scopes -----------------------------------------------------------------------------------

    def _tree_value(self, key: KeyValueStore.Key, kind: str | None) -> tuple[bool, Any]:
        if kind is None:
            return False, None
        if kind == "children":
            children = self.tree.children_ids(str(key.block_scope_id))
            return True, [c for c in children if c not in self.hidden] if self.hidden else children
        if kind == "parent":
            record = self.tree.get(str(key.block_scope_id))
            return True, record.parent_usage_id if record else None
        record = (
            self.tree.by_definition(str(key.block_scope_id))
            if kind == "content"
            else self.tree.get(str(key.block_scope_id))
        )
        if record is None:
            return True, _MISSING
        if record.content is None:
            self.tree.load_fields(self.session, [record.usage_id])
        fields = record.content if kind == "content" else record.settings
        value = fields.get(key.field_name, _MISSING)
        # The tree may be shared by other requests: a block changing a dict or list in place
        # must change its own copy.
        return True, copy.deepcopy(value) if isinstance(value, dict | list) else value

    # KeyValueStore ----------------------------------------------------------------------------------------

    def _stored(self, row: tuple[str, int, str, str]) -> Any:
        if row in self._deleted:
            return _MISSING
        if row in self._dirty:
            return self._dirty[row]
        if row[2] not in self._fetched_keys:
            self._fetch({row[2]})
        return self._values.get(row, _MISSING)

    def get(self, key: KeyValueStore.Key) -> Any:
        handled, value = self._tree_value(key, tree_scope(key.scope))
        if handled:
            if value is _MISSING:
                raise KeyError(key.field_name)
            return value
        value = self._stored(_row_key(key))
        if value is _MISSING:
            raise KeyError(key.field_name)
        return value

    def set(self, key: KeyValueStore.Key, value: Any) -> None:
        self.set_many({key: value})

    def set_many(self, update_dict: dict[KeyValueStore.Key, Any]) -> None:
        for key, value in update_dict.items():
            if key.scope in (Scope.children, Scope.parent, Scope.content, Scope.settings):
                self._write_tree(key, value)
                continue
            if key.scope.user == UserScope.ONE and key.user_id is None:
                raise ReadOnlyFieldError(f"{key.field_name}: no user to store a user-scoped field for")
            row = _row_key(key)
            self._deleted.discard(row)
            self._dirty[row] = value

    def _write_tree(self, key: KeyValueStore.Key, value: Any) -> None:
        if not self.authoring:
            raise ReadOnlyFieldError(f"{key.field_name} ({scope_name(key.scope)}) is read-only for learners")
        record = self.tree.get(str(key.block_scope_id))
        if key.scope == Scope.content:
            record = self.tree.by_definition(str(key.block_scope_id))
        if record is None:
            raise KeyError(key.field_name)
        if key.scope == Scope.content:
            record.content[key.field_name] = value
        elif key.scope == Scope.settings:
            record.settings[key.field_name] = value
        elif key.scope == Scope.children:
            self.tree.set_children(record.usage_id, [str(v) for v in value])

    def delete(self, key: KeyValueStore.Key) -> None:
        if key.scope in (Scope.children, Scope.parent, Scope.content, Scope.settings):
            if not self.authoring:
                raise ReadOnlyFieldError(f"{key.field_name} is read-only for learners")
            record = self.tree.get(str(key.block_scope_id)) or self.tree.by_definition(
                str(key.block_scope_id)
            )
            if record is not None:
                (record.content if key.scope == Scope.content else record.settings).pop(key.field_name, None)
            return
        row = _row_key(key)
        self._dirty.pop(row, None)
        self._deleted.add(row)

    def has(self, key: KeyValueStore.Key) -> bool:
        try:
            self.get(key)
        except KeyError:
            return False
        return True

    def default(self, key: KeyValueStore.Key) -> Any:
        # No stored defaults: the field's own applies. (XBlock's base class raises the same KeyError
        # with the whole key's repr, which costs more than the rest of reading an unset field.)
        raise KeyError(key.field_name)

    # Writing ----------------------------------------------------------------------------------------------

    @property
    def pending_writes(self) -> int:
        """How many field values wait to be written."""
        return len(self._dirty) + len(self._deleted)

    def flush(self) -> None:
        """Write every change of this request: one upsert batch, and one delete if values were reset."""
        if self._dirty:
            now = datetime.now(UTC)
            rows = [
                {"scope": s, "user_id": u, "scope_key": k, "field_name": f, "value": v, "updated_at": now}
                for (s, u, k, f), v in self._dirty.items()
            ]
            dialect = self.session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            statement = insert(FieldValue.__table__)
            statement = statement.on_conflict_do_update(
                index_elements=["scope", "user_id", "scope_key", "field_name"],
                set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
            )
            self.session.execute(statement, rows)
            self._values.update(self._dirty)
            self._dirty.clear()
        if self._deleted:
            table = FieldValue.__table__
            self.session.execute(
                table.delete().where(
                    tuple_(table.c.scope, table.c.user_id, table.c.scope_key, table.c.field_name).in_(
                        sorted(self._deleted)
                    )
                )
            )
            for row in self._deleted:
                self._values.pop(row, None)
            self._deleted.clear()


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()
