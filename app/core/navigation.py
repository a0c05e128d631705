"""Main navigation by role: each part registers its entries and who sees them; the layout lists them.

Every page shows the navigation, so what does not change between requests is worked out once per process:
the entries' order, each entry's address and each label in each language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from app.core.fixed_urls import current_builder


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to users for whom ``visible`` is true."""

    label: Any  # a lazy translation string
    endpoint: str
    visible: Callable[[Any], bool]
    order: int = 50


@dataclass(frozen=True)
class NavItem:
    """An entry resolved for the current request."""

    label: str
    url: str
    active: bool


EXTENSION_KEY = "cybermassif.navigation"


class _Navigation:
    """An application's entries, in order, with their addresses and labels remembered."""

    def __init__(self) -> None:
        self.entries: list[NavEntry] = []
        self._labels: dict[tuple[str, int], str] = {}

    def add(self, entry: NavEntry) -> None:
        self.entries.append(entry)
        self.entries.sort(key=lambda e: e.order)
        self._labels.clear()

    def label(self, entry: NavEntry, language: str) -> str:
        key = (language, id(entry))
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = str(entry.label)
        return found


def register(app: Flask, entry: NavEntry) -> None:
    """Add an entry to the application's navigation."""
    app.extensions.setdefault(EXTENSION_KEY, _Navigation()).add(entry)


def items(app: Flask) -> list[NavItem]:
    """The entries the current user sees, in order, with the current one marked."""
    navigation: _Navigation | None = app.extensions.get(EXTENSION_KEY)
    if navigation is None:
        return []
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    current = request.endpoint or ""
    blueprint = current.partition(".")[0]
    language = str(get_locale())
    fixed_url = current_builder()
    return [
        NavItem(
            navigation.label(e, language),
            fixed_url(e.endpoint),
            current == e.endpoint or (blueprint == e.endpoint.partition(".")[0] and blueprint != "learn"),
        )
        for e in navigation.entries
        if e.visible(user)
    ]


def init_app(app: Flask) -> None:
    """Offer ``navigation()`` to templates."""
    app.context_processor(lambda: {"navigation": lambda: items(app)})
