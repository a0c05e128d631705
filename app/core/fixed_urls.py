"""Addresses that are the same on every request (static files, pages without arguments), built once.

Every page links the style sheet, the scripts and the same few pages; building each address through the
URL map costs more than the rest of a small page's template. The application root is part of the key, for
sites served under a prefix.
"""

from __future__ import annotations

from flask import Flask, current_app, request, url_for

_EXTENSION_KEY = "cybermassif.fixed_urls"


def fixed_url(endpoint: str, filename: str | None = None) -> str:
    """``url_for(endpoint)`` (or the static file ``filename``), remembered per application root."""
    cache: dict[tuple[str, str, str | None], str] = current_app.extensions[_EXTENSION_KEY]
    key = (request.script_root, endpoint, filename)
    found = cache.get(key)
    if found is None:
        found = url_for(endpoint, filename=filename) if filename is not None else url_for(endpoint)
        if len(cache) < 1000:  # template bugs could ask for endless file names: keep the cache bounded
            cache[key] = found
    return found


def static_url(filename: str) -> str:
    """The address of a file of the platform's ``static/`` folder."""
    return fixed_url("static", filename)


def init_app(app: Flask) -> None:
    """Offer ``fixed_url()`` and ``static_url()`` to templates."""
    app.extensions[_EXTENSION_KEY] = {}
    app.jinja_env.globals.update(fixed_url=fixed_url, static_url=static_url)
