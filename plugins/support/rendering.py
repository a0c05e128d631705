"""A block's Jinja2 templates (its ``templates/`` folder), autoescaped, rendered in the reader's language.

Templates get ``_`` and ``ngettext`` from the block's i18n service, so that Babel extracts their strings
into the block's own catalogue, and the formats of :mod:`plugins.support.formats` as ``when``, ``number``
and ``size``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from plugins.support.formats import format_moment, format_number, format_size


@cache
def environment(templates: Path) -> Environment:
    """The template environment of one block's ``templates`` folder (built once: it keeps each template)."""
    return Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(templates: Path, template: str, i18n: Any, **context: Any) -> str:
    """Render ``templates/<template>`` with the i18n service's ``_``/``ngettext`` and the formats; a value
    of ``context`` of the same name as a helper wins."""
    helpers: dict[str, Any] = {
        "_": i18n.gettext,
        "ngettext": i18n.ngettext,
        "when": lambda moment: format_moment(i18n, moment),
        "number": lambda value: format_number(i18n, value),
        "size": lambda value: format_size(i18n, value),
    }
    return environment(templates).get_template(template).render({**helpers, **context})
