"""What a trainer sends to grade a learner (``{"learner_id", "comment", "grade"}``), read and checked;
a bad value is refused with a 400 ``JsonHandlerError`` worded in the trainer's language."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xblock.exceptions import JsonHandlerError


def parse_number(value: Any) -> float | None:
    """A number sent as a JSON number or as text (decimal point or comma), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def read_grading_input(
    data: Any,
    _: Callable[[str], str],
    *,
    normalise: Callable[[str], str],
    max_comment: int,
    max_grade: float,
    bad_grade: str,
) -> tuple[int, str, float]:
    """The learner's id, the comment (normalised, stripped) and the grade (0 to ``max_grade``).

    ``_`` is the block's gettext; ``bad_grade`` the block's own refusal of a grade out of range.
    """
    if not isinstance(data, dict):
        raise JsonHandlerError(400, _("The grade was not sent in the expected form. Please reload the page."))
    learner_id = data.get("learner_id")
    if isinstance(learner_id, str) and learner_id.isdigit():
        learner_id = int(learner_id)
    if isinstance(learner_id, bool) or not isinstance(learner_id, int) or learner_id <= 0:
        raise JsonHandlerError(400, _("Say which learner to grade."))
    comment = data.get("comment", "")
    if not isinstance(comment, str):
        raise JsonHandlerError(400, _("The comment must be text."))
    comment = normalise(comment).strip()
    if len(comment) > max_comment:
        raise JsonHandlerError(
            400,
            _("The comment is %(length)d characters long; the limit is %(max)d.")
            % {"length": len(comment), "max": max_comment},
        )
    grade = parse_number(data.get("grade"))
    if grade is None or not 0 <= grade <= max_grade:
        raise JsonHandlerError(400, bad_grade)
    return learner_id, comment, grade


def grading_refusal(
    error: Exception,
    _: Callable[[str], str],
    *,
    own_work: str,
    bad_grade: str | None = None,
    **more: tuple[int, str],
) -> JsonHandlerError:
    """The ``staff_grading`` service's refusal (named by its ``code``) in the trainer's words: ``own_work``
    and ``bad_grade`` are the block's wording, ``more`` its other codes; any other error is raised again."""
    refusals = {
        "not_staff": (403, _("Only the course's trainers may do this.")),
        "out_of_scope": (403, _("This learner is not one of the learners you follow.")),
        "not_enrolled": (404, _("This learner is not enrolled in this course.")),
        "own_work": (403, own_work),
        **({"bad_grade": (400, bad_grade)} if bad_grade is not None else {}),
        **more,
    }
    code = getattr(error, "code", None)
    if code not in refusals:
        raise error
    status, message = refusals[code]
    return JsonHandlerError(status, message)


# The furthest a trainer's panel may page: beyond any cohort, and a bound on what a request may ask.
MAX_STAFF_OFFSET = 1_000_000


def read_offset(data: Any, refusal: str) -> int:
    """Where the page of learners' work a trainer asks for starts (``{"offset": n}``); a 400 with the
    block's ``refusal`` when it is not a whole number from 0 to :data:`MAX_STAFF_OFFSET`."""
    offset = data.get("offset") if isinstance(data, dict) else None
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_STAFF_OFFSET:
        raise JsonHandlerError(400, refusal)
    return offset
