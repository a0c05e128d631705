"""Blocks that keep their OLX element as imported (as Open edX keeps the fields it does not know), so that
export gives it back unchanged: the element to keep, and writing it back."""

from __future__ import annotations

import copy
from typing import Any

# What the runtime reads and writes itself: not part of the element the block keeps.
RUNTIME_ATTRIBUTES = ("url_name", "xblock-family")


def kept_element(node: Any) -> Any:
    """A copy of the imported element without the runtime's attributes and the text after it."""
    kept = copy.deepcopy(node)
    for name in RUNTIME_ATTRIBUTES:
        kept.attrib.pop(name, None)
    kept.tail = None
    return kept


def write_back(node: Any, stored: Any, tag: str) -> None:
    """Make the export's ``node`` the ``stored`` element again (its attributes, text and children)."""
    node.tag = tag
    for name, value in stored.items():
        node.set(name, value)
    node.text = stored.text
    for child in stored:
        node.append(child)
