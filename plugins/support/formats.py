"""Dates, numbers and file sizes as the reader writes them, in the language of the block's ``i18n``
service (``None`` as the service gives English)."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The network's time zone: dates are shown as the Cybersites live them.
TIME_ZONE = "Europe/Paris"


def _french(i18n: Any) -> bool:
    return str(getattr(i18n, "language", "en") or "en").startswith("fr")


def format_moment(i18n: Any, moment: datetime | None) -> str:
    """A date and time in the network's time zone, in the reader's language (the i18n service's
    ``DATE_TIME`` format, as Open edX names it)."""
    if moment is None:
        return ""
    with suppress(ZoneInfoNotFoundError):  # a system without a time zone database shows UTC
        moment = moment.astimezone(ZoneInfo(TIME_ZONE))
    return str(i18n.strftime(moment, "DATE_TIME"))


def format_number(i18n: Any, value: float | None) -> str:
    """A grade, a score or a weight as people write it: no trailing zeros, a decimal comma in French."""
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
