"""Learners' answers to the reflection questions: plain text, checked before anything is stored.

Answers are kept as typed (line breaks normalised to ``\\n``, invisible control characters dropped) and
escaped wherever they are shown. A draft may leave questions empty; a submission may not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from plugins.support.text import normalise

MAX_ANSWER = 5_000


class AnswersRefused(ValueError):
    """The answers cannot be taken; the message says why, in the learner's language."""


def check_answers(
    data: Any,
    questions: Sequence[Mapping[str, str]],
    *,
    complete: bool,
    _: Callable[[str], str],
) -> dict[str, str]:
    """The answers of a request body ``{"answers": {question id: text}}``, checked and normalised.

    With ``complete``, every question needs a non-blank answer (a submission); otherwise any may be empty
    (a draft). Raises AnswersRefused with a message for the learner.
    """
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        raise AnswersRefused(_("The answers were not sent in the expected form. Please reload the page."))
    numbers = {question["id"]: number for number, question in enumerate(questions, start=1)}
    checked: dict[str, str] = {}
    for question_id, given in answers.items():
        if question_id not in numbers:
            raise AnswersRefused(
                _("This case study has no question “%(id)s”.") % {"id": str(question_id)[:40]}
            )
        if not isinstance(given, str):
            raise AnswersRefused(_("Each answer must be text."))
        text = normalise(given)
        if len(text) > MAX_ANSWER:
            raise AnswersRefused(
                _("Your answer to question %(n)d is %(length)d characters long; the limit is %(max)d.")
                % {"n": numbers[question_id], "length": len(text), "max": MAX_ANSWER}
            )
        checked[question_id] = text
    if complete:
        for question in questions:
            if not checked.get(question["id"], "").strip():
                raise AnswersRefused(
                    _("Answer every question before submitting: question %(n)d has no answer.")
                    % {"n": numbers[question["id"]]}
                )
    return checked
