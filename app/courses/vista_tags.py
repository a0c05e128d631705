"""The VISTA dimensions a course serves, declared by its authors and read from its OLX policy.

A course's entry in ``policies/<run>/policy.json`` (or its ``<course>`` element) may carry
``"cybermassif_vista": {"D2": 1.0, "D4": 0.5}``: the dimensions of the VISTA self-assessment (see
docs/vista.md) the course trains for, with a weight each. Completion data of tagged courses feeds the
"use" lens of those dimensions.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l

from app.runtime.reasons import Reason, _

SETTING = "cybermassif_vista"
DIMENSIONS = {
    "D1": _l("Digital strategy"),
    "D2": _l("Tools and readiness"),
    "D3": _l("People and skills"),
    "D4": _l("Data and security"),
    "D5": _l("Automation and AI"),
    "D6": _l("Green digital"),
}
MAX_WEIGHT = 10.0


def read_tags(settings: dict[str, Any]) -> tuple[dict[str, float], list[Reason]]:
    """The dimensions and weights of a course's settings, and what is wrong with them."""
    raw = settings.get(SETTING)
    if raw is None:
        return {}, []
    if isinstance(raw, str):  # an OLX attribute, or a policy value kept as one
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}, [
                Reason(_("cybermassif_vista must be JSON: an object of dimensions (D1 to D6) and weights"))
            ]
    if not isinstance(raw, dict):
        return {}, [Reason(_("cybermassif_vista must be an object of dimensions (D1 to D6) and weights"))]
    tags: dict[str, float] = {}
    problems: list[Reason] = []
    for dimension, weight in raw.items():
        if dimension not in DIMENSIONS:
            message = _("cybermassif_vista: unknown dimension %(dimension)s (expected D1 to D6)")
            problems.append(Reason(message, {"dimension": repr(dimension)}))
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= MAX_WEIGHT:
            message = _(
                "cybermassif_vista: the weight of %(dimension)s must be a number above 0, at most %(limit)s"
            )
            problems.append(Reason(message, {"dimension": dimension, "limit": f"{MAX_WEIGHT:g}"}))
        else:
            tags[dimension] = float(weight)
    return tags, problems


def labelled(tags: dict[str, float]) -> list[tuple[str, str, float]]:
    """The tags in dimension order, with their names in the reader's language."""
    return [(d, str(DIMENSIONS[d]), tags[d]) for d in sorted(tags) if d in DIMENSIONS]


def of_course_block(settings: dict[str, Any] | None) -> dict[str, float]:
    """The valid tags kept in a course block's settings (imports refuse invalid ones)."""
    settings = dict(settings or {})
    return read_tags({**settings.pop("xml_attributes", {}), **settings})[0]
