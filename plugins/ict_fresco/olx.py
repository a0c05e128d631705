"""The fresco's OLX: ``<cell sector function>`` elements, read into checked cells and written back.

::

    <ict_fresco display_name="…">
      <cell sector="retail" function="sales_marketing">
        <text>HTML short text</text>
        <tools>Tool A, Tool B</tools>
        <link href="/jump_to_id/unit-url-name">Label</link>
      </cell>
    </ict_fresco>

``<text>`` holds HTML, inline or in CDATA (as Open edX's ``<html>``); it is written back in CDATA.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from plugins.ict_fresco.grid import Cell, FrescoError, _, check_place, make_cell, unique_cells

CELL_PARTS = ("text", "tools", "link")


def _inner_html(node: Any) -> str:
    """The HTML inside an element: its text and its child elements, as written."""
    return (node.text or "") + "".join(etree.tostring(child, encoding="unicode") for child in node)


def _elements(node: Any) -> list[Any]:
    """Child elements, comments and processing instructions left out."""
    return [child for child in node if isinstance(child.tag, str)]


def read_cell(node: Any, clean_html: Callable[[str], str]) -> Cell:
    """One ``<cell>``, checked (a FrescoError says what is wrong with it)."""
    place = check_place(node.get("sector"), node.get("function"))
    text = tools = None
    links: list[tuple[str, str]] = []
    for part in _elements(node):
        if part.tag not in CELL_PARTS:
            raise FrescoError(
                _("Unexpected element <%(tag)s> in a cell: use <text>, <tools> and <link>."),
                place,
                tag=str(part.tag)[:40],
            )
        if part.tag == "link":
            links.append((part.get("href", ""), "".join(part.itertext())))
            continue
        if (text if part.tag == "text" else tools) is not None:
            raise FrescoError(_("A cell has only one <%(tag)s> element."), place, tag=part.tag)
        if part.tag == "text":
            text = _inner_html(part)
        else:
            tools = "".join(part.itertext())
    return make_cell(*place, text or "", tools or "", links, clean_html=clean_html)


def read_cells(node: Any, clean_html: Callable[[str], str]) -> list[Cell]:
    """Every ``<cell>`` of an ``<ict_fresco>`` element, checked; the first problem is raised."""
    cells = []
    for child in _elements(node):
        if child.tag != "cell":
            raise FrescoError(
                _("Unexpected element <%(tag)s> in the fresco: use <cell> elements."), tag=str(child.tag)[:40]
            )
        cells.append(read_cell(child, clean_html))
    return unique_cells(cells)


def write_cells(node: Any, cells: list[Cell]) -> None:
    """Append a ``<cell>`` element per cell to ``node``."""
    for cell in cells:
        element = etree.SubElement(node, "cell", sector=cell.sector, function=cell.function)
        if cell.text:
            text = etree.SubElement(element, "text")
            # CDATA keeps the HTML readable; text that cannot be CDATA is escaped and reads back the same.
            text.text = etree.CDATA(cell.text) if "]]>" not in cell.text else cell.text
        if cell.tools:
            etree.SubElement(element, "tools").text = cell.tools
        for link in cell.links:
            etree.SubElement(element, "link", href=link.href).text = link.label
