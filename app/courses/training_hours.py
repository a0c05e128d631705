"""The training time a course certifies, declared by its authors and read from its OLX policy.

Funders of the network count training in hours: a course's entry in ``policies/<run>/policy.json`` (or
its ``<course>`` element) may carry ``"cybermassif_training_hours": 7`` (or ``3.5``, or the string
``"3,5"`` as a French author writes it). Open edX has no field for it: its ``effort`` about page is an
estimate per week, not the time a certificate attests. The value is kept in minutes
(``Course.training_minutes``) and printed on the certificate, its PDF and its verification page.
"""

from __future__ import annotations

import math
from typing import Any

from app.runtime.reasons import Reason, _

SETTING = "cybermassif_training_hours"
MAX_HOURS = 2000  # a year of full-time training: anything above is a typing error


def read_minutes(settings: dict[str, Any]) -> tuple[int | None, list[Reason]]:
    """The training time of a course's settings in minutes (None when not declared), and what is wrong
    with it."""
    raw = settings.get(SETTING)
    if raw is None or raw == "":
        return None, []
    hours: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        hours = float(raw)
    elif isinstance(raw, str):
        try:
            hours = float(raw.strip().replace(",", "."))
        except ValueError:
            hours = None
    if hours is None or math.isnan(hours) or not 0 < hours <= MAX_HOURS:
        message = _("%(setting)s must be a number of hours above 0, at most %(limit)s (for example 7 or 3.5)")
        return None, [Reason(message, {"setting": SETTING, "limit": str(MAX_HOURS)})]
    return max(1, round(hours * 60)), []


def hours_text(minutes: int) -> tuple[int, int]:
    """Whole hours and the minutes left, for display ("7 h", "3 h 30")."""
    return divmod(minutes, 60)
