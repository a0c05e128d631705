"""The block's Jinja2 templates (``templates/``), autoescaped, rendered in the reader's language.

Templates get ``_`` from the block's i18n service, so Babel extracts their strings into the block's own
catalogue; dates and numbers are formatted here.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The network's time zone: dates are shown as the Cybersites live them.
TIME_ZONE = "Europe/Paris"


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


def render(template: str, i18n: Any, **context: Any) -> str:
    """Render ``template`` with the i18n service's ``_`` and the formatting helpers."""
    return (
        environment()
        .get_template(template)
        .render(
            _=i18n.gettext,
            when=lambda moment: format_moment(i18n, moment),
            number=lambda value: format_number(i18n, value),
            size=lambda value: format_size(i18n, value),
            **context,
        )
    )


def format_moment(i18n: Any, moment: datetime | None) -> str:
    """A date and time in the network's time zone, in the reader's language."""
    if moment is None:
        return ""
    with suppress(ZoneInfoNotFoundError):  # a system without a time zone database shows UTC
        moment = moment.astimezone(ZoneInfo(TIME_ZONE))
    return str(i18n.strftime(moment, "DATE_TIME"))


def _french(i18n: Any) -> bool:
    return str(getattr(i18n, "language", "en") or "en").startswith("fr")


def format_number(i18n: Any, value: float | None) -> str:
    """A score as people write it: no trailing zeros, a decimal comma in French."""
    if value is None:
        return ""
    text = f"{round(value, 2):g}"
    return text.replace(".", ",") if _french(i18n) else text


def format_size(i18n: Any, value: int | None) -> str:
    """A file size in kilobytes (ko in French), at least 1."""
    if value is None:
        return ""
    kilobytes = max(1, round(value / 1000))
    return f"{kilobytes} ko" if _french(i18n) else f"{kilobytes} kB"
