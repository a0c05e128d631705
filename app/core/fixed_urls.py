"""Addresses that are the same on every request (static files, pages without arguments), built once.

Every page links the style sheet, the scripts and the same few pages; building each address through the
URL map costs more than the rest of a small page's template. Addresses are kept per application root, for
sites served under a prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for

_EXTENSION_KEY = "cybermassif.fixed_urls"
# Template bugs could ask for endless file names: each root's addresses stay bounded.
_MOST = 1000


class FixedUrls:
    """The addresses built so far, per application root."""

    def __init__(self) -> None:
        self._by_root: dict[str, dict[tuple[str, str | None], str]] = {}

    def builder(self, root: str) -> Callable[..., str]:
        """``fixed_url(endpoint, filename=None)`` for requests under ``root``."""
        known = self._by_root.setdefault(root, {})

        def fixed(endpoint: str, filename: str | None = None) -> str:
            found = known.get((endpoint, filename))
            if found is None:
                found = url_for(endpoint, filename=filename) if filename is not None else url_for(endpoint)
                if len(known) < _MOST:
                    known[(endpoint, filename)] = found
            return found

        return fixed


def current_builder() -> Callable[..., str]:
    """``fixed_url`` for the current request's application root."""
    urls: FixedUrls = current_app.extensions[_EXTENSION_KEY]
    return urls.builder(request.script_root)


def fixed_url(endpoint: str, filename: str | None = None) -> str:
    """``url_for(endpoint)`` (or the static file ``filename``), remembered per application root."""
    return current_builder()(endpoint, filename)


def static_url(filename: str) -> str:
    """The address of a file of the platform's ``static/`` folder."""
    return fixed_url("static", filename)


def _render_urls() -> dict[str, Any]:
    """What a template rendered for a request gets: ``fixed_url`` and ``static_url`` bound to its root
    (looked up once per render, not once per address)."""
    if not has_request_context():
        return {}
    fixed = current_builder()
    return {"fixed_url": fixed, "static_url": lambda filename: fixed("static", filename)}


def init_app(app: Flask) -> None:
    """Offer ``fixed_url()`` and ``static_url()`` to templates."""
    app.extensions[_EXTENSION_KEY] = FixedUrls()
    app.jinja_env.globals.update(fixed_url=fixed_url, static_url=static_url)
    app.context_processor(_render_urls)
