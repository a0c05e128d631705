"""The editor's form of a staff-graded assignment, checked whole: every problem named, nothing saved
unless all of it is right.

What the form holds is the block's OLX attributes (``display_name``, ``weight``, ``instructions`` or
``points``, ``showanswer`` and ``solution``); an empty optional value removes its attribute.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

MAX_TITLE = 255
MAX_TEXT = 50_000
MAX_WEIGHT = 1000.0
MAX_POINTS = 10_000


def _(message: str) -> str:
    """Mark ``message`` for extraction; the i18n service translates it when it is shown."""
    return message


#: Open edX's ``showanswer`` values an assignment may take, in the editor's words ('' is the default).
#: There are no due dates here: the rules tied to one show the solution once the work is graded.
SHOWANSWER_LABELS = {
    "": _("Once graded (default)"),
    "always": _("Always"),
    "answered": _("Once the file is handed in"),
    "attempted": _("Once the file is handed in (attempted)"),
    "finished": _("Once graded (finished)"),
    "closed": _("Once graded (closed)"),
    "past_due": _("Once graded (past due)"),
    "correct_or_past_due": _("Once graded (correct or past due)"),
    "never": _("Never"),
}


class EditRefused(ValueError):
    """The form cannot be saved; ``messages`` says why, one line per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _decimal(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def check_form(
    data: Any, fields: tuple[str, ...], required_weight: bool, _: Callable[[str], str]
) -> dict[str, str | None]:
    """The OLX attributes the form sets, by name (None: remove the attribute); EditRefused otherwise."""
    if not isinstance(data, dict):
        raise EditRefused([_("The assignment was not sent in the expected form.")])
    errors: list[str] = []
    values: dict[str, str | None] = {}
    title = _text(data, "display_name")
    if len(title) > MAX_TITLE:
        errors.append(_("The title is longer than %(max)d characters.") % {"max": MAX_TITLE})
    values["display_name"] = title or None
    weight_text = _text(data, "weight")
    weight = _decimal(weight_text) if weight_text else None
    if (weight_text or required_weight) and (weight is None or not 0 <= weight <= MAX_WEIGHT):
        errors.append(_("The weight must be a number from 0 to %(max)d.") % {"max": int(MAX_WEIGHT)})
    values["weight"] = f"{weight:g}" if weight is not None else None
    if "points" in fields:
        points = _text(data, "points")
        if not points.isdigit() or not 1 <= int(points) <= MAX_POINTS:
            errors.append(
                _("The maximum score must be a whole number from 1 to %(max)d.") % {"max": MAX_POINTS}
            )
        values["points"] = str(int(points)) if points.isdigit() else None
    if "showanswer" in fields:
        showanswer = _text(data, "showanswer")
        if showanswer not in SHOWANSWER_LABELS:
            errors.append(_("Choose when the solution is shown from the list."))
        values["showanswer"] = showanswer or None
    for name in ("instructions", "solution"):
        if name in fields:
            raw = data.get(name, "")
            text = raw.replace("\r\n", "\n") if isinstance(raw, str) else ""
            if len(text) > MAX_TEXT:
                errors.append(_("A text is longer than %(max)d characters.") % {"max": MAX_TEXT})
            # An emptied text stays an (empty) attribute: removing it would bring the default text back.
            values[name] = text if text.strip() else ""
    if errors:
        raise EditRefused(errors)
    return values
