"""A course's info pages, as Open edX exports them in ``info/``: its handouts (``handouts.html``) and its
updates (``updates.items.json``, a list of dated entries, or the older ``updates.html``), shown to learners
on the course's page.

The files are kept as they came (export gives them back); what is shown is cleaned by the course authors'
policy (``app.core.author_html``: their layout, filtered styles and buttons kept, no script) and its
``/static/…`` links point to the course's files, whenever it is shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from app.core.author_html import clean_author_html
from app.runtime.reasons import Reason, _

HANDOUTS = "info/handouts.html"
UPDATES = "info/updates.html"
UPDATE_ITEMS = "info/updates.items.json"
MAX_UPDATES = 200


@dataclass(frozen=True)
class Update:
    """One course update: its date as the author wrote it, and its cleaned text."""

    date: str
    html: Markup


@dataclass(frozen=True)
class CourseInfo:
    """What the course's page shows of its info pages."""

    handouts: Markup | None
    updates: tuple[Update, ...]


def _items(text: str) -> list[Any] | None:
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, list) else None


def problems(kept: Mapping[str, str]) -> list[Reason]:
    """Why the updates file cannot be shown (it is kept and exported all the same)."""
    if UPDATE_ITEMS not in kept:
        return []
    items = _items(kept[UPDATE_ITEMS])
    if items is None:
        return [Reason(_("the updates are not a JSON list: none of them is shown"))]
    if any(not isinstance(i, dict) or not isinstance(i.get("content", ""), str) for i in items):
        return [
            Reason(
                _("each update must be an object with its content as text: those that are not are left out")
            )
        ]
    return []


def has_info(kept: Mapping[str, str]) -> bool:
    """Whether the course's page has handouts or updates to show."""
    return any((kept.get(name) or "").strip() for name in (HANDOUTS, UPDATES, UPDATE_ITEMS))


def _cleaned(text: str, rewrite: Callable[[str], str]) -> Markup:
    # Cleaned each time it is shown, as the about pages: no other way of storing it can bring script.
    return Markup(rewrite(clean_author_html(text)))  # noqa: S704 (cleaned by the authors' policy)


def shown(kept: Mapping[str, str], rewrite: Callable[[str], str]) -> CourseInfo:
    """The handouts and the visible updates, newest first as Open edX lists them, cleaned; ``rewrite``
    points ``/static/…`` links to the course's files."""
    handouts = (kept.get(HANDOUTS) or "").strip()
    updates: list[Update] = []
    items = _items(kept[UPDATE_ITEMS]) if UPDATE_ITEMS in kept else None
    if items is not None:
        for item in items[:MAX_UPDATES]:
            if not isinstance(item, dict) or item.get("status") == "deleted":
                continue
            content = item.get("content")
            if isinstance(content, str) and content.strip():
                updates.append(Update(str(item.get("date") or "")[:100], _cleaned(content, rewrite)))
    elif (kept.get(UPDATES) or "").strip():
        updates.append(Update("", _cleaned(kept[UPDATES], rewrite)))
    return CourseInfo(_cleaned(handouts, rewrite) if handouts else None, tuple(updates))
