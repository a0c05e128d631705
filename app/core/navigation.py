"""Main navigation by role: each part registers its entries and who sees them; the layout lists them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user


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


def register(app: Flask, entry: NavEntry) -> None:
    """Add an entry to the application's navigation."""
    app.extensions.setdefault(EXTENSION_KEY, []).append(entry)


def items(app: Flask) -> list[NavItem]:
    """The entries the current user sees, in order, with the current one marked."""
    entries = sorted(app.extensions.get(EXTENSION_KEY, []), key=lambda e: e.order)
    current = request.endpoint or ""
    blueprint = current.partition(".")[0]
    return [
        NavItem(
            str(e.label),
            url_for(e.endpoint),
            current == e.endpoint or (blueprint == e.endpoint.partition(".")[0] and blueprint != "learn"),
        )
        for e in entries
        if e.visible(current_user)
    ]


def init_app(app: Flask) -> None:
    """Offer ``navigation()`` to templates."""
    app.context_processor(lambda: {"navigation": lambda: items(app)})
