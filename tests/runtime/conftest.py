"""Factories for stored block trees, built directly as rows (the OLX importer has its own tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.core.extensions import db
from app.runtime.keys import CourseKey, usage_key_for
from app.runtime.models import BlockTree, StoredBlock

COURSE = "course-v1:Cybermassif+TEST+2026"


def _rows(
    course_key: CourseKey, spec: tuple[str, str, dict[str, Any], list[Any]], parent: str | None, position: int
):
    block_type, url_name, fields, children = spec
    key = usage_key_for(course_key, block_type, url_name)
    content = {k: v for k, v in fields.items() if k in ("data", "content")}
    settings = {k: v for k, v in fields.items() if k not in content and k != "olx"}
    yield StoredBlock(
        usage_id=str(key),
        definition_id=str(key.definition_key),
        block_type=block_type,
        parent_usage_id=parent,
        position=position,
        display_name=fields.get("display_name"),
        content=content,
        settings=settings,
        olx=fields.get("olx"),
    )
    for index, child in enumerate(children):
        yield from _rows(course_key, child, str(key), index)


@pytest.fixture
def make_tree(app: Flask) -> Callable[..., int]:
    """Store a tree from ``(type, url_name, fields, [children…])``; returns the tree id."""

    def build(spec: tuple[str, str, dict[str, Any], list[Any]], course_key: str = COURSE) -> int:
        key = CourseKey.from_string(course_key)
        with app.app_context():
            blocks = list(_rows(key, spec, None, 0))
            tree = BlockTree(course_key=course_key, root_usage_id=blocks[0].usage_id, blocks=blocks)
            db.session.add(tree)
            db.session.commit()
            return tree.id

    return build


def unit(n: int, html: str = "<p>Bonjour</p>") -> tuple[str, str, dict[str, Any], list[Any]]:
    """A course with one unit of ``n`` HTML components."""
    components = [("html", f"html{i}", {"display_name": f"Texte {i}", "data": html}, []) for i in range(n)]
    return (
        "course",
        "course",
        {"display_name": "Formation test"},
        [("chapter", "ch1", {"display_name": "Chapitre 1"}, [
            ("sequential", "seq1", {"display_name": "Séquence 1"}, [
                ("vertical", "unit1", {"display_name": "Unité 1"}, components)
            ])
        ])],
    )  # fmt: skip
