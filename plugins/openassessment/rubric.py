"""Assessing against the rubric: checking what an assessor chose, its points, and ORA's peer median.

Choices are ``{criterion name: option name}`` and per-criterion feedback ``{criterion name: text}``; both
come from the browser and are checked here against the definition before anything is stored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from plugins.support.text import normalise

MAX_FEEDBACK = 5_000

Translate = Callable[[str], str]


class AssessmentRefused(ValueError):
    """The assessment cannot be taken; the message says why, in the assessor's language."""


def _text(value: Any, _: Translate) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AssessmentRefused(_("Each comment must be text."))
    text = normalise(value).strip()
    if len(text) > MAX_FEEDBACK:
        raise AssessmentRefused(
            _("A comment is %(length)d characters long; the limit is %(max)d.")
            % {"length": len(text), "max": MAX_FEEDBACK}
        )
    return text


def check_assessment(data: Any, definition: Mapping[str, Any], _: Translate) -> dict[str, Any]:
    """``{"choices", "criterion_feedback", "feedback"}`` checked against the rubric: an option of the
    rubric for every criterion that has options, required comments given, nothing unknown."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), dict):
        raise AssessmentRefused(
            _("The assessment was not sent in the expected form. Please reload the page.")
        )
    choices, notes = data["choices"], data.get("criterion_feedback") or {}
    if not isinstance(notes, dict):
        raise AssessmentRefused(
            _("The assessment was not sent in the expected form. Please reload the page.")
        )
    criteria = {criterion["name"]: criterion for criterion in definition["criteria"]}
    for name in (*choices, *notes):
        if name not in criteria:
            raise AssessmentRefused(_("This rubric has no criterion “%(name)s”.") % {"name": str(name)[:60]})
    checked: dict[str, str] = {}
    feedback: dict[str, str] = {}
    for name, criterion in criteria.items():
        label = criterion["label"]
        if criterion["options"]:
            chosen = choices.get(name)
            if chosen is None:
                raise AssessmentRefused(_("Choose an option for “%(criterion)s”.") % {"criterion": label})
            if not isinstance(chosen, str) or chosen not in {o["name"] for o in criterion["options"]}:
                raise AssessmentRefused(
                    _("“%(option)s” is not an option of “%(criterion)s”.")
                    % {"option": str(chosen)[:60], "criterion": label}
                )
            checked[name] = chosen
        note = _text(notes.get(name), _) if criterion["feedback"] != "disabled" else ""
        if criterion["feedback"] == "required" and not note:
            raise AssessmentRefused(_("Write a comment for “%(criterion)s”.") % {"criterion": label})
        if note:
            feedback[name] = note
    return {"choices": checked, "criterion_feedback": feedback, "feedback": _text(data.get("feedback"), _)}


def option_points(definition: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Points of each option, by criterion name then option name."""
    return {c["name"]: {o["name"]: o["points"] for o in c["options"]} for c in definition["criteria"]}


def points(definition: Mapping[str, Any], choices: Mapping[str, str]) -> int:
    """The points of one assessment (options no longer in the rubric count for nothing)."""
    table = option_points(definition)
    return sum(table.get(criterion, {}).get(option, 0) for criterion, option in choices.items())


def median_by_criterion(
    definition: Mapping[str, Any], assessments: Iterable[Mapping[str, str]]
) -> dict[str, int]:
    """ORA's peer score of each criterion: the median of the peers' points, the two middle ones averaged
    and rounded up when their number is even (criteria nobody scored are left out)."""
    table = option_points(definition)
    given = list(assessments)
    medians: dict[str, int] = {}
    for criterion, options in table.items():
        scores = sorted(options[c[criterion]] for c in given if c.get(criterion) in options)
        if not scores:
            continue
        middle = len(scores) // 2
        medians[criterion] = (
            scores[middle] if len(scores) % 2 else math.ceil((scores[middle - 1] + scores[middle]) / 2)
        )
    return medians


def median_points(definition: Mapping[str, Any], assessments: Iterable[Mapping[str, str]]) -> int:
    """ORA's peer score: the per-criterion medians added up."""
    return sum(median_by_criterion(definition, assessments).values())
