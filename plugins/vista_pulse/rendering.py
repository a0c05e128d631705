"""The block's Jinja2 templates (``templates/``), autoescaped, with ``_``/``ngettext`` of the reader."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates' environment (built once: it compiles and keeps each template)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, i18n: Any, **context: Any) -> str:
    """Render ``templates/<name>`` with the i18n service's ``gettext`` and ``ngettext``."""
    return environment().get_template(name).render(_=i18n.gettext, ngettext=i18n.ngettext, **context)
