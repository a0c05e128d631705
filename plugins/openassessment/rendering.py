"""The block's Jinja2 templates (``templates/``), autoescaped, rendered in the learner's language.

Templates get ``_`` and ``ngettext`` from the block's i18n service (so that Babel extracts their strings
into the block's own catalogue), the case study's date and number formats, and ``html`` to show the
author's HTML prompts once cleaned by the platform's sanitiser.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from plugins.case_study.rendering import format_moment, format_number

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The block's template environment (built once)."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, i18n: Any, sanitizer: Any, **context: Any) -> str:
    """Render ``template`` with the i18n service's ``_``/``ngettext`` and the formatting helpers."""
    return (
        environment()
        .get_template(template)
        .render(
            _=i18n.gettext,
            ngettext=i18n.ngettext,
            when=lambda moment: format_moment(i18n, moment),
            number=lambda value: format_number(i18n, value),
            html=lambda text: Markup(sanitizer.clean_html(text)),  # noqa: S704 (cleaned just now)
            **context,
        )
    )
