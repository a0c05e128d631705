"""The discussion block's HTML: Jinja2 templates of ``templates/``, autoescaped, in the reader's language
(rendered with :mod:`plugins.support.rendering`).

Forum bodies arrive as HTML the platform already sanitised (``body_html``) and are the only values marked
safe; everything else, titles and names included, is escaped by the templates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plugins.support import rendering

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render(template: str, i18n: Any, **context: Any) -> str:
    """Render a template with ``_`` and ``ngettext`` from the block's ``i18n`` service."""
    return rendering.render(TEMPLATES, template, i18n, **context)
