"""The block's Jinja2 templates (``templates/``), rendered with :mod:`plugins.support.rendering`.

Templates get ``_`` from the block's i18n service, so Babel extracts their strings into the block's own
catalogue, and the date, number and size formats as ``when``, ``number`` and ``size``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plugins.support import rendering

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render(template: str, i18n: Any, **context: Any) -> str:
    """Render ``templates/<template>`` in the reader's language."""
    return rendering.render(TEMPLATES, template, i18n, **context)
