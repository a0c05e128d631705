"""Tables of the XBlock host: stored block trees (one per imported course version) and field values.

A block tree is immutable once imported: its blocks carry the ``content`` and ``settings`` scopes, their
place in the tree, and for block types that are not installed, their original OLX. Every other scope lives
in ``xblock_field``, one row per (scope, user, scope key, field), written by handlers as upserts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db


def _now() -> datetime:
    return datetime.now(UTC)


class BlockTree(db.Model):
    """One imported version of a course's content: the root block and all its descendants."""

    __tablename__ = "block_tree"
    # Ids are never reused (SQLite would otherwise reuse the highest one after a delete): processes
    # keep loaded trees by id.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_key: Mapped[str] = mapped_column(String(255), index=True)
    root_usage_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    blocks: Mapped[list[StoredBlock]] = relationship(
        back_populates="tree", cascade="all, delete-orphan", passive_deletes=True
    )


class StoredBlock(db.Model):
    """A block of a tree: its type, place, content and settings fields (as JSON), and raw OLX if unknown."""

    __tablename__ = "block"
    __table_args__ = (
        UniqueConstraint("tree_id", "usage_id"),
        Index("ix_block_tree_parent", "tree_id", "parent_usage_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_id: Mapped[int] = mapped_column(ForeignKey("block_tree.id", ondelete="CASCADE"))
    usage_id: Mapped[str] = mapped_column(String(255))
    definition_id: Mapped[str] = mapped_column(String(255))
    block_type: Mapped[str] = mapped_column(String(64))
    parent_usage_id: Mapped[str | None] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)
    display_name: Mapped[str | None] = mapped_column(String(255))
    # The OLX url_name the block was imported from (its block id may be a hashed form of it); export
    # writes it back so that a re-import gives the same usage ids.
    url_name: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The block's own OLX when its type is not installed, so that export gives it back unchanged.
    olx: Mapped[str | None] = mapped_column(Text)

    tree: Mapped[BlockTree] = relationship(back_populates="blocks")


class FieldValue(db.Model):
    """A stored field value of any scope other than content, settings, children and parent.

    ``user_id`` is 0 for scopes not tied to one user; ``scope_key`` is the usage id, definition id or block
    type the scope's block part names, or "" for BlockScope.ALL.
    """

    __tablename__ = "xblock_field"
    __table_args__ = (UniqueConstraint("scope", "user_id", "scope_key", "field_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(Integer, default=0, index=True)
    scope_key: Mapped[str] = mapped_column(String(255))
    field_name: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class BlockTypeSetting(db.Model):
    """Whether an installed block type may be used; types without a row are enabled."""

    __tablename__ = "block_type_setting"

    block_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)
