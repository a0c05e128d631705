"""What cleaning took out of an author's HTML: the elements, attributes and comments that did not survive.

The sanitiser also rewrites harmless markup (quotes, entities, implied elements); comparing the inventories
of elements and attributes before and after, rather than the text, names only what was really removed.
"""

from __future__ import annotations

from collections import Counter

import lxml.html
from lxml import etree

COMMENT = "<!-- -->"


def _inventory(html: str) -> tuple[Counter[str], Counter[str]]:
    """How many of each element (``<tag>``) and each attribute (``<tag> name``) the fragment holds."""
    elements: Counter[str] = Counter()
    attributes: Counter[str] = Counter()
    if not html.strip():
        return elements, attributes
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return elements, attributes
    for node in root.iterdescendants():
        if node.tag is etree.Comment:
            elements[COMMENT] += 1
        elif isinstance(node.tag, str):
            elements[f"<{node.tag.lower()}>"] += 1
            attributes.update(f"<{node.tag.lower()}> {name.lower()}" for name in node.attrib)
    return elements, attributes


def removed_parts(before: str, after: str) -> list[str]:
    """Elements (``<script>``), attributes (``onclick``) and comments of ``before`` missing from ``after``."""
    elements_before, attributes_before = _inventory(before)
    elements_after, attributes_after = _inventory(after)
    elements = sorted(tag for tag, n in elements_before.items() if n > elements_after[tag])
    # An attribute of a removed element is not worth naming again.
    attributes = sorted(
        {
            key.split(" ", 1)[1]
            for key, n in attributes_before.items()
            if n > attributes_after[key] and key.split(" ", 1)[0] not in elements
        }
    )
    return elements + attributes
