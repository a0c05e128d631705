"""The discussion block's HTML: Jinja2 templates of ``templates/``, autoescaped, in the reader's language.

Forum bodies arrive as HTML the platform already sanitised (``body_html``) and are the only values marked
safe; everything else, titles and names included, is escaped by the templates.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The block's template environment (built once per process)."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, i18n: Any, **context: Any) -> str:
    """Render a template with ``_`` and ``ngettext`` from the block's ``i18n`` service."""
    return environment().get_template(template).render(_=i18n.gettext, ngettext=i18n.ngettext, **context)
