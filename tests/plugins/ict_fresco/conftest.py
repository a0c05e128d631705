"""Fixtures of the ICT fresco tests: a course whose unit ``u1`` holds a fresco (``f1``) and an HTML block
(``h1``, the target of the fresco's ``/jump_to_id/`` link), and readers of the rendered fresco."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from lxml import html as lxml_html
from sqlalchemy import select

from app.core.extensions import db
from app.runtime.models import StoredBlock
from tests.plugins.conftest import OlxCourse

FRESCO = """<ict_fresco url_name="f1" display_name="Fresque des usages">
  <cell sector="retail" function="sales_marketing">
    <text><p>Vendre en <strong>ligne</strong> et en boutique.</p></text>
    <tools>Shopify, WooCommerce</tools>
    <link href="/jump_to_id/h1">Unité boutique</link>
    <link href="https://www.francenum.gouv.fr/">France Num</link>
  </cell>
  <cell sector="crafts_building" function="accounting_invoicing">
    <text>Devis et factures en ligne</text><tools>Obat</tools>
  </cell>
  <cell sector="manufacturing" function="purchasing_logistics"><text>GPAO et stocks</text></cell>
  <cell sector="tourism_hospitality" function="communication"><text>Avis clients</text></cell>
  <cell sector="agriculture_food" function="production"><text>Traçabilité des lots</text></cell>
  <cell sector="services" function="hr"><text>Plannings partagés</text></cell>
</ict_fresco>"""
UNIT = FRESCO + '<html url_name="h1"><p>La boutique</p></html>'


@pytest.fixture
def fresco_course(olx_course: Callable[..., OlxCourse]) -> OlxCourse:
    """A course whose unit ``u1`` holds the sample fresco and an HTML block."""
    return olx_course(UNIT)


def by_class(node: Any, class_name: str, tag: str = "*") -> list[Any]:
    """Elements under ``node`` (itself included) with that class."""
    return node.xpath(
        f"descendant-or-self::{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {class_name} ')]"
    )


def fresco_root(page: str) -> Any:
    """The fresco element of a unit page, parsed."""
    found = by_class(lxml_html.fromstring(page), "ict-fresco", "div")
    assert len(found) == 1, len(found)
    return found[0]


def open_sector(page: str) -> str:
    """The sector shown first: the one open without JavaScript, which is also the selected tab."""
    root = fresco_root(page)
    opened = [d.get("data-sector") for d in by_class(root, "ict-fresco-sector") if d.get("open") is not None]
    selected = [
        t.get("id").rsplit("-tab-", 1)[1] for t in root.xpath('.//*[@role="tab"][@aria-selected="true"]')
    ]
    assert len(opened) == 1 and opened == selected, (opened, selected)
    return opened[0]


def stored_settings(app: Flask, course: OlxCourse, url_name: str = "f1") -> dict[str, Any]:
    """The stored settings of a fresco of the course."""
    with app.app_context():
        return db.session.scalar(
            select(StoredBlock.settings).where(
                StoredBlock.tree_id == course.tree_id,
                StoredBlock.usage_id == course.usage("ict_fresco", url_name),
            )
        )
