"""The block's Jinja2 templates (``templates/``), rendered with :mod:`plugins.support.rendering`.

Templates get ``_`` and ``ngettext`` from the block's i18n service (so that Babel extracts their strings
into the block's own catalogue), the date and number formats, and ``html`` to show the author's HTML
prompts once cleaned by the platform's sanitiser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from plugins.support import rendering

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render(template: str, i18n: Any, sanitizer: Any, **context: Any) -> str:
    """Render ``templates/<template>`` in the reader's language."""
    return rendering.render(
        TEMPLATES,
        template,
        i18n,
        html=lambda text: Markup(sanitizer.clean_html(text)),  # noqa: S704 (cleaned just now)
        **context,
    )
