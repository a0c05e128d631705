"""The video block's Jinja2 templates (autoescaped), rendered in the reader's language."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

_ENVIRONMENT = Environment(
    loader=PackageLoader("plugins.video", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, i18n: Any, **context: Any) -> str:
    """Render ``template`` with ``_`` and ``ngettext`` from the block's ``i18n`` service."""
    return _ENVIRONMENT.get_template(template).render(_=i18n.gettext, ngettext=i18n.ngettext, **context)
