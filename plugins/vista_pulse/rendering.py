"""The block's Jinja2 templates (``templates/``), autoescaped, with ``_``/``ngettext`` of the reader
(rendered with :mod:`plugins.support.rendering`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plugins.support import rendering

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render(name: str, i18n: Any, **context: Any) -> str:
    """Render ``templates/<name>`` with the i18n service's ``gettext`` and ``ngettext``."""
    return rendering.render(TEMPLATES, name, i18n, **context)
